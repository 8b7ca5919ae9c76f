"""The run filter language: what users type, the AST it means, and the errors they read."""

from __future__ import annotations

import random
import re

import pytest

from jupyter_mlops.errors import InvalidParameter
from jupyter_mlops.tracking.search import (
    ATTRIBUTES,
    And,
    Comparison,
    Identifier,
    Or,
    OrderKey,
    parse_filter,
    parse_order_by,
)
from jupyter_mlops.tracking.search.parser import MAX_FILTER_LENGTH, MAX_NESTING


def metric(key: str, aggregate: str = "last") -> Identifier:
    return Identifier("metric", key, aggregate)  # type: ignore[arg-type]


def param(key: str) -> Identifier:
    return Identifier("param", key)


def tag(key: str) -> Identifier:
    return Identifier("tag", key)


def attr(name: str) -> Identifier:
    return Identifier("attribute", name)


def cmp(identifier: Identifier, op: str, value: object) -> Comparison:
    return Comparison(identifier, op, value)  # type: ignore[arg-type]


VALID = [
    # MLflow's documented examples parse unchanged.
    (
        "metrics.rmse < 1 and params.model = 'xgb'",
        And((cmp(metric("rmse"), "<", 1), cmp(param("model"), "=", "xgb"))),
    ),
    ("tags.\"mlflow.source.type\" = 'NOTEBOOK'", cmp(tag("mlflow.source.type"), "=", "NOTEBOOK")),
    ("attributes.run_id IN ('a', 'b')", cmp(attr("run_id"), "IN", ("a", "b"))),
    ("params.lr LIKE '0.0%'", cmp(param("lr"), "LIKE", "0.0%")),
    ("attributes.start_time > 1700000000000", cmp(attr("start_time"), ">", 1700000000000)),
    ("metrics.accuracy >= 0.9", cmp(metric("accuracy"), ">=", 0.9)),
    (
        "tags.`mlflow.source.name` ILIKE '%train%'",
        cmp(tag("mlflow.source.name"), "ILIKE", "%train%"),
    ),
    ('attributes.status = "FINISHED"', cmp(attr("status"), "=", "FINISHED")),
    ("attributes.run_name != 'baseline'", cmp(attr("run_name"), "!=", "baseline")),
    ("run_id NOT IN ('a')", cmp(attr("run_id"), "NOT IN", ("a",))),
    ("params.opt not  in ('sgd','adam')", cmp(param("opt"), "NOT IN", ("sgd", "adam"))),
    # Every prefix spelling.
    ("metric.loss = 1", cmp(metric("loss"), "=", 1)),
    ("param.lr = '1'", cmp(param("lr"), "=", "1")),
    ("parameters.lr = '1'", cmp(param("lr"), "=", "1")),
    ("parameter.lr = '1'", cmp(param("lr"), "=", "1")),
    ("tag.team = 'ds'", cmp(tag("team"), "=", "ds")),
    ("attribute.user = 'ann'", cmp(attr("user"), "=", "ann")),
    ("attr.user = 'ann'", cmp(attr("user"), "=", "ann")),
    ("run.user = 'ann'", cmp(attr("user"), "=", "ann")),
    # Attribute aliases resolve to the canonical names.
    ("user_id = 'ann'", cmp(attr("user"), "=", "ann")),
    ("created >= 5", cmp(attr("start_time"), ">=", 5)),
    ("experiment_name = 'exp'", cmp(attr("experiment"), "=", "exp")),
    ("attributes.`run name` = 'x'", cmp(attr("run_name"), "=", "x")),
    ("attributes.\"Run Name\" = 'x'", cmp(attr("run_name"), "=", "x")),
    ("`run name` = 'x'", cmp(attr("run_name"), "=", "x")),
    ("end_time < 9", cmp(attr("end_time"), "<", 9)),
    ("lifecycle_stage = 'active'", cmp(attr("lifecycle_stage"), "=", "active")),
    ("parent_run_id = 'p'", cmp(attr("parent_run_id"), "=", "p")),
    ("experiment_id IN ('1', '2')", cmp(attr("experiment_id"), "IN", ("1", "2"))),
    # Status values are upper-cased; other values are kept as written.
    ("status = 'finished'", cmp(attr("status"), "=", "FINISHED")),
    ("status IN ('running', 'Failed')", cmp(attr("status"), "IN", ("RUNNING", "FAILED"))),
    ("run_name = 'finished'", cmp(attr("run_name"), "=", "finished")),
    # Keys with dots, slashes, dashes and colons; quoted keys with spaces.
    ("metrics.val.loss < 1", cmp(metric("val.loss"), "<", 1)),
    ("tags.mlflow.runName = 'r'", cmp(tag("mlflow.runName"), "=", "r")),
    ("metrics.system/cpu_utilization > 50", cmp(metric("system/cpu_utilization"), ">", 50)),
    ("params.a-b:c = 'x'", cmp(param("a-b:c"), "=", "x")),
    ('metrics."f1 score" > 0.5', cmp(metric("f1 score"), ">", 0.5)),
    ("metrics.`f1 score` > 0.5", cmp(metric("f1 score"), ">", 0.5)),
    ('params."say \\"hi\\"" = \'x\'', cmp(param('say "hi"'), "=", "x")),
    # Numbers: ints stay ints; floats, exponents and signs.
    ("metrics.x = -3", cmp(metric("x"), "=", -3)),
    ("metrics.x = +3", cmp(metric("x"), "=", 3)),
    ("metrics.x = 1.5e-3", cmp(metric("x"), "=", 0.0015)),
    ("metrics.x = .5", cmp(metric("x"), "=", 0.5)),
    ("metrics.x = 2.", cmp(metric("x"), "=", 2.0)),
    ("metrics.x<-1", cmp(metric("x"), "<", -1)),
    # Strings: both quote styles, backslash and doubled-quote escapes, other backslashes kept.
    ("params.a = 'it''s'", cmp(param("a"), "=", "it's")),
    ("params.a = 'it\\'s'", cmp(param("a"), "=", "it's")),
    ('params.a = "say ""hi"""', cmp(param("a"), "=", 'say "hi"')),
    ('params.a = "it\'s"', cmp(param("a"), "=", "it's")),
    ("params.a = 'back\\\\slash'", cmp(param("a"), "=", "back\\slash")),
    ("params.a LIKE '100\\%'", cmp(param("a"), "LIKE", "100\\%")),
    ("params.a = ''", cmp(param("a"), "=", "")),
    ("params.a = 'AND b OR ('", cmp(param("a"), "=", "AND b OR (")),
    ("params.a = 'ünï cødé'", cmp(param("a"), "=", "ünï cødé")),
    # Operators and keywords are case-insensitive; `==` means `=`.
    ("metrics.x == 1", cmp(metric("x"), "=", 1)),
    (
        "params.a like 'x%' AND params.b ilike 'Y%'",
        And((cmp(param("a"), "LIKE", "x%"), cmp(param("b"), "ILIKE", "Y%"))),
    ),
    (
        "params.a in ('x') or params.b = 'y'",
        Or((cmp(param("a"), "IN", ("x",)), cmp(param("b"), "=", "y"))),
    ),
    # Aggregates over a metric's history (ours, not MLflow's).
    ("min(metrics.loss) < 0.2", cmp(metric("loss", "min"), "<", 0.2)),
    ("MAX( metrics.acc ) >= 0.9", cmp(metric("acc", "max"), ">=", 0.9)),
    ("last(metrics.loss) = 1", cmp(metric("loss"), "=", 1)),
    ('min(metrics."f1 score") > 0', cmp(metric("f1 score", "min"), ">", 0)),
    # Whitespace, including newlines, is free.
    ("\n  metrics.x\t>\n1  ", cmp(metric("x"), ">", 1)),
    ("metrics.x>1 AND params.y='z'", And((cmp(metric("x"), ">", 1), cmp(param("y"), "=", "z")))),
]


