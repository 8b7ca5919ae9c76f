"""Parse run filter text and order_by items into the AST of :mod:`.ast`.

The grammar (``filter.lark``) only shapes the text; this module resolves identifiers,
checks operators and value types, and turns every problem into an ``InvalidParameter``
that says what is wrong and at which column.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from contextlib import suppress
from importlib.resources import files
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput

from ...errors import InvalidParameter
from .ast import ATTRIBUTES, And, Comparison, Expr, Identifier, Or, OrderKey

if TYPE_CHECKING:
    from .ast import Aggregate, Kind, Operator

MAX_FILTER_LENGTH = 10_000
# The store compiles the AST recursively; a bound keeps it far from Python's recursion limit.
MAX_NESTING = 50

_PREFIXES: dict[str, Kind] = {
    **dict.fromkeys(("metrics", "metric"), "metric"),
    **dict.fromkeys(("params", "param", "parameters", "parameter"), "param"),
    **dict.fromkeys(("tags", "tag"), "tag"),
    **dict.fromkeys(("attributes", "attribute", "attr", "run"), "attribute"),
}
_ALIASES = {name: name for name in ATTRIBUTES} | {
    "run name": "run_name",
    "user_id": "user",
    "experiment_name": "experiment",
    "created": "start_time",
}
_NUMBER_OPS = ("=", "!=", "<", "<=", ">", ">=")
_STRING_OPS = ("=", "!=", "LIKE", "ILIKE", "IN", "NOT IN")
# What a set of acceptable terminals means to a user: the first one found in the set decides.
_EXPECTATIONS = {
    "NAME": "an identifier such as metrics.loss, params.lr, tags.team or status",
    "OPERATOR": "a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN)",
    "NUMBER": "a value (a number or a quoted string)",
    "_COMMA": "',' or ')'",
    "STRING": "a quoted string",
    "DIRECTION": "ASC, DESC or the end",
    "_LPAR": "'('",
    "_RPAR": "')'",
    "$END": "the end",
}


class _Problem(Exception):
    """A semantic error found while building the AST, pointing at ``token`` where known."""

    def __init__(self, message: str, token: Token | None) -> None:
        super().__init__(message)
        self.message, self.pos = message, (token.start_pos or 0) if token else None


class _Ident(NamedTuple):
    identifier: Identifier
    text: str  # as the user wrote it, for messages

    @property
    def numeric(self) -> bool:
        kind, key = self.identifier.kind, self.identifier.key
        return kind == "metric" or (kind == "attribute" and ATTRIBUTES[key] == "number")


def _unquote(raw: str) -> str:
    quote, body = raw[0], raw[1:-1]
    if quote == "`":
        return body
    return re.sub(r"\\([\\'\"`])|" + quote * 2, lambda m: m.group(1) or quote, body)


def _resolve(token: Token) -> Identifier:
    """``metrics.val.loss`` -> metric ``val.loss``; a bare (or backquoted) name is an attribute."""
    raw = str(token)
    if raw[0] == "`":
        prefix, key = "", raw[1:-1]
    else:
        prefix, dot, key = raw.partition(".")
        if not dot:
            prefix, key = "", raw
        elif token.type == "QUOTED_NAME":
            key = _unquote(key)
    if prefix and prefix.lower() not in _PREFIXES:
        hint = "use metrics.KEY, params.KEY, tags.KEY or an attribute"
        raise _Problem(f"unknown identifier '{raw}' ({hint})", token)
    if not key or (not prefix and key.lower() in _PREFIXES):
        raise _Problem(f"'{raw}' needs a key, e.g. {key or prefix}.loss", token)
    kind = _PREFIXES[prefix.lower()] if prefix else "attribute"
    if kind != "attribute":
        return Identifier(kind, key)
    if key.lower() not in _ALIASES:
        raise _Problem(f"unknown attribute '{key}' (valid: {', '.join(ATTRIBUTES)})", token)
    return Identifier("attribute", _ALIASES[key.lower()])


def _operator(ident: _Ident, token: Token) -> Operator:
    op = " ".join(str(token).upper().split())  # `not   in` -> `NOT IN`
    op = "=" if op == "==" else op
    allowed = _NUMBER_OPS if ident.numeric else _STRING_OPS
    if op in allowed:
        return cast("Operator", op)
    shown = op if op[0].isalpha() else f"'{op}'"
    raise _Problem(f"{ident.text} does not support {shown} (use {', '.join(allowed)})", token)


def _combine(kind: type[And] | type[Or], items: list[Expr]) -> And | Or:
    node = kind(tuple(i for item in items for i in (item.items if type(item) is kind else (item,))))
    depth, level = 0, [cast("Expr", node)]  # iterative: the depth is what we bound
    while level := [i for n in level if not isinstance(n, Comparison) for i in n.items]:
        depth += 1
    if depth > MAX_NESTING:
        raise _Problem(f"AND/OR nested more than {MAX_NESTING} levels deep", None)
    return node


class _ToAst(Transformer[Token, Any]):
    """Callbacks the LALR parser calls as it reduces each rule (no parse tree is built)."""

    def disjunction(self, items: list[Expr]) -> And | Or:
        return _combine(Or, items)

    def conjunction(self, items: list[Expr]) -> And | Or:
        return _combine(And, items)

    def ident(self, tokens: list[Token]) -> _Ident:
        *aggregate, name = tokens
        identifier = _resolve(name)
        if not aggregate:
            return _Ident(identifier, str(name))
        function = cast("Aggregate", str(aggregate[0]).rstrip("( \t\r\n").lower())
        if identifier.kind != "metric":
            raise _Problem(f"{function}() applies to metrics only, not {name}", aggregate[0])
        return _Ident(Identifier("metric", identifier.key, function), f"{function}({name})")

    def comparison(self, children: list[Any]) -> Comparison:
        ident, op_token, value = children
        op = _operator(ident, op_token)
        if ident.numeric and value.type == "STRING":
            raise _Problem(f"{ident.text} needs a number, got the string {value}", value)
        if ident.numeric:
            number = float(value) if any(c in value for c in ".eE") else int(value)
            return Comparison(ident.identifier, op, number)
        if value.type == "NUMBER":
            message = f"{ident.text} needs a quoted string, got the number {value}"
            raise _Problem(f"{message} (write '{value}')", value)
        return Comparison(ident.identifier, op, _string(ident, value))

    def membership(self, children: list[Any]) -> Comparison:
        ident, op_token, *values = children
        op = _operator(ident, op_token)
        return Comparison(ident.identifier, op, tuple(_string(ident, v) for v in values))

    def order_key(self, children: list[Any]) -> OrderKey:
        ident, *direction = children
        return OrderKey(ident.identifier, not direction or str(direction[0]).lower() == "asc")


def _string(ident: _Ident, token: Token) -> str:
    value = _unquote(str(token))
    # Statuses are stored upper-case; MLflow users write `status = 'finished'` too.
    return value.upper() if ident.identifier == Identifier("attribute", "status") else value


_PARSER = Lark(
    files(__name__.rpartition(".")[0]).joinpath("filter.lark").read_text("utf-8"),
    parser="lalr",
    lexer="contextual",
    start=["expression", "order_key"],
    transformer=_ToAst(),
)


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"column {column}" if line == 1 else f"line {line}, column {column}"


def _shown(token: Token) -> str:
    text = str(token) if len(token) <= 40 else f"{str(token)[:37]}..."
    return text if text[0] in "'\"`" else f"'{text}'"


def _expected(error: UnexpectedInput, fallback: set[str]) -> str:
    # LALR merges lookaheads, so an error's own expected set can list tokens that are not
    # acceptable there (')' with no '(' open); asking the parser is exact.
    terminals = fallback
    with suppress(LarkError, _Problem):
        terminals = set(error.interactive_parser.accepts())
    if "_AND" in terminals:
        return "AND, OR or ')'" if "_RPAR" in terminals else "AND, OR or the end"
    phrases = [phrase for name, phrase in _EXPECTATIONS.items() if name in terminals]
    return phrases[0] if phrases else ", ".join(sorted(terminals))


def _previous_token(text: str, pos: int, start: str) -> Token | None:
    """The last token before ``pos``, by re-lexing the prefix that parsed fine (error path only)."""
    tokens: list[Token] = []
    with suppress(LarkError, _Problem):
        tokens.extend(_PARSER.parse_interactive(text[:pos], start).iter_parse())
    return tokens[-1] if tokens else None


def _describe(error: UnexpectedInput, text: str, start: str) -> tuple[str, int]:
    """A user's message for a lark error, and the offset it points at."""
    if isinstance(error, UnexpectedCharacters):
        pos = error.pos_in_stream or 0
        if text[pos] in "'\"`":
            return f"unterminated quoted string starting with {text[pos]}", pos
        expected = _expected(error, set(error.allowed or ()))
        return f"unexpected character '{text[pos]}', expected {expected}", pos
    token: Token | None = getattr(error, "token", None)
    if token is None or token.type == "$END":
        token, pos = None, len(text.rstrip())
        got = f"the end of the {'filter' if start == 'expression' else 'item'}"
    else:
        got, pos = _shown(token), token.start_pos or 0
    expected = _expected(error, set(getattr(error, "expected", None) or ()))
    previous = _previous_token(text, pos, start)
    after = f" after {_shown(previous)}" if previous else ""
    message = f"expected {expected}{after}, got {got}"
    if token is not None and token.type == "NAME" and expected.startswith("a value"):
        message += f" (quote strings: '{token}')"
    return message, pos


