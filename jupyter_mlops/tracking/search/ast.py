"""The abstract syntax of run filters and orderings.

Filter text such as ``metrics.loss < 0.3 AND (params.opt = 'adam' OR tags.team = 'ds')``
parses into these nodes; the store compiles them to SQL. Nodes are immutable and validated
at parse time, so a compiler may trust them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["metric", "param", "tag", "attribute"]
Aggregate = Literal["last", "min", "max"]
Operator = Literal["=", "!=", "<", "<=", ">", ">=", "LIKE", "ILIKE", "IN", "NOT IN"]
Value = str | float | int | tuple[str, ...]

# Attribute name -> value type. Aliases (user_id, created, "run name", experiment_name, ...)
# are resolved by the parser to these canonical names.
ATTRIBUTES: dict[str, Literal["string", "number"]] = {
    "run_id": "string",
    "run_name": "string",
    "status": "string",
    "user": "string",
    "experiment_id": "string",
    "experiment": "string",  # the experiment's name
    "lifecycle_stage": "string",
    "parent_run_id": "string",
    "start_time": "number",
    "end_time": "number",
}


@dataclass(frozen=True, slots=True)
class Identifier:
    """``metrics.loss``, ``min(metrics.loss)``, ``params.lr``, ``tags.team``, ``attributes.status``.

    ``aggregate`` applies to metrics only: ``last`` (the default) is the latest value,
    ``min``/``max`` the extremes over the whole history.
    """

    kind: Kind
    key: str
    aggregate: Aggregate = "last"


@dataclass(frozen=True, slots=True)
class Comparison:
    """``identifier op value``. For IN / NOT IN ``value`` is a tuple of strings.

    Metrics and number attributes compare with numbers; params, tags and string
    attributes with strings. A comparison on a param, tag or metric matches only runs
    that have that key (as in MLflow: ``params.x != 'a'`` skips runs without ``x``).
    """

    identifier: Identifier
    op: Operator
    value: Value


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Expr, ...]


Expr = Comparison | And | Or


@dataclass(frozen=True, slots=True)
class OrderKey:
    identifier: Identifier
    ascending: bool = True