@pytest.mark.parametrize(("text", "expected"), VALID, ids=[text for text, _ in VALID])
def test_valid_filters_parse_to_their_ast(text: str, expected: object) -> None:
    assert parse_filter(text) == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [("metrics.x = 3", int), ("metrics.x = 3.0", float), ("metrics.x = 3e0", float),
     ("start_time > 1700000000000", int)],
)  # fmt: skip
def test_integers_stay_exact_and_decimals_are_floats(text: str, kind: type) -> None:
    # Equality alone cannot tell 3 from 3.0; epoch milliseconds must not round.
    comparison = parse_filter(text)
    assert isinstance(comparison, Comparison)
    assert type(comparison.value) is kind


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t"])
def test_no_filter_means_none(text: str | None) -> None:
    assert parse_filter(text) is None


A = cmp(metric("a"), "<", 1)
B = cmp(metric("b"), "<", 2)
C = cmp(metric("c"), "<", 3)
D = cmp(metric("d"), "<", 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("metrics.a < 1 OR metrics.b < 2 AND metrics.c < 3", Or((A, And((B, C))))),
        ("metrics.a < 1 AND metrics.b < 2 OR metrics.c < 3", Or((And((A, B)), C))),
        ("(metrics.a < 1 OR metrics.b < 2) AND metrics.c < 3", And((Or((A, B)), C))),
        ("metrics.a < 1 AND (metrics.b < 2 OR metrics.c < 3)", And((A, Or((B, C))))),
        # Same-kind nesting is flattened, whatever the parentheses.
        ("metrics.a < 1 AND metrics.b < 2 AND metrics.c < 3", And((A, B, C))),
        (
            "(metrics.a < 1 AND metrics.b < 2) AND (metrics.c < 3 AND metrics.d < 4)",
            And((A, B, C, D)),
        ),
        ("metrics.a < 1 OR (metrics.b < 2 OR (metrics.c < 3))", Or((A, B, C))),
        ("((((metrics.a < 1))))", A),
        (
            "(metrics.a < 1 OR metrics.b < 2) AND (metrics.c < 3 OR metrics.d < 4)",
            And((Or((A, B)), Or((C, D)))),
        ),
    ],
)
def test_and_binds_tighter_than_or_and_parentheses_group(text: str, expected: object) -> None:
    assert parse_filter(text) == expected


