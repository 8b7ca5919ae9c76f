"""Compile run filters and orderings (the search AST) to SQL, with keyset paging.

A comparison on a metric, param or tag becomes ``runs.run_id IN (SELECT run_id FROM
<table> WHERE key = :k AND <column> <op> :v)``: the (key, value) indexes find the
matching runs and no history is scanned. Sort keys on metrics, params and tags are
LEFT OUTER JOINs, one per key, so runs missing a key are kept and sorted last.

Pattern matching means the same on both databases: LIKE is case-sensitive (GLOB on
SQLite, whose LIKE ignores case), ILIKE ignores case, ``%``/``_`` are the only wildcards
and there is no escape character.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    String,
    Table,
    and_,
    cast,
    false,
    func,
    or_,
    select,
)

from ...database.comparisons import compare
from ...errors import InvalidParameter
from ..search import parse_filter, parse_order_by
from ..search.ast import And, Comparison, Expr, Identifier, Or, OrderKey
from . import models
from .convert import RUN_COLUMNS

_runs = models.runs
_exp = models.experiments
_latest = models.latest_metrics
_params = models.params
_tags = models.tags

_METRIC_COLUMNS = {"last": "value", "min": "min_value", "max": "max_value"}
_ATTRIBUTE_COLUMNS = {
    "run_id": _runs.c.run_id,
    "run_name": _runs.c.name,
    "status": _runs.c.status,
    "user": _runs.c.user_id,
    "lifecycle_stage": _runs.c.lifecycle_stage,
    "parent_run_id": _runs.c.parent_run_id,
    "start_time": _runs.c.start_time,
    "end_time": _runs.c.end_time,
}
DEFAULT_ORDER = (OrderKey(Identifier("attribute", "start_time"), ascending=False),)


class DensityCache:
    """Answers of the density probe, per filter term, reused while they cannot be wrong.

    The probe is a query of its own, as costly as a small search, and a UI refreshing a
    search or paging through it asks the same question again and again. Rows are only
    added to the key tables (runs are soft-deleted), so a "dense" answer stays right; a
    "sparse" one (``n`` matching rows) stays right while fewer than ``dense_rows - n``
    rows were added since, which ``max(rowid)`` of the table tells at the cost of one
    index seek. (Tag deletes can only make a dense term sparse: a plan choice, never
    a result, so that staleness is harmless.)
    """

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._entries: dict[Hashable, tuple[int, int]] = {}  # term -> (matches, max rowid)
        self._lock = threading.Lock()

    def get(self, term: Hashable, max_rowid: int, dense_rows: int) -> bool | None:
        entry = self._entries.get(term)
        if entry is None:
            return None
        matches, rowid = entry
        if matches >= dense_rows:
            return True
        if matches + (max_rowid - rowid) < dense_rows:
            return False
        return None

    def put(self, term: Hashable, matches: int, max_rowid: int) -> None:
        with self._lock:
            if len(self._entries) >= self._size:
                self._entries.clear()  # rare; a simple bound beats LRU bookkeeping here
            self._entries[term] = (matches, max_rowid)


# Filters and orderings repeat (UI refreshes, pages of one search); parsing them with the
# grammar costs more than running a small search. The ASTs are immutable, so share them.
_parse_filter = lru_cache(maxsize=256)(parse_filter)


def _parse_order_by(order_by: Sequence[str] | None) -> list[OrderKey]:
    return list(_parse_order_by_cached(tuple(order_by) if order_by else None))


@lru_cache(maxsize=256)
def _parse_order_by_cached(order_by: tuple[str, ...] | None) -> tuple[OrderKey, ...]:
    return tuple(parse_order_by(order_by))


def max_rowid_sql(table_name: str) -> str:
    # Names come from our own models, never from the filter text.
    return f"SELECT max(rowid) FROM {table_name}"


class _Compiler:
    """Turns AST nodes into SQL expressions for one dialect.

    SQLite plans ``run_id IN (subquery)`` by building the subquery's run list first,
    which is quick for selective terms but slow for terms most runs match, where a
    correlated EXISTS probed while walking runs in sort order fills a page almost at
    once. With a connection to ask (page queries on SQLite), each top-level AND term on
    a metric, param or tag is probed with a bounded count and compiled accordingly.
    """

    def __init__(
        self,
        dialect: str,
        probe: Connection | None = None,
        dense_rows: int = 1000,
        density: DensityCache | None = None,
    ) -> None:
        self.dialect = dialect
        self.probe = probe if dialect == "sqlite" else None
        self.dense_rows = dense_rows  # a term matching at least this many rows is "dense"
        self.density = density
        # Each density answer the compiled SQL depends on: (term, table, dense?).
        self.consulted: list[tuple[Hashable, str, bool]] = []

    def where(self, expr: Expr, top: bool = True) -> ColumnElement[bool]:
        if isinstance(expr, And):
            return and_(*(self.where(item, top) for item in expr.items))
        if isinstance(expr, Or):
            return or_(*(self.where(item, False) for item in expr.items))
        return self.comparison(expr, top)

    def comparison(self, cmp: Comparison, top: bool = False) -> ColumnElement[bool]:
        ident = cmp.identifier
        if ident.kind == "attribute":
            return self.attribute(cmp)
        table = {"metric": _latest, "param": _params, "tag": _tags}[ident.kind]
        column = table.c[_METRIC_COLUMNS[ident.aggregate] if ident.kind == "metric" else "value"]
        condition = and_(table.c.key == ident.key, self.compare(column, cmp.op, cmp.value))
        matching = select(table.c.run_id).where(condition)
        if top and self._is_dense(matching, table, (ident, cmp.op, repr(cmp.value))):
            return (
                select(table.c.run_id).where(table.c.run_id == _runs.c.run_id, condition).exists()
            )
        return _runs.c.run_id.in_(matching)

    def _is_dense(self, matching: Select[Any], table: Table, term: Hashable) -> bool:
        if self.probe is None:
            return False
        dense = self._probe_density(matching, table, term)
        self.consulted.append((term, table.name, dense))
        return dense

    def _probe_density(self, matching: Select[Any], table: Table, term: Hashable) -> bool:
        assert self.probe is not None
        max_rowid = 0
        if self.density is not None:
            max_rowid = self.probe.exec_driver_sql(max_rowid_sql(table.name)).scalar() or 0
            known = self.density.get(term, max_rowid, self.dense_rows)
            if known is not None:
                return known
        bounded = select(func.count()).select_from(matching.limit(self.dense_rows).subquery())
        matches = int(self.probe.execute(bounded).scalar_one())
        if self.density is not None:
            self.density.put(term, matches, max_rowid)
        return matches >= self.dense_rows

    def attribute(self, cmp: Comparison) -> ColumnElement[bool]:
        key = cmp.identifier.key
        if key == "experiment":
            named = select(_exp.c.experiment_id).where(self.compare(_exp.c.name, cmp.op, cmp.value))
            return _runs.c.experiment_id.in_(named)
        if key == "experiment_id":
            # Experiment ids are strings to users and integers in the table.
            return self.compare(cast(_runs.c.experiment_id, String), cmp.op, cmp.value)
        return self.compare(_ATTRIBUTE_COLUMNS[key], cmp.op, cmp.value)

    def compare(self, column: Any, op: str, value: Any) -> ColumnElement[bool]:
        return compare(column, op, value, self.dialect)


@dataclass(frozen=True, slots=True)
class SortKey:
    column: ColumnElement[Any]
    ascending: bool
    numeric: bool
    nullable: bool  # runs may miss this key (metrics, params, tags, end_time, parent)

    def ordering(self) -> ColumnElement[Any]:
        ordered = self.column.asc() if self.ascending else self.column.desc()
        # Missing values last in both directions (NOT NULL columns need no clause).
        return ordered.nulls_last() if self.nullable else ordered

    def after(self, value: Any) -> ColumnElement[bool]:
        """Rows strictly after ``value`` in this key's order (missing values come last)."""
        if value is None:
            return false()
        beyond = self.column > value if self.ascending else self.column < value
        return or_(beyond, self.column.is_(None)) if self.nullable else beyond

    def equal(self, value: Any) -> ColumnElement[bool]:
        return self.column.is_(None) if value is None else self.column == value


