"""search_runs: filters, ordering, paging, and both output forms."""

from __future__ import annotations

import pandas as pd
import pytest
from client_support import Tracking

import jupyter_mlops as mlops
from jupyter_mlops.client import fluent
from jupyter_mlops.tracking.entities import Run


@pytest.fixture
def mlops_seven_runs(mlops_tracking: Tracking) -> tuple[str, str]:
    """Seven finished runs in a fresh experiment: loss = 0.1 * i, lr alternating."""
    name = mlops_tracking.experiment_name("search")
    for i in range(7):
        with mlops.start_run(experiment=name, run_name=f"run-{i}", tags={"i": i}):
            mlops.log_param("lr", "0.1" if i % 2 else "0.01")
            mlops.log_metric("loss", 0.1 * i, step=i)
    return name, mlops_tracking.client.get_experiment_by_name(name).experiment_id


def test_dataframe_with_filter_and_order_over_several_pages(
    mlops_seven_runs: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name, experiment_id = mlops_seven_runs
    # Small pages, so that four matching runs take two requests and a token in between.
    monkeypatch.setattr(fluent, "SEARCH_PAGE_SIZE", 3)

    frame = mlops.search_runs(
        experiment_names=[name],
        filter_string="params.lr = '0.1' and metrics.loss >= 0",
        order_by=["metrics.loss DESC"],
    )

    assert isinstance(frame, pd.DataFrame)
    assert list(frame["run_name"]) == ["run-5", "run-3", "run-1"]
    assert list(frame["metrics.loss"]) == pytest.approx([0.5, 0.3, 0.1])
    assert set(frame["params.lr"]) == {"0.1"}
    assert list(frame["tags.i"]) == ["5", "3", "1"]
    assert set(frame["experiment_id"]) == {experiment_id}
    assert set(frame["status"]) == {"FINISHED"}
    assert str(frame["start_time"].dtype).startswith("datetime64")
    assert frame["start_time"].dt.tz is not None
    for column in ("run_id", "user", "end_time", "parent_run_id", "artifact_uri"):
        assert column in frame.columns


def test_list_form_pages_through_everything_in_order(
    mlops_seven_runs: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, experiment_id = mlops_seven_runs
    monkeypatch.setattr(fluent, "SEARCH_PAGE_SIZE", 2)

    runs = mlops.search_runs([experiment_id], order_by=["metrics.loss ASC"], output_format="list")

    assert all(isinstance(r, Run) for r in runs)
    assert [r.info.run_name for r in runs] == [f"run-{i}" for i in range(7)]
    limited = mlops.search_runs(
        [experiment_id], order_by=["metrics.loss ASC"], max_results=3, output_format="list"
    )
    assert [r.info.run_name for r in limited] == ["run-0", "run-1", "run-2"]


def test_default_is_the_experiment_set_by_set_experiment(
    mlops_seven_runs: tuple[str, str],
) -> None:
    name, _ = mlops_seven_runs
    mlops.set_experiment(name)

    frame = mlops.search_runs(filter_string="attributes.run_name = 'run-4'")

    assert list(frame["run_name"]) == ["run-4"]


def test_empty_result_still_has_the_columns(mlops_tracking: Tracking) -> None:
    name = mlops_tracking.experiment_name("empty")
    mlops_tracking.client.create_experiment(name)

    frame = mlops.search_runs(experiment_names=[name])

    assert frame.empty
    assert {"run_id", "experiment_id", "status", "start_time", "end_time"} <= set(frame.columns)
    assert mlops.search_runs(experiment_names=[name], output_format="list") == []


def test_explicit_client_pages_and_counts(
    mlops_tracking: Tracking, mlops_seven_runs: tuple[str, str]
) -> None:
    _, experiment_id = mlops_seven_runs
    client = mlops_tracking.client

    first = client.search_runs([experiment_id], max_results=4, order_by=["attributes.run_name"])
    second = client.search_runs(
        [experiment_id],
        max_results=4,
        order_by=["attributes.run_name"],
        page_token=first.next_page_token,
    )

    assert [r.info.run_name for r in first.items + second.items] == [f"run-{i}" for i in range(7)]
    assert second.next_page_token is None
    assert client.count_runs([experiment_id]) == 7
    assert client.count_runs([experiment_id], "metrics.loss > 0.35") == 3
    every = list(client.iter_runs([experiment_id], order_by=["metrics.loss DESC"], page_size=2))
    assert [r.info.run_name for r in every] == [f"run-{i}" for i in reversed(range(7))]
