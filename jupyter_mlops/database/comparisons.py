"""One comparison of the search language (``=``, ``<``, ``IN``, ``LIKE``...) as SQL.

Run search and the registry's searches share it, so that a filter means the same on runs,
models and logged models, on both databases: LIKE is case-sensitive (GLOB on SQLite, whose
LIKE ignores case), ILIKE ignores case, ``%`` and ``_`` are the only wildcards.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func

_ORDERINGS = {
    "=": lambda column, value: column == value,
    "!=": lambda column, value: column != value,
    "<": lambda column, value: column < value,
    "<=": lambda column, value: column <= value,
    ">": lambda column, value: column > value,
    ">=": lambda column, value: column >= value,
    "IN": lambda column, value: column.in_(list(value)),
    "NOT IN": lambda column, value: column.not_in(list(value)),
}


def like_to_glob(pattern: str) -> str:
    """A LIKE pattern as an SQLite GLOB pattern (GLOB is case-sensitive, LIKE is not)."""
    special = {"%": "*", "_": "?", "*": "[*]", "?": "[?]", "[": "[[]"}
    return "".join(special.get(ch, ch) for ch in pattern)


def _pg_pattern(pattern: str) -> str:
    # PostgreSQL's LIKE escapes with a backslash by default; SQLite's has no escape.
    return pattern.replace("\\", "\\\\")


def compare(column: Any, op: str, value: Any, dialect: str) -> ColumnElement[bool]:
    """``column <op> value`` with the search language's meaning of each operator."""
    if op in _ORDERINGS:
        clause: ColumnElement[bool] = _ORDERINGS[op](column, value)
        return clause
    if op == "LIKE":
        if dialect == "sqlite":
            return column.op("GLOB")(like_to_glob(value))
        return column.like(_pg_pattern(value))
    if op == "ILIKE":
        if dialect == "sqlite":
            return func.lower(column).like(func.lower(value))
        return column.ilike(_pg_pattern(value))
    raise AssertionError(f"unknown operator {op}")  # the parser admits no other
