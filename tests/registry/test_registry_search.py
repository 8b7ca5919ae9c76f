"""Registry filters and orderings parse into the run-search AST, per search's own keys."""

from __future__ import annotations

import pytest

from jupyter_mlops.errors import InvalidParameter
from jupyter_mlops.registry.search import (
    LOGGED_MODELS,
    MODEL_VERSIONS,
    REGISTERED_MODELS,
    parse_filter,
    parse_order_by,
)
from jupyter_mlops.tracking.search.ast import And, Comparison, Identifier, Or, OrderKey


def test_mlflow_filters_parse() -> None:
    assert parse_filter(REGISTERED_MODELS, "name LIKE 'foo%'") == Comparison(
        Identifier("attribute", "name"), "LIKE", "foo%"
    )
    assert parse_filter(REGISTERED_MODELS, "tags.`team name` = 'x'") == Comparison(
        Identifier("tag", "team name"), "=", "x"
    )
    parsed = parse_filter(MODEL_VERSIONS, "name='x' AND (run_id IN ('a', 'b') OR version >= 2)")
    assert parsed == And(
        (
            Comparison(Identifier("attribute", "name"), "=", "x"),
            Or(
                (
                    Comparison(Identifier("attribute", "run_id"), "IN", ("a", "b")),
                    Comparison(Identifier("attribute", "version_number"), ">=", 2),
                )
            ),
        )
    )
    assert parse_filter(LOGGED_MODELS, "params.lr = '0.1'") == Comparison(
        Identifier("param", "lr"), "=", "0.1"
    )
    assert parse_filter(MODEL_VERSIONS, "  ") is None


@pytest.mark.parametrize(
    ("spec", "text", "says"),
    [
        (REGISTERED_MODELS, "run_id = 'x'", "unknown attribute 'run_id' of registered models"),
        (REGISTERED_MODELS, "params.lr = '1'", "unknown identifier 'params.lr'"),
        (MODEL_VERSIONS, "name = 3", "needs a quoted string"),
        (MODEL_VERSIONS, "version_number = '3'", "needs a number"),
        (MODEL_VERSIONS, "name < 'b'", "does not support '<'"),
        (MODEL_VERSIONS, "name = 'a' AND", "ends too early"),
        (MODEL_VERSIONS, "name = 'a", "column"),
        (MODEL_VERSIONS, "max(metrics.x) > 1", "do not apply"),
    ],
)
def test_bad_filters_say_what_is_wrong(spec: object, text: str, says: str) -> None:
    with pytest.raises(InvalidParameter) as error:
        parse_filter(spec, text)  # type: ignore[arg-type]
    assert error.value.field == "filter"
    assert says in error.value.message


def test_order_by_accepts_only_the_searchs_keys() -> None:
    assert parse_order_by(MODEL_VERSIONS, ["version_number DESC", "name"]) == [
        OrderKey(Identifier("attribute", "version_number"), ascending=False),
        OrderKey(Identifier("attribute", "name"), ascending=True),
    ]
    with pytest.raises(InvalidParameter) as error:
        parse_order_by(REGISTERED_MODELS, ["name", "version_number"])
    assert error.value.field == "order_by[1]"
    with pytest.raises(InvalidParameter) as error:
        parse_order_by(REGISTERED_MODELS, ["name sideways"])
    assert error.value.field == "order_by[0]"
