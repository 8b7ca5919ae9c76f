"""``%track`` and ``%%track`` in a real IPython shell, checked in the store they log to."""

from __future__ import annotations

from typing import Any

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.magics.magics import (
    ERROR_TAG,
    SOURCE_ARTIFACT,
    STDOUT_ARTIFACT,
    TRACEBACK_ARTIFACT,
    WALL_TIME_METRIC,
)
from jupyter_mlops.tracking.entities import RunStatus
from jupyter_mlops.widgets import CompareRuns, RunsTable


def _artifact_text(client: mlops.MlopsClient, run_id: str, path: str, tmp_path: Any) -> str:
    local = client.download_artifacts(run_id, path, tmp_path / run_id)
    return local.read_text()


def _only_run(client: mlops.MlopsClient, experiment: str) -> Any:
    experiment_id = client.get_experiment_by_name(experiment).experiment_id
    runs = client.search_runs([experiment_id]).items
    assert len(runs) == 1
    return runs[0]


def test_load_ext_registers_line_and_cell_magic_once(mlops_ipython: Any) -> None:
    assert mlops_ipython.find_line_magic("track") is not None
    assert mlops_ipython.find_cell_magic("track") is not None
    # Loading again (e.g. an example notebook in a kernel that auto-loaded it) is harmless.
    mlops_ipython.run_line_magic("load_ext", "jupyter_mlops")
    assert mlops_ipython.find_line_magic("track") is not None


def test_a_run_driven_by_line_magics(mlops_ipython: Any, mlops_local_store: Any) -> None:
    ip = mlops_ipython
    summary = ip.run_line_magic("track", "start --experiment churn --name baseline --tag team=ds")
    assert summary.name == "baseline" and summary.status == "RUNNING"
    ip.run_line_magic("track", "param lr=0.01 layers=3 optimizer='adam' name='two words'")
    ip.run_line_magic("track", "metric loss 0.31 --step 10")
    ip.run_line_magic("track", "tag stage=tuning")
    status = ip.run_line_magic("track", "status")
    assert status.run_id == summary.run_id
    assert summary.run_id in repr(status) and "baseline" in status._repr_html_()
    ip.run_line_magic("track", "end --status killed")

    run = mlops_local_store.get_run(summary.run_id)
    assert run.info.status == RunStatus.KILLED
    assert run.params == {"lr": "0.01", "layers": "3", "optimizer": "adam", "name": "two words"}
    assert run.metrics["loss"].value == 0.31 and run.metrics["loss"].step == 10
    assert run.tags["team"] == "ds" and run.tags["stage"] == "tuning"
    assert mlops.active_run() is None
    assert "No active run" in repr(ip.run_line_magic("track", "status"))


def test_nested_start_makes_a_child_run(mlops_ipython: Any, mlops_local_store: Any) -> None:
    parent = mlops_ipython.run_line_magic("track", "start --name parent")
    child = mlops_ipython.run_line_magic("track", "start --nested --name child")
    mlops_ipython.run_line_magic("track", "end")
    mlops_ipython.run_line_magic("track", "end")
    run = mlops_local_store.get_run(child.run_id)
    assert run.info.parent_run_id == parent.run_id


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", "missing sub-command"),
        ("launch", "unknown sub-command 'launch'"),
        ("start --bogus", "unrecognized arguments: --bogus"),
        ("metric loss", "required: value"),
        ("metric loss high", "VALUE must be a number"),
        ("metric loss 1 --step ten", "expected an integer"),
        ("param lr", "expected KEY=VALUE"),
        ("param lr='0.1", "No closing quotation"),
        ("end --status DONE", "--status must be FINISHED, FAILED or KILLED"),
        ("compare onlyone", "at least two run ids"),
        ("runs --max 0", "--max must be at least 1"),
        ("end", "No active run to end"),
        ("artifact /no/such/file.txt", "No file or folder"),
    ],
)
def test_bad_arguments_print_one_usage_line_and_no_traceback(
    mlops_ipython: Any, capsys: pytest.CaptureFixture[str], line: str, expected: str
) -> None:
    result = mlops_ipython.run_cell(f"%track {line}")

    assert not result.success
    captured = capsys.readouterr()
    output = (captured.out + captured.err).strip()
    assert output.count("\n") == 0, output  # one line
    assert output.startswith("UsageError: ")
    assert expected in output
    assert "Traceback" not in output and "jupyter_mlops" not in output
    if "Usage" not in expected and "No " not in expected:
        assert "Usage: %track" in output


