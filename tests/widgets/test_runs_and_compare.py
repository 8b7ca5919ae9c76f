"""RunsTable and CompareRuns: their model state, as the browser receives it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.widgets import CompareRuns, RunsTable
from jupyter_mlops.widgets.base import MODULE_NAME, MODULE_VERSION

REPO = Path(__file__).resolve().parents[2]


def _sweep(n: int = 4) -> list[str]:
    ids = []
    for i in range(n):
        with mlops.start_run(experiment="sweep", run_name=f"trial-{i}") as run:
            mlops.log_params({"lr": 0.1 * (i + 1), "depth": 3, "model": "rf" if i % 2 else "gb"})
            for step in range(3):
                mlops.log_metric("loss", 1.0 / (step + 1 + i), step=step)
            mlops.log_metric("accuracy", 0.8 + 0.01 * i)
            ids.append(run.run_id)
    return ids


def _custom(widget: Any, content: dict[str, Any]) -> None:
    """A custom message from the browser, through the comm's handler."""
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


def test_the_frontend_module_version_satisfies_the_models() -> None:
    package = json.loads((REPO / "package.json").read_text())
    assert package["name"] == MODULE_NAME
    major, minor, _ = package["version"].split(".")
    assert f"^{major}.{minor}.0" == MODULE_VERSION
    version_ts = (REPO / "src" / "widgets" / "version.ts").read_text()
    assert f"MODULE_VERSION = '{package['version']}'" in version_ts


def test_runs_table_lists_filters_and_exposes_the_selection(mlops_local_store: Any) -> None:
    ids = _sweep()
    table = RunsTable(experiment="sweep")
    assert {row["run_id"] for row in table.rows} == set(ids)
    assert table.param_columns == ["depth", "lr", "model"]
    assert table.metric_columns == ["accuracy", "loss"]

    table.filter = "params.model = 'rf'"  # as the filter box sets it
    assert sorted(row["name"] for row in table.rows) == ["trial-1", "trial-3"]

    trial_1 = next(row["run_id"] for row in table.rows if row["name"] == "trial-1")
    table.selected = [trial_1]  # as clicking a row sets it
    table.filter = "metrics.accuracy > 0.825"
    assert [row["name"] for row in table.rows] == ["trial-3"]
    assert table.selected == []  # a run the filter hides is no longer selected


def test_a_bad_filter_is_shown_not_raised(mlops_local_store: Any) -> None:
    _sweep(1)
    table = RunsTable(experiment="sweep")
    table.filter = "metrics.accuracy >> 1"
    assert "Invalid filter" in table.error
    assert table.rows  # the last good rows stay
    assert "Invalid filter" in table._repr_mimebundle_()["text/html"]


def test_compare_button_attaches_a_comparison_of_the_selection(mlops_local_store: Any) -> None:
    ids = _sweep(3)
    table = RunsTable(experiment="sweep")
    table.selected = ids[:1]
    _custom(table, {"type": "compare"})
    assert table.comparison is None and "at least two" in table.error

    table.selected = ids[:2]
    _custom(table, {"type": "compare"})
    assert isinstance(table.comparison, CompareRuns)
    assert table.comparison.run_ids == ids[:2]
    state = table.get_state()
    assert state["comparison"] == f"IPY_MODEL_{table.comparison.model_id}"


def test_compare_runs_highlights_differences_and_overlays_histories(
    mlops_local_store: Any,
) -> None:
    ids = _sweep(3)
    compare = CompareRuns([*ids, "0" * 32])

    assert [r["name"] for r in compare.runs] == ["trial-0", "trial-1", "trial-2"]
    assert compare.missing == ["0" * 32]
    assert [p["key"] for p in compare.params] == ["lr", "model", "depth"]  # differing first
    assert [p["differs"] for p in compare.params] == [True, True, False]
    assert compare.params[1]["values"] == ["gb", "rf", "gb"]
    assert compare.metric_keys == ["accuracy", "loss"]
    assert compare.metric == "accuracy"
    loss = next(h for h in compare.histories if h["key"] == "loss")
    assert [s["label"] for s in loss["series"]] == ["trial-0", "trial-1", "trial-2"]
    assert loss["series"][2]["step"] == [0, 1, 2]
    assert loss["series"][2]["value"] == pytest.approx([1 / 3, 1 / 4, 1 / 5])

    html = compare._repr_mimebundle_()["text/html"]
    assert html.count("background:#fff3bf") == 2  # the two differing params
    assert "Not found: " + "0" * 32 in html
    assert "params that differ: lr, model" in compare._repr_mimebundle_()["text/plain"]
