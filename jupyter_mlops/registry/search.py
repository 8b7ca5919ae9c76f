"""Filters and orderings of registry searches, parsed with the run-search grammar (pure).

Registered models, model versions and logged models are searched with MLflow's syntax,
e.g. ``name LIKE 'churn%' AND tags.team = 'ds'`` or ``run_id IN ('a', 'b')``. The text is
parsed by the same lark grammar as run filters (``tracking/search/filter.lark``) into the
same AST (:mod:`jupyter_mlops.tracking.search.ast`); what differs per search is the set
of attributes and key prefixes it accepts, given by a :class:`SearchSpec`. Problems raise
``InvalidParameter(field="filter")`` or ``field="order_by[i]"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any, Literal, cast

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput

from ..errors import InvalidParameter
from ..tracking.search.ast import And, Comparison, Expr, Identifier, Or, OrderKey

MAX_FILTER_LENGTH = 10_000
ValueType = Literal["string", "number"]

_NUMBER_OPS = ("=", "!=", "<", "<=", ">", ">=")
_STRING_OPS = ("=", "!=", "LIKE", "ILIKE", "IN", "NOT IN")


@dataclass(frozen=True, eq=False)  # hashed by identity: specs are module constants
class SearchSpec:
    """What one search accepts: attributes (canonical name -> type), spellings of them,
    key prefixes (``tags`` -> ``tag``) and the attributes it can order by."""

    what: str
    attributes: Mapping[str, ValueType]
    aliases: Mapping[str, str]
    prefixes: Mapping[str, Literal["tag", "param", "metric"]]
    orderable: tuple[str, ...]


REGISTERED_MODELS = SearchSpec(
    what="registered models",
    attributes={
        "name": "string",
        "owner": "string",
        "description": "string",
        "creation_timestamp": "number",
        "last_updated_timestamp": "number",
    },
    aliases={"timestamp": "last_updated_timestamp", "user_id": "owner"},
    prefixes={"tags": "tag", "tag": "tag"},
    orderable=("name", "creation_timestamp", "last_updated_timestamp"),
)

MODEL_VERSIONS = SearchSpec(
    what="model versions",
    attributes={
        "name": "string",
        "version_number": "number",
        "run_id": "string",
        "source_path": "string",
        "user_id": "string",
        "current_stage": "string",
        "status": "string",
        "model_id": "string",
        "creation_timestamp": "number",
        "last_updated_timestamp": "number",
    },
    aliases={
        "version": "version_number",
        "source": "source_path",
        "timestamp": "last_updated_timestamp",
    },
    prefixes={"tags": "tag", "tag": "tag"},
    orderable=("name", "version_number", "creation_timestamp", "last_updated_timestamp"),
)

LOGGED_MODELS = SearchSpec(
    what="logged models",
    attributes={
        "name": "string",
        "model_id": "string",
        "status": "string",
        "model_type": "string",
        "source_run_id": "string",
        "creation_timestamp": "number",
        "last_updated_timestamp": "number",
    },
    aliases={"creation_time": "creation_timestamp", "last_updated_time": "last_updated_timestamp"},
    prefixes={"tags": "tag", "tag": "tag", "params": "param", "param": "param"},
    orderable=("name", "creation_timestamp", "last_updated_timestamp"),
)

_ATTRIBUTE_PREFIXES = ("attributes", "attribute", "attr")

_PARSER = Lark(
    files("jupyter_mlops.tracking.search").joinpath("filter.lark").read_text("utf-8"),
    parser="lalr",
    lexer="contextual",
    start=["expression", "order_key"],
)


class _Problem(Exception):
    def __init__(self, message: str, token: Token | None) -> None:
        super().__init__(message)
        self.message = message
        self.pos = (token.start_pos or 0) if token is not None else None


def _unquote(raw: str) -> str:
    quote, body = raw[0], raw[1:-1]
    if quote == "`":
        return body
    return re.sub(r"\\([\\'\"`])|" + quote * 2, lambda m: m.group(1) or quote, body)


def _identifier(spec: SearchSpec, tree: Tree[Token]) -> tuple[Identifier, ValueType, str]:
    tokens = [c for c in tree.children if isinstance(c, Token)]
    if len(tokens) != 1:
        raise _Problem(f"functions such as min() do not apply to {spec.what}", tokens[0])
    token = tokens[0]
    raw = str(token)
    if raw.startswith("`"):
        prefix, key = "", raw[1:-1]
    else:
        prefix, dot, key = raw.partition(".")
        if not dot:
            prefix, key = "", raw
        elif token.type == "QUOTED_NAME":
            key = _unquote(key)
    lowered = prefix.lower()
    if lowered in spec.prefixes:
        if not key:
            raise _Problem(f"'{raw}' needs a key, e.g. {prefix}.team", token)
        return Identifier(spec.prefixes[lowered], key), "string", raw
    if prefix and lowered not in _ATTRIBUTE_PREFIXES:
        first = {kind: p for p, kind in reversed(list(spec.prefixes.items()))}
        valid = ", ".join(f"{p}.KEY" for p in reversed(list(first.values())))
        raise _Problem(f"unknown identifier '{raw}' (use {valid} or an attribute)", token)
    name = spec.aliases.get(key.lower(), key.lower())
    if name not in spec.attributes:
        valid = ", ".join(spec.attributes)
        raise _Problem(f"unknown attribute '{key}' of {spec.what} (valid: {valid})", token)
    return Identifier("attribute", name), spec.attributes[name], raw


def _operator(value_type: ValueType, text: str, token: Token) -> str:
    op = " ".join(str(token).upper().split())
    op = "=" if op == "==" else op
    allowed = _NUMBER_OPS if value_type == "number" else _STRING_OPS
    if op not in allowed:
        shown = op if op[0].isalpha() else f"'{op}'"
        raise _Problem(f"{text} does not support {shown} (use {', '.join(allowed)})", token)
    return op


def _expr(spec: SearchSpec, node: Tree[Token]) -> Expr:
    if node.data in ("disjunction", "conjunction"):
        items = tuple(_expr(spec, cast(Tree[Token], child)) for child in node.children)
        return Or(items) if node.data == "disjunction" else And(items)
    children = node.children
    identifier, value_type, text = _identifier(spec, cast(Tree[Token], children[0]))
    op = _operator(value_type, text, cast(Token, children[1]))
    if node.data == "membership":
        values = tuple(_unquote(str(v)) for v in children[2:])
        return Comparison(identifier, cast(Any, op), values)
    value = cast(Token, children[2])
    if value_type == "number":
        if value.type != "NUMBER":
            raise _Problem(f"{text} needs a number, got the string {value}", value)
        number: float | int = float(value) if any(c in value for c in ".eE") else int(value)
        return Comparison(identifier, cast(Any, op), number)
    if value.type != "STRING":
        raise _Problem(f"{text} needs a quoted string, got {value} (write '{value}')", value)
    return Comparison(identifier, cast(Any, op), _unquote(str(value)))


def _column(text: str, pos: int) -> int:
    return pos - (text.rfind("\n", 0, pos) + 1) + 1


def _parse(text: str, start: str, field: str) -> Tree[Token]:
    if len(text) > MAX_FILTER_LENGTH:
        raise InvalidParameter(
            f"Invalid {field}: longer than {MAX_FILTER_LENGTH} characters", field=field
        )
    try:
        return _PARSER.parse(text, start=start)
    except UnexpectedCharacters as error:
        pos = error.pos_in_stream or 0
        message = f"unexpected character {text[pos]!r} at column {_column(text, pos)}"
    except UnexpectedInput as error:
        token = getattr(error, "token", None)
        if token is None or token.type == "$END":
            message = "it ends too early (an incomplete comparison?)"
        else:
            where = _column(text, token.start_pos or 0)
            message = f"unexpected {str(token)!r} at column {where}"
            if token.type == "NAME":
                message += f" (quote strings: '{token}')"
    except LarkError as error:  # not expected from an LALR parse; never escape raw
        message = f"could not parse it ({type(error).__name__})"
    raise InvalidParameter(f"Invalid {field}: {message}.", field=field)


@lru_cache(maxsize=256)
def parse_filter(spec: SearchSpec, text: str | None) -> Expr | None:
    """The AST of a registry filter; None for no (or blank) filter."""
    if text is None or not text.strip():
        return None
    if not isinstance(text, str):
        raise InvalidParameter("filter must be a string", field="filter")
    tree = _parse(text, "expression", "filter")
    try:
        return _expr(spec, tree)
    except _Problem as problem:
        where = "" if problem.pos is None else f" at column {_column(text, problem.pos)}"
        raise InvalidParameter(
            f"Invalid filter{where}: {problem.message}.", field="filter"
        ) from None


def parse_order_by(spec: SearchSpec, items: Sequence[str] | None) -> list[OrderKey]:
    """Order keys such as ``name``, ``version_number DESC``; only ``spec.orderable``."""
    if isinstance(items, str):
        items = [items]
    keys: list[OrderKey] = []
    for index, item in enumerate(items or ()):
        field = f"order_by[{index}]"
        if not isinstance(item, str) or not item.strip():
            raise InvalidParameter(f"Invalid {field}: expected e.g. 'name ASC'", field=field)
        tree = _parse(item, "order_key", field)
        try:
            identifier, _, text = _identifier(spec, cast(Tree[Token], tree.children[0]))
        except _Problem as problem:
            raise InvalidParameter(f"Invalid {field}: {problem.message}.", field=field) from None
        if identifier.kind != "attribute" or identifier.key not in spec.orderable:
            allowed = ", ".join(spec.orderable)
            raise InvalidParameter(
                f"Invalid {field}: {spec.what} cannot be ordered by {text} (use {allowed})",
                field=field,
            )
        direction = tree.children[1:] if len(tree.children) > 1 else []
        ascending = not direction or str(direction[0]).lower() == "asc"
        keys.append(OrderKey(identifier, ascending))
    return keys
