"""Kubernetes resource quantities ("500m", "2", "1.5Gi") parsed to exact decimals."""

from __future__ import annotations

from decimal import Decimal


def parse_quantity(text: str) -> Decimal:
    """The quantity's value; ``ValueError`` when it is not one."""
    from kubernetes.utils import parse_quantity as kube_parse

    if not isinstance(text, str) or not text.strip():
        raise ValueError("a quantity cannot be empty")
    try:
        value: Decimal = kube_parse(text.strip())
    except (ValueError, ArithmeticError, TypeError):
        raise ValueError(f"{text!r} is not a Kubernetes quantity (like 500m, 2, 1.5Gi)") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite quantity")
    return value


def parse_cpu(text: str) -> Decimal:
    value = parse_quantity(text)
    if value <= 0:
        raise ValueError(f"CPU {text!r} must be more than 0")
    return value


def parse_memory(text: str) -> Decimal:
    value = parse_quantity(text)
    if value <= 0:
        raise ValueError(f"memory {text!r} must be more than 0")
    return value


def format_bytes(value: Decimal) -> str:
    for unit, size in (("Ti", 1024**4), ("Gi", 1024**3), ("Mi", 1024**2), ("Ki", 1024)):
        if value >= size:
            return f"{(value / size).normalize():f}{unit}"
    return f"{value:f}"
