"""Loading a file for its pipelines (the Pipelines panel's Load) reads them and runs
nothing: a notebook that goes on to submit and schedule its pipeline creates no run and no
schedule, and its code after those calls does not run. Compiled in the real compile
subprocess, as the server does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import nbformat
import pytest

from jupyter_mlops.pipelines.dsl.loader import compile_file
from jupyter_mlops.processes import ProcessPolicy

PIPELINE = """
import jupyter_mlops as mlops

@mlops.step
def train(i: int) -> int:
    return i

@mlops.pipeline
def fan(n: int = 3):
    for i in mlops.parallel_for([0, 1, 2]):
        train(i=i)
"""


def _notebook(path: Path, *cells: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in cells]
    nbformat.write(notebook, str(path))
    return path


def _marker(path: Path) -> str:
    return f"open({str(path)!r}, 'w').write('ran')"


def test_submit_in_a_loaded_notebook_starts_no_run_and_stops_the_notebook(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store.db"
    marker = tmp_path / "after-submit"
    notebook = _notebook(
        tmp_path / "train-flow.ipynb",
        f"import jupyter_mlops as mlops\nmlops.set_tracking_uri({f'sqlite:///{store}'!r})",
        PIPELINE,
        "%time x = 1",  # IPython syntax is left out, as before
        # A cell's `except Exception` does not swallow the stop.
        "try:\n    run = mlops.pipelines.submit(fan, {'n': 2})\nexcept Exception:\n    pass\n"
        "run.wait()\n" + _marker(marker),
    )

    specs = compile_file(notebook, ProcessPolicy())

    assert [spec["pipelineInfo"]["name"] for spec in specs] == ["fan"]
    assert not marker.exists(), "the code after submit ran"
    if store.exists():  # the store may have been opened, but holds no pipeline run
        with sqlite3.connect(store) as db:
            tables = {row[0] for row in db.execute("select name from sqlite_master")}
            if "pipeline_runs" in tables:
                assert db.execute("select count(*) from pipeline_runs").fetchone() == (0,)


@pytest.mark.parametrize("call", ["schedule(build(), '*/5 * * * *')", "submit(build())"])
def test_a_submitted_or_scheduled_pipeline_bound_to_no_name_is_declared(
    tmp_path: Path, call: str
) -> None:
    marker = tmp_path / "after-call"
    source = tmp_path / "flows.py"
    source.write_text(
        "import jupyter_mlops as mlops\n\n"
        "@mlops.step\n"
        "def greet(name: str) -> str:\n"
        "    return 'hello ' + name\n\n"
        "def build():\n"
        "    @mlops.pipeline\n"
        "    def greeting(name: str = 'world'):\n"
        "        return greet(name=name)\n"
        "    return greeting\n\n"
        # A server that is not there: before, the call tried to reach it and the load failed.
        "mlops.set_tracking_uri('http://127.0.0.1:9/', token='t')\n"
        f"mlops.pipelines.{call}\n" + _marker(marker) + "\n"
    )

    specs = compile_file(source, ProcessPolicy())

    assert [spec["pipelineInfo"]["name"] for spec in specs] == ["greeting"]
    assert not marker.exists(), "the code after the call ran"