ORDER_BY = [
    ("min(metrics.loss) ASC", OrderKey(metric("loss", "min"), True)),
    ("max(metrics.acc) desc", OrderKey(metric("acc", "max"), False)),
    ("attributes.start_time DESC", OrderKey(attr("start_time"), False)),
    ("start_time DESC", OrderKey(attr("start_time"), False)),
    ("params.lr", OrderKey(param("lr"), True)),
    ("metrics.`f1 score` DESC", OrderKey(metric("f1 score"), False)),
    ("tags.mlflow.runName asc", OrderKey(tag("mlflow.runName"), True)),
    ("  metrics.val.loss  ", OrderKey(metric("val.loss"), True)),
    ("created", OrderKey(attr("start_time"), True)),
]


@pytest.mark.parametrize(("item", "expected"), ORDER_BY, ids=[item for item, _ in ORDER_BY])
def test_order_by_items(item: str, expected: OrderKey) -> None:
    assert parse_order_by([item]) == [expected]


def test_order_by_keeps_item_order_and_accepts_nothing() -> None:
    assert parse_order_by(["metrics.b DESC", "params.a"]) == [
        OrderKey(metric("b"), False),
        OrderKey(param("a"), True),
    ]
    assert parse_order_by(None) == []
    assert parse_order_by([]) == []
    assert parse_order_by("status DESC") == [OrderKey(attr("status"), False)]