@dataclass
class RunSearch:
    """One run query: base conditions, compiled filter, sort keys and their joins."""

    conditions: list[ColumnElement[bool]]
    sort_keys: list[SortKey]
    source: FromClause
    # The density answers the conditions were compiled with (see _Compiler).
    consulted: tuple[tuple[Hashable, str, bool], ...] = ()
    # When the first sort key is a metric, param or tag: the source with that key's
    # outer join made inner, and the filter's own conditions on that key restated on the
    # sort column, so that the index walk starts where they start (see page_queries).
    values_source: FromClause | None = None
    values_conditions: tuple[ColumnElement[bool], ...] = ()

    @classmethod
    def build(
        cls,
        dialect: str,
        experiment_ids: Sequence[str],
        filter_string: str | None,
        stages: Sequence[str],
        order_by: Sequence[str] | None,
        probe: Connection | None = None,
        dense_rows: int = 1000,
        density: DensityCache | None = None,
    ) -> RunSearch:
        """Compile a search; ``probe`` (the unit of work's connection) tunes page queries."""
        conditions: list[ColumnElement[bool]] = [
            _runs.c.lifecycle_stage == stages[0]
            if len(stages) == 1
            else _runs.c.lifecycle_stage.in_(stages)
        ]
        if experiment_ids:
            conditions.append(_runs.c.experiment_id.in_(_experiment_ids(experiment_ids)))
        expr = _parse_filter(filter_string)
        consulted: tuple[tuple[Hashable, str, bool], ...] = ()
        compiler = _Compiler(dialect, probe, dense_rows, density)
        if expr is not None:
            conditions.append(compiler.where(expr))
            consulted = tuple(compiler.consulted)
        source: FromClause = _runs
        values_source: FromClause | None = None
        values_conditions: tuple[ColumnElement[bool], ...] = ()
        sort_keys: list[SortKey] = []
        orders = _parse_order_by(order_by) or DEFAULT_ORDER
        for i, order in enumerate(orders):
            key, join = _sort_key(order, i)
            sort_keys.append(key)
            if join is None:
                continue
            if join.outer:
                # The first key's inner-joined twin; later keys join both alike.
                if i == 0:
                    values_source = source.join(join.target, join.on)
                elif values_source is not None:
                    values_source = values_source.outerjoin(join.target, join.on)
                source = source.outerjoin(join.target, join.on)
            else:
                source = source.join(join.target, join.on)
                if values_source is not None:
                    values_source = values_source.join(join.target, join.on)
        if values_source is not None:
            column = sort_keys[0].column
            values_conditions = tuple(
                compiler.compare(column, term.op, term.value)
                for term in _top_level_terms(expr)
                if term.identifier == orders[0].identifier
            )
        return cls(conditions, sort_keys, source, consulted, values_source, values_conditions)

    def page_queries(self, after: tuple[list[Any], str] | None, limit: int) -> list[Select[Any]]:
        """The queries that fill a page, run in order until ``limit`` rows are in.

        Sorting by a metric, param or tag joins its table; runs without the key (or with
        NaN) come last. As one outer-joined query, the database must sort every run of
        the experiments before it returns the first page. In two phases it need not:
        first the runs that have a value, read from the (key, value) index in order and
        stopped at ``limit``; then, only if the page is not full yet, the runs without.
        """
        if self.values_source is None:
            return [self.page_query(after, limit)]
        first = self.sort_keys[0].column
        missing = self._query(self.source, [first.is_(None)], limit)
        if after is not None and after[0][0] is None:  # the cursor is among the missing
            return [missing.where(*self._after(*after))]
        values = self._query(
            self.values_source, [first.is_not(None), *self.values_conditions], limit
        )
        if after is not None:
            values = values.where(*self._after(*after, first_present=True))
        return [values, missing]

    def _query(
        self, source: FromClause, extra: list[ColumnElement[bool]], limit: int
    ) -> Select[Any]:
        sort_columns = [k.column.label(f"sort_{i}") for i, k in enumerate(self.sort_keys)]
        query = select(*RUN_COLUMNS, *sort_columns).select_from(source)
        query = query.where(*self.conditions, *extra)
        order = [k.ordering() for k in self.sort_keys]
        return query.order_by(*order, _runs.c.run_id.asc()).limit(limit)

    def page_query(self, after: tuple[list[Any], str] | None, limit: int) -> Select[Any]:
        """The page's rows: run columns followed by the sort values (for the next token)."""
        sort_columns = [k.column.label(f"sort_{i}") for i, k in enumerate(self.sort_keys)]
        query = select(*RUN_COLUMNS, *sort_columns).select_from(self.source).where(*self.conditions)
        if after is not None:
            query = query.where(*self._after(*after))
        order = [k.ordering() for k in self.sort_keys]
        return query.order_by(*order, _runs.c.run_id.asc()).limit(limit)

    def count_query(self) -> Select[Any]:
        return select(func.count()).select_from(_runs).where(*self.conditions)

    def cursor_values(self, row: Any) -> list[Any]:
        return list(row[len(RUN_COLUMNS) :])

    def check_cursor(self, values: Sequence[Any]) -> None:
        """Refuse token values of the wrong type (a hand-edited token) before SQL sees them."""
        for key, value in zip(self.sort_keys, values, strict=True):
            if value is None:
                ok = key.nullable
            elif key.numeric:
                ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            else:
                ok = isinstance(value, str)
            if not ok:
                raise InvalidParameter("page_token is not a valid page token", field="page_token")

    def _after(
        self, values: Sequence[Any], last_run_id: str, first_present: bool = False
    ) -> list[ColumnElement[bool]]:
        """Lexicographic "comes after the cursor" over (sort keys..., run_id).

        ``first_present``: the query only sees rows whose first sort value is not NULL,
        so a range on it is safe even for a nullable key.
        """
        predicate: ColumnElement[bool] = _runs.c.run_id > last_run_id
        for key, value in reversed(list(zip(self.sort_keys, values, strict=True))):
            predicate = or_(key.after(value), and_(key.equal(value), predicate))
        first, first_value = self.sort_keys[0], values[0]
        if (first.nullable and not first_present) or first_value is None:
            return [predicate]
        # A redundant range on the first key lets the database seek instead of filter.
        bound = first.column >= first_value if first.ascending else first.column <= first_value
        return [bound, predicate]


