"""Registry searches in SQL: filters (the search AST) to WHERE clauses, and keyset paging.

Pattern matching means what it means in run search, on both databases: LIKE is
case-sensitive (GLOB on SQLite, whose LIKE ignores case), ILIKE ignores case, ``%`` and
``_`` are the only wildcards. A comparison on a tag or param keeps the rows that have the
key and whose value matches, except ``!=`` and ``NOT IN``, which (as in MLflow's registry)
also keep the rows without the key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, and_, or_, true

from ...database.comparisons import compare
from ...database.engine import Database
from ...database.paging import decode_token, encode_token
from ...errors import InvalidParameter
from ...tracking.entities import Page
from ...tracking.search.ast import And, Comparison, Expr, OrderKey

_NEGATED = {"!=": "=", "NOT IN": "IN"}
T = TypeVar("T")

#: (key, comparison on the value column) -> clause on the searched table's rows
KeyedFilter = Callable[[str, Callable[[Any], ColumnElement[bool]]], ColumnElement[bool]]


def where(
    expr: Expr | None,
    attributes: Mapping[str, Any],
    keyed: Mapping[str, KeyedFilter],
    dialect: str,
) -> ColumnElement[bool]:
    """The WHERE clause of a parsed filter (``true()`` for none)."""
    if expr is None:
        return true()
    if isinstance(expr, Comparison):
        ident = expr.identifier
        if ident.kind == "attribute":
            return compare(attributes[ident.key], expr.op, expr.value, dialect)
        if expr.op in _NEGATED:
            # MLflow's registry keeps rows without the key for != and NOT IN (its client
            # sends `tag.mlflow.prompt.is_prompt != 'true'` with every model search).
            positive = _NEGATED[expr.op]
            return ~keyed[ident.kind](
                ident.key, lambda column: compare(column, positive, expr.value, dialect)
            )
        return keyed[ident.kind](
            ident.key, lambda column: compare(column, expr.op, expr.value, dialect)
        )
    parts = [where(item, attributes, keyed, dialect) for item in expr.items]
    return and_(*parts) if isinstance(expr, And) else or_(*parts)


@dataclass(frozen=True, slots=True)
class Sort:
    column: Any  # NOT NULL columns only: keyset comparisons need no NULL handling
    ascending: bool
    numeric: bool


def sorts_for(
    keys: Sequence[OrderKey], columns: Mapping[str, Any], numeric: set[str]
) -> list[Sort]:
    return [Sort(columns[k.identifier.key], k.ascending, k.identifier.key in numeric) for k in keys]


def order_by(sorts: Sequence[Sort], tiebreak: Any) -> list[Any]:
    return [s.column.asc() if s.ascending else s.column.desc() for s in sorts] + [tiebreak.asc()]


def after(
    sorts: Sequence[Sort], tiebreak: Any, values: Sequence[Any], last_id: Any
) -> ColumnElement[bool]:
    """Rows strictly after the row with these sort values and tiebreak id."""
    clauses = []
    for i, sort in enumerate([*sorts, Sort(tiebreak, True, False)]):
        value = values[i] if i < len(sorts) else last_id
        equal = [s.column == values[j] for j, s in enumerate(sorts[:i])]
        beyond = sort.column > value if sort.ascending else sort.column < value
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


def decode(
    token: str, fingerprint: str, sorts: Sequence[Sort], id_type: type
) -> tuple[list[Any], Any]:
    values, last_id = decode_token(token, fingerprint, len(sorts))
    for sort, value in zip(sorts, values, strict=True):
        wanted: type = int if sort.numeric else str
        if type(value) is not wanted:
            raise InvalidParameter("page_token is not a valid page token", field="page_token")
    if type(last_id) is not id_type:
        raise InvalidParameter("page_token is not a valid page token", field="page_token")
    return values, last_id


def encode(row: Any, sorts: Sequence[Sort], tiebreak: Any, fingerprint: str) -> str:
    """The token of the page after ``row`` (whose select holds every sort column)."""
    mapping = row._mapping
    return encode_token([mapping[s.column] for s in sorts], mapping[tiebreak], fingerprint)


def read_page(
    database: Database,
    statement: Any,
    sorts: list[Sort],
    tiebreak: Any,
    id_type: type,
    query_fp: str,
    max_results: int,
    page_token: str | None,
    build: Callable[[Connection, Sequence[Any]], list[T]],
) -> Page[T]:
    """One keyset page of ``statement``'s rows, as entities ``build`` makes in the same
    unit of work (tags and the like are read with them)."""
    if page_token:
        values, last_id = decode(page_token, query_fp, sorts, id_type)
        statement = statement.where(after(sorts, tiebreak, values, last_id))
    statement = statement.order_by(*order_by(sorts, tiebreak)).limit(max_results + 1)
    with database.read() as conn:
        rows = conn.execute(statement).all()
        page = rows[:max_results]
        items = build(conn, page)
    token = None
    if len(rows) > max_results:
        token = encode(page[-1], sorts, tiebreak, query_fp)
    return Page(items, token)