INVALID = [
    # (filter, column or None, phrases the message must contain)
    ("metrics.loss < AND", 16, ["expected a value", "after '<'", "got 'AND'"]),
    ("metrics.loss <", 15, ["expected a value", "after '<'", "the end of the filter"]),
    ("metrics.loss < 1 AND", 21, ["expected an identifier", "after 'AND'", "end of the filter"]),
    ("metrics.a < 1 AND AND metrics.b < 2", 19, ["expected an identifier", "got 'AND'"]),
    ("AND metrics.a < 1", 1, ["expected an identifier", "got 'AND'"]),
    ("params.model = xgb", 16, ["expected a value", "got 'xgb'", "quote strings: 'xgb'"]),
    ("metrics.a < 1 metrics.b < 2", 15, ["expected AND, OR or the end", "got 'metrics.b'"]),
    ("metrics.a < 1)", 14, ["expected the end after '1', got ')'"]),
    ("(metrics.a < 1", 15, ["expected ')' after '1', got the end of the filter"]),
    ("(metrics.a < 1 x", 16, ["expected AND, OR or ')'", "got 'x'"]),
    ("metrics.a 1", 11, ["expected a comparison operator", "after 'metrics.a'", "got '1'"]),
    ("metrics.a <> 1", 12, ["expected a value", "after '<'", "got '>'"]),
    ("metrics.a < 1 & metrics.b < 2", 15, ["unexpected character '&'", "AND, OR or the end"]),
    ("params.a = 'open", 12, ["unterminated quoted string"]),
    ('params."open = 1', 8, ["unterminated quoted string"]),
    ("params.a IN 'x'", 13, ["expected '('", "after 'IN'", "got 'x'"]),
    ("params.a IN (1, 2)", 14, ["expected a quoted string", "got '1'"]),
    ("params.a IN ('x',)", 18, ["expected a quoted string", "got ')'"]),
    ("params.a IN ()", 14, ["expected a quoted string", "got ')'"]),
    ("params.a IN ('x' 'y')", 18, ["expected ',' or ')'", "got 'y'"]),
    ("min(metrics.a < 1", 15, ["expected ')'", "after 'metrics.a'", "got '<'"]),
    ("min(min(metrics.a)) < 1", 8, ["expected ')' after 'min', got '('"]),
    # Semantic errors point at the token at fault.
    ("colour = 'red'", 1, ["unknown attribute 'colour'", "valid: " + ", ".join(ATTRIBUTES)]),
    ("metrics.loss = 'low'", 16, ["metrics.loss needs a number, got the string 'low'"]),
    ("start_time > '2024'", 14, ["start_time needs a number"]),
    ("min(metrics.loss) < 'x'", 21, ["min(metrics.loss) needs a number"]),
    ("params.lr = 0.01", 13, ["params.lr needs a quoted string", "write '0.01'"]),
    ("tags.team = 1", 13, ["tags.team needs a quoted string"]),
    ("status = 1", 10, ["status needs a quoted string"]),
    ("params.lr < '0.1'", 11, ["params.lr does not support '<'", "LIKE"]),
    ("metrics.loss LIKE '1%'", 14, ["metrics.loss does not support LIKE", "<="]),
    ("metrics.loss IN ('1')", 14, ["metrics.loss does not support IN"]),
    ("end_time NOT IN ('1')", 10, ["end_time does not support NOT IN"]),
    ("min(params.lr) = '1'", 1, ["min() applies to metrics only", "params.lr"]),
    ("max(tags.t) = '1'", 1, ["max() applies to metrics only"]),
    ("max(status) = '1'", 1, ["max() applies to metrics only"]),
    ("foo.bar = 'x'", 1, ["unknown identifier 'foo.bar'", "metrics.KEY"]),
    ("datasets.name = 'x'", 1, ["unknown identifier 'datasets.name'"]),
    ("metrics. < 1", 1, ["'metrics.' needs a key", "metrics.loss"]),
    ("params = 'x'", 1, ["'params' needs a key"]),
    ("attributes.colour = 'x'", 1, ["unknown attribute 'colour'"]),
    ("metrics.a < 1 AND\n  colour = 'x'", None, ["at line 2, column 3", "unknown attribute"]),
]


@pytest.mark.parametrize(("text", "column", "phrases"), INVALID, ids=[t for t, _, _ in INVALID])
def test_malformed_filters_say_what_and_where(
    text: str, column: int | None, phrases: list[str]
) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_filter(text)
    error = caught.value
    assert error.field == "filter"
    assert error.http_status == 400
    assert error.message.startswith("Invalid filter")
    if column is not None:
        assert error.message.startswith(f"Invalid filter at column {column}: "), error.message
    for phrase in phrases:
        assert phrase in error.message, error.message


