"""The example notebooks run top to bottom in a real kernel (nbclient), logging to a fresh
store, and their saved output stays readable where widgets cannot render (nbconvert)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

import jupyter_mlops as mlops

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


@pytest.fixture
def mlops_kernel_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> mlops.MlopsClient:
    """Kernels started from now on log to a SQLite store in tmp_path (they inherit the
    environment); returns a client on that store."""
    uri = f"sqlite:///{tmp_path / 'mlops.db'}"
    for name in list(os.environ):
        if name.startswith("JUPYTER_MLOPS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("JUPYTER_MLOPS_TRACKING_URI", uri)
    monkeypatch.setenv("JUPYTER_MLOPS_ARTIFACT_ROOT", str(tmp_path / "artifacts"))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    )
    return mlops.MlopsClient(uri, artifact_root=tmp_path / "artifacts")


def _execute(name: str, cwd: Path) -> Any:
    notebook = nbformat.read(EXAMPLES / name, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        # As JupyterLab saves notebooks by default: outputs without the widgets' state,
        # so that other renderers fall back to each output's HTML.
        store_widget_state=False,
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    return notebook


def _outputs(notebook: Any, mime: str) -> list[str]:
    return [
        output["data"][mime]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if mime in output.get("data", {})
    ]


@pytest.mark.slow
def test_track_a_scikit_learn_model(mlops_kernel_env: mlops.MlopsClient, tmp_path: Path) -> None:
    notebook = _execute("01-track-a-scikit-learn-model.ipynb", tmp_path)

    experiment = mlops_kernel_env.get_experiment_by_name("breast-cancer")
    (run,) = mlops_kernel_env.search_runs([experiment.experiment_id]).items
    assert run.info.status.value == "FINISHED"
    assert run.params["epochs"] == "40"
    assert run.metrics["val_accuracy"].value > 0.9
    history = mlops_kernel_env.get_metric_history(run.info.run_id, "train_loss")
    assert [p.step for p in history] == list(range(40))
    # The live chart's saved output was brought up to date when the run ended.
    html = "\n".join(_outputs(notebook, "text/html"))
    assert "Live metrics (FINISHED)" in html and "train_loss" in html
    # nbconvert (no widget manager) shows the fallback tables.
    body, _ = HTMLExporter().from_notebook_node(notebook)
    assert "Live metrics (FINISHED)" in body and "sgd-logreg" in body


@pytest.mark.slow
def test_hyperparameter_sweep(mlops_kernel_env: mlops.MlopsClient, tmp_path: Path) -> None:
    notebook = _execute("02-hyperparameter-sweep.ipynb", tmp_path)

    experiment = mlops_kernel_env.get_experiment_by_name("wine-sweep")
    runs = mlops_kernel_env.search_runs([experiment.experiment_id]).items
    assert len(runs) == 12
    assert all(r.info.status.value == "FINISHED" for r in runs)
    assert {r.params["max_depth"] for r in runs} == {"1", "2", "3", "4"}
    widgets = _outputs(notebook, "application/vnd.jupyter.widget-view+json")
    assert len(widgets) >= 4  # live chart, table, two comparisons
    plain = "\n".join(_outputs(notebook, "text/plain"))
    assert "RunsTable: 12 runs" in plain
    assert "CompareRuns of 3 runs; params that differ:" in plain
    html = "\n".join(_outputs(notebook, "text/html"))
    assert "Params (differences highlighted)" in html
