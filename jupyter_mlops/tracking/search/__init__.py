"""The run search language: a parser from text to an AST (pure), compiled to SQL by the store."""

from .ast import (
    ATTRIBUTES,
    And,
    Comparison,
    Expr,
    Identifier,
    Or,
    OrderKey,
)
from .parser import parse_filter, parse_order_by

__all__ = [
    "ATTRIBUTES",
    "And",
    "Comparison",
    "Expr",
    "Identifier",
    "Or",
    "OrderKey",
    "parse_filter",
    "parse_order_by",
]
