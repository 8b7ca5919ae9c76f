"""The input rules of tracking, as pure functions (no server, no store)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from jupyter_mlops.errors import InvalidParameter
from jupyter_mlops.tracking import validation as v
from jupyter_mlops.tracking.entities import Metric, RunStatus, ViewType


@pytest.mark.parametrize("key", ["loss", "system/cpu", "a.b-c_d e", "k" * 250, "..a", "a..b"])
def test_good_keys(key: str) -> None:
    assert v.validate_key(key) == key


@pytest.mark.parametrize(
    "key",
    [
        "",
        "k" * 251,
        "..",
        "a/../b",
        "a/..",
        "/abs",
        "tab\there",
        "nl\n",
        "nul\x00",
        "del\x7f",
        3,
        None,
        "\ud800",
    ],
)
def test_bad_keys_name_the_field(key: Any) -> None:
    with pytest.raises(InvalidParameter) as raised:
        v.validate_key(key, "params.x")
    assert raised.value.field == "params.x"


def test_value_limits() -> None:
    assert v.validate_param_value("x" * 6000, "params.p")
    assert v.validate_tag_value("line\nbreaks\tare fine", "tags.t")
    for call, value in [
        (v.validate_param_value, "x" * 6001),
        (v.validate_tag_value, "x" * 5001),
        (v.validate_tag_value, "nul\x00"),
        (v.validate_param_value, 1),
    ]:
        with pytest.raises(InvalidParameter):
            call(value, "f")


def test_experiment_names() -> None:
    assert v.validate_experiment_name("x" * 500)
    for bad in ["", "   ", "x" * 501, "a\nb", None]:
        with pytest.raises(InvalidParameter) as raised:
            v.validate_experiment_name(bad)
        assert raised.value.field == "name"


@pytest.mark.parametrize("value", [0, 1.5, -2, math.nan, math.inf, -math.inf, 10**300])
def test_metric_values_are_real_numbers_including_nan_and_inf(value: float) -> None:
    checked = v.validate_metric(Metric("m", value, 0, 0), "metrics[0]")
    assert isinstance(checked.value, float)


@pytest.mark.parametrize(
    ("metric", "field"),
    [
        (Metric("m", True, 0, 0), "metrics[0].value"),  # type: ignore[arg-type]
        (Metric("m", "1", 0, 0), "metrics[0].value"),  # type: ignore[arg-type]
        (Metric("m", 10**400, 0, 0), "metrics[0].value"),
        (Metric("m", 1.0, -1, 0), "metrics[0].timestamp"),
        (Metric("m", 1.0, 0, 2**63), "metrics[0].step"),
        (Metric("m", 1.0, 0, 1.0), "metrics[0].step"),  # type: ignore[arg-type]
        (Metric("..", 1.0, 0, 0), "metrics[0].key"),
    ],
)
def test_bad_metrics_name_the_member(metric: Metric, field: str) -> None:
    with pytest.raises(InvalidParameter) as raised:
        v.validate_metrics([metric])
    assert raised.value.field == field


def test_a_batch_reports_its_first_bad_point_even_when_keys_repeat() -> None:
    good = [Metric("loss", 0.5, 1, step) for step in range(10)]
    for index, bad, field in [
        (6, Metric("loss", "x", 1, 6), "metrics[6].value"),  # type: ignore[arg-type]
        (3, Metric("loss", 0.5, 1, True), "metrics[3].step"),
        (9, Metric("loss", 0.5, -5, 9), "metrics[9].timestamp"),
        (4, Metric("a\x07", 0.5, 1, 4), "metrics[4].key"),
    ]:
        batch = [*good[:index], bad, *good[index + 1 :], bad]
        with pytest.raises(InvalidParameter) as raised:
            v.validate_metrics(batch)
        assert raised.value.field == field
    # A refused key is refused at each of its points, not remembered as checked.
    for _ in range(2):
        with pytest.raises(InvalidParameter) as raised:
            v.validate_metrics([*good, Metric("a/../b", 1.0, 0, 0)])
        assert raised.value.field == "metrics[10].key"


def test_metric_batches_normalise_values_and_stamp_missing_times() -> None:
    points = [Metric("m", 2, 5, 0), Metric("m", 1.5, None, 1)]  # type: ignore[arg-type]
    checked = v.validate_metrics(points, default_timestamp=99)
    assert checked == [Metric("m", 2.0, 5, 0), Metric("m", 1.5, 99, 1)]
    assert type(checked[0].value) is float
    assert v.validate_metrics(points)[1].timestamp is None


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1fb", "a\x85b", "a\ud800b"])
def test_text_checks_catch_what_the_fast_path_lets_through(bad: str) -> None:
    with pytest.raises(InvalidParameter):
        v.validate_key(bad)
    with pytest.raises(InvalidParameter):
        v.validate_run_name(bad)
    if bad != "a\x1fb" and bad != "a\x85b":  # control characters are fine in values
        with pytest.raises(InvalidParameter):
            v.validate_param_value(bad, "params.x")
    else:
        assert v.validate_param_value(bad, "params.x") == bad


def test_batch_sizes() -> None:
    assert len(v.validate_metrics([Metric("m", 1.0, 0, i) for i in range(1000)])) == 1000
    with pytest.raises(InvalidParameter) as raised:
        v.validate_metrics([Metric("m", 1.0, 0, 0)] * 1001)
    assert raised.value.field == "metrics"
    assert v.validate_params({f"p{i}": "v" for i in range(100)})
    with pytest.raises(InvalidParameter):
        v.validate_params({f"p{i}": "v" for i in range(101)})
    with pytest.raises(InvalidParameter):
        v.validate_tags({f"t{i}": "v" for i in range(101)})


def test_ids_statuses_views_and_pages() -> None:
    assert v.validate_run_id("a" * 32)
    assert v.validate_experiment_id("0")
    assert v.validate_run_status("FINISHED") is RunStatus.FINISHED
    assert v.validate_view("ALL") is ViewType.ALL
    assert v.validate_max_results(1000) == 1000
    assert v.validate_page_token("") is None
    for call, value, field in [
        (v.validate_run_id, "A" * 32, "run_id"),
        (v.validate_run_id, "a" * 31, "run_id"),
        (v.validate_experiment_id, "-1", "experiment_id"),
        (v.validate_experiment_id, 1, "experiment_id"),
        (v.validate_run_status, "DONE", "status"),
        (v.validate_view, "SOME", "view"),
        (v.validate_max_results, 0, "max_results"),
        (v.validate_max_results, 1001, "max_results"),
        (v.validate_max_points, 1, "max_points"),
    ]:
        with pytest.raises(InvalidParameter) as raised:
            call(value)
        assert raised.value.field == field