def test_the_documented_error_message_reads_well() -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_filter("metrics.loss < AND")
    assert caught.value.message == (
        "Invalid filter at column 16: expected a value (a number or a quoted string)"
        " after '<', got 'AND'."
    )


def test_filters_longer_than_the_cap_are_rejected_before_parsing() -> None:
    longest = "params.a IN (" + ", ".join(["'x'"] * 1000) + ")"
    longest += " " * (MAX_FILTER_LENGTH - len(longest))
    assert isinstance(parse_filter(longest), Comparison)
    with pytest.raises(InvalidParameter, match="too long") as caught:
        parse_filter(longest + " ")
    assert caught.value.field == "filter"


def test_deep_and_or_nesting_is_rejected_without_a_recursion_error() -> None:
    def nested(levels: int) -> str:
        text = "metrics.a<1"
        for level in range(levels):
            text = f"metrics.a<1 {'AND' if level % 2 else 'OR'} ({text})"
        return text

    assert parse_filter(nested(MAX_NESTING - 1)) is not None
    for levels in (MAX_NESTING + 1, 550):
        with pytest.raises(InvalidParameter, match="nested more than"):
            parse_filter(nested(levels))
    # Parentheses alone add no depth.
    assert parse_filter("(" * 3000 + "metrics.a < 1" + ")" * 3000) == A


ORDER_BY_INVALID = [
    # (items, failing index, column or None, phrases)
    (["metrics.a up"], 0, 11, ["expected ASC, DESC or the end", "got 'up'"]),
    (["params.a", "colour DESC"], 1, 1, ["unknown attribute 'colour'"]),
    (["metrics.a", "min(metrics.b"], 1, 14, ["expected ')'", "end of the item"]),
    (["min(params.a)"], 0, 1, ["min() applies to metrics only"]),
    (["metrics.a DESC DESC"], 0, 16, ["got 'DESC'"]),
    (["metrics.a < 1"], 0, 11, ["expected ASC, DESC or the end after 'metrics.a', got '<'"]),
    (["metrics.a & 1"], 0, 11, ["unexpected character '&', expected ASC, DESC or the end"]),
    (["ok_not_checked", ""], 0, 1, ["unknown attribute 'ok_not_checked'"]),
    (["status", "  "], 1, None, ["expected an identifier", "got '  '"]),
]


@pytest.mark.parametrize(("items", "index", "column", "phrases"), ORDER_BY_INVALID)
def test_malformed_order_by_names_the_item_and_column(
    items: list[str], index: int, column: int | None, phrases: list[str]
) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_order_by(items)
    error = caught.value
    assert error.field == f"order_by[{index}]"
    where = f" at column {column}: " if column is not None else ": "
    assert error.message.startswith(f"Invalid order_by[{index}]{where}"), error.message
    for phrase in phrases:
        assert phrase in error.message, error.message


def test_any_input_yields_an_ast_or_invalid_parameter_never_a_lark_error() -> None:
    """Random soups of the language's own pieces: no lark exception or traceback escapes."""
    pieces = [
        "metrics.a", "params.b", "tags.c", "status", "min(", "max(", "(", ")", ",", "'x'",
        '"y"', "1", "-2.5e3", "=", "!=", "<", ">=", "LIKE", "IN", "NOT", "AND", "OR", "ASC",
        "DESC", "`", "'", '"', "\\", ".", "&", "\n", "é", "colour",
    ]  # fmt: skip
    rng = random.Random(20240501)
    for _ in range(3000):
        text = " ".join(rng.choices(pieces, k=rng.randint(1, 9)))
        for parse in (parse_filter, lambda t: parse_order_by([t])):
            try:
                parse(text)
            except InvalidParameter as error:
                assert re.match(
                    r"Invalid (filter|order_by\[0\])( at (line \d+, )?column \d+)?: ", error.message
                ), (text, error.message)