@functools.lru_cache(maxsize=512)
def _parse(text: str, start: str, field: str) -> Any:
    # Cached: the trees are immutable, and clients send the same filter again and again
    # (paging, a panel polling a view); parsing is most of a small search's cost.
    # Errors are not cached (lru_cache keeps only returned values).
    if len(text) > MAX_FILTER_LENGTH:
        too_long = f"{len(text)} characters is too long (at most {MAX_FILTER_LENGTH})"
        raise InvalidParameter(f"Invalid {field}: {too_long}.", field=field)
    try:
        return _PARSER.parse(text, start=start)
    except _Problem as problem:
        message, pos = problem.message, problem.pos
    except UnexpectedInput as error:
        message, pos = _describe(error, text, start)
    except LarkError as error:  # not expected from an LALR parse; never let it escape raw
        message, pos = f"could not parse it ({type(error).__name__})", None
    where = "" if pos is None else f" at {_where(text, pos)}"
    raise InvalidParameter(f"Invalid {field}{where}: {message}.", field=field)


def parse_filter(text: str | None) -> Expr | None:
    """Parse a run filter such as ``metrics.loss < 0.3 AND params.opt = 'adam'``.

    Returns ``None`` for ``None`` or blank text, a :class:`Comparison` for a single
    comparison, else an :class:`And` / :class:`Or` tree (same-kind nesting flattened).
    Raises ``InvalidParameter(field="filter")`` naming the problem and its column.
    """
    if text is None or not text.strip():
        return None
    return cast("Expr", _parse(text, "expression", "filter"))


def parse_order_by(items: Sequence[str] | None) -> list[OrderKey]:
    """Parse order_by items: ``metrics.loss``, ``min(metrics.loss) ASC``, ``start_time DESC``.

    Ascending unless ``DESC`` is given. Raises ``InvalidParameter(field="order_by[i]")``.
    """
    if isinstance(items, str):  # one item passed bare rather than in a list
        items = [items]
    keys: list[OrderKey] = []
    for index, item in enumerate(items or ()):
        field = f"order_by[{index}]"
        if not isinstance(item, str) or not item.strip():
            message = f"expected an identifier such as 'metrics.loss DESC', got {item!r}"
            raise InvalidParameter(f"Invalid {field}: {message}.", field=field)
        keys.append(_parse(item, "order_key", field))
    return keys