def _experiment_ids(experiment_ids: Sequence[str]) -> list[int]:
    ids = []
    for eid in experiment_ids:
        text = str(eid)
        if not text.isascii() or not text.isdigit() or len(text) > 18:
            raise InvalidParameter(f"Invalid experiment id {eid!r}", field="experiment_ids")
        ids.append(int(text))
    return ids


def _top_level_terms(expr: Expr | None) -> list[Comparison]:
    """The comparisons every matching run satisfies: the filter's top-level AND terms."""
    if expr is None:
        return []
    items = expr.items if isinstance(expr, And) else (expr,)
    return [item for item in items if isinstance(item, Comparison)]


@dataclass(frozen=True, slots=True)
class _Join:
    """What a sort key needs joined onto runs; ``outer`` keeps runs without the key."""

    target: FromClause
    on: ColumnElement[bool]
    outer: bool


def _sort_key(order: OrderKey, index: int) -> tuple[SortKey, _Join | None]:
    ident = order.identifier
    if ident.kind == "attribute":
        if ident.key == "experiment":
            exp = _exp.alias(f"sort_exp_{index}")
            join = _Join(exp, exp.c.experiment_id == _runs.c.experiment_id, outer=False)
            return SortKey(exp.c.name, order.ascending, False, False), join
        if ident.key == "experiment_id":
            return SortKey(_runs.c.experiment_id, order.ascending, True, False), None
        column = _ATTRIBUTE_COLUMNS[ident.key]
        numeric = ident.key in ("start_time", "end_time")
        return SortKey(column, order.ascending, numeric, bool(column.nullable)), None
    table = {"metric": _latest, "param": _params, "tag": _tags}[ident.kind]
    alias = table.alias(f"sort_{ident.kind}_{index}")
    join = _Join(alias, and_(alias.c.run_id == _runs.c.run_id, alias.c.key == ident.key), True)
    if ident.kind == "metric":
        column = alias.c[_METRIC_COLUMNS[ident.aggregate]]
        return SortKey(column, order.ascending, True, True), join
    return SortKey(alias.c.value, order.ascending, False, True), join