def test_refused_values_are_one_line_too(
    mlops_ipython: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    mlops_ipython.run_line_magic("track", "start")
    mlops_ipython.run_line_magic("track", "param lr=0.1")

    result = mlops_ipython.run_cell("%track param lr=0.2")  # params are immutable

    assert not result.success
    output = capsys.readouterr().err.strip()
    assert output.startswith("UsageError: InvalidParameter") and "\n" not in output


def test_help_lists_every_sub_command(
    mlops_ipython: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    mlops_ipython.run_cell("%track?")
    shown = capsys.readouterr().out
    for usage in ("%track start", "%track param KEY=VALUE", "%%track [--experiment NAME]"):
        assert usage in shown
    assert "values are Python literals" in shown


def test_track_cell_logs_source_stdout_time_and_variables(
    mlops_ipython: Any, mlops_local_store: Any, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    cell = (
        "config = {'n_estimators': 50, 'max_depth': 4}\n"
        "accuracy = 0.93\n"
        "model_name = 'forest'\n"
        "print('training done')\n"
        "accuracy * 100\n"
    )
    result = mlops_ipython.run_cell(
        f"%%track --experiment cells --name rf --log accuracy model_name --params config\n{cell}"
    )

    assert result.success
    assert result.result == pytest.approx(93.0)  # the last expression is the cell's value
    assert "training done" in capsys.readouterr().out  # still printed
    run = _only_run(mlops_local_store, "cells")
    assert run.info.run_name == "rf" and run.info.status == RunStatus.FINISHED
    assert run.metrics["accuracy"].value == 0.93
    assert run.metrics[WALL_TIME_METRIC].value >= 0
    assert run.params == {"model_name": "forest", "n_estimators": "50", "max_depth": "4"}
    run_id = run.info.run_id
    assert _artifact_text(mlops_local_store, run_id, SOURCE_ARTIFACT, tmp_path) == cell
    assert _artifact_text(mlops_local_store, run_id, STDOUT_ARTIFACT, tmp_path) == (
        "training done\n"
    )
    assert mlops_ipython.user_ns["model_name"] == "forest"  # ran in the user namespace


def test_track_cell_runs_ipython_syntax_and_logs_metrics_from_inside(
    mlops_ipython: Any, mlops_local_store: Any
) -> None:
    cell = (
        "import jupyter_mlops as mlops\n"
        "for step in range(5):\n"
        "    mlops.log_metric('loss', 1 / (step + 1), step=step)\n"
        "%track param source=magic\n"
    )
    assert mlops_ipython.run_cell(f"%%track --experiment inner\n{cell}").success
    run = _only_run(mlops_local_store, "inner")
    history = mlops_local_store.get_metric_history(run.info.run_id, "loss")
    assert [p.step for p in history] == [0, 1, 2, 3, 4]
    assert run.params["source"] == "magic"


def test_track_cell_nests_inside_the_active_run(mlops_ipython: Any, mlops_local_store: Any) -> None:
    parent = mlops_ipython.run_line_magic("track", "start --name sweep")
    assert mlops_ipython.run_cell("%%track --name trial-1\nx = 1").success
    assert mlops.active_run() is not None and mlops.active_run().run_id == parent.run_id
    mlops_ipython.run_line_magic("track", "end")
    runs = mlops_local_store.search_runs(["0"]).items
    children = [r.info.run_name for r in runs if r.info.parent_run_id == parent.run_id]
    assert children == ["trial-1"]


def test_an_exception_fails_the_run_stores_the_traceback_and_is_raised_unchanged(
    mlops_ipython: Any, mlops_local_store: Any, tmp_path: Any
) -> None:
    cell = (
        "class TrainingDiverged(Exception):\n"
        "    pass\n"
        "_mlops_error = TrainingDiverged('loss is nan at step 7')\n"
        "raise _mlops_error\n"
    )
    result = mlops_ipython.run_cell(f"%%track --experiment failing\n{cell}")

    assert not result.success
    # The very exception object the cell raised, not a wrapper.
    assert result.error_in_exec is mlops_ipython.user_ns["_mlops_error"]
    run = _only_run(mlops_local_store, "failing")
    assert run.info.status == RunStatus.FAILED
    assert run.tags[ERROR_TAG] == "TrainingDiverged: loss is nan at step 7"
    trace = _artifact_text(mlops_local_store, run.info.run_id, TRACEBACK_ARTIFACT, tmp_path)
    assert "Traceback" in trace and "loss is nan at step 7" in trace
    assert mlops.active_run() is None


def test_cell_magic_bad_arguments_do_not_run_the_cell(
    mlops_ipython: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    result = mlops_ipython.run_cell("%%track --log 1bad\nran = True")
    assert not result.success
    output = capsys.readouterr().err.strip()
    assert output.startswith("UsageError: '1bad' is not a variable name. Usage: %%track")
    assert "ran" not in mlops_ipython.user_ns


def test_a_refused_run_is_one_line_and_the_cell_does_not_run(
    mlops_ipython: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    long_name = "x" * 600  # longer than an experiment name may be
    result = mlops_ipython.run_cell(f"%%track --experiment {long_name}\nran_anyway = True")
    assert not result.success
    output = capsys.readouterr().err.strip()
    assert output.startswith("UsageError: InvalidParameter") and "\n" not in output
    assert "ran_anyway" not in mlops_ipython.user_ns
    assert mlops.active_run() is None


def test_runs_and_compare_return_widgets(mlops_ipython: Any) -> None:
    ids = []
    for lr in (0.1, 0.2):
        assert mlops_ipython.run_cell(f"%%track --experiment widgets --log lr\nlr = {lr}").success
        ids.append(mlops.search_runs(experiment_names=["widgets"], output_format="list")[0])
    table = mlops_ipython.run_line_magic("track", "runs --experiment widgets")
    assert isinstance(table, RunsTable) and len(table.rows) == 2
    filtered = mlops_ipython.run_line_magic("track", "runs metrics.lr > 0.15 --experiment widgets")
    assert [row["metrics"]["lr"] for row in filtered.rows] == [0.2]
    run_ids = [row["run_id"] for row in table.rows]
    compare = mlops_ipython.run_line_magic("track", f"compare {run_ids[0]} {run_ids[1]}")
    assert isinstance(compare, CompareRuns) and len(compare.runs) == 2