@dataclass(frozen=True, slots=True)
class CompiledPage:
    """A first-page query compiled to driver SQL, reusable while its density answers hold.

    Building and compiling the Core statement costs more than running it on a small
    experiment; the panel and paging clients repeat the same search, so the store keeps
    these per query (see ``SqlTrackingStore.search_runs``).
    """

    # Driver SQL and parameters of each query of the page, run in order (see page_queries).
    phases: tuple[tuple[str, tuple[Any, ...] | dict[str, Any]], ...]
    sort_key_count: int
    consulted: tuple[tuple[Hashable, str, bool], ...]

    @classmethod
    def of(
        cls, search: RunSearch, queries: Sequence[Select[Any]], conn: Connection
    ) -> CompiledPage:
        phases = []
        for query in queries:
            compiled = query.compile(
                dialect=conn.dialect, compile_kwargs={"render_postcompile": True}
            )
            params: tuple[Any, ...] | dict[str, Any]
            if compiled.positiontup is not None:
                params = tuple(compiled.params[name] for name in compiled.positiontup)
            else:
                params = dict(compiled.params)
            phases.append((compiled.string, params))
        return cls(tuple(phases), len(search.sort_keys), search.consulted)

    def rows(self, cursor: Any, limit: int) -> list[Any]:
        """Up to ``limit`` rows, running the phases in order until that many are in."""
        rows: list[Any] = []
        for sql, params in self.phases:
            cursor.execute(sql, params)
            rows.extend(cursor.fetchall())
            if len(rows) >= limit:
                return rows[:limit]
        return rows

    def still_valid(self, cursor: Any, density: DensityCache, dense_rows: int = 1000) -> bool:
        """Whether every density answer it was compiled with is still the answer."""
        for term, table, dense in self.consulted:
            cursor.execute(max_rowid_sql(table))
            max_rowid = cursor.fetchone()[0] or 0
            if density.get(term, max_rowid, dense_rows) is not dense:
                return False
        return True
