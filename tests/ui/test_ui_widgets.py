"""Notebook widgets in a real JupyterLab: a cell that logs metrics in a loop shows a live
chart whose points increase while the cell runs."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from .lab_server import LabServer

STEPS = 60
# No %load_ext: the server loads the magics into its kernels.
TRAINING_CELL = f"""%%track --experiment ui-widgets --name live-chart
import time
import jupyter_mlops as mlops
from IPython.display import display

live = mlops.widgets.LiveMetrics(keys=["loss"])
display(live)
for step in range({STEPS}):
    mlops.log_metric("loss", 1.0 / (step + 1), step=step)
    time.sleep(0.1)
"""


def _write_notebook(path: Path, *sources: str) -> None:
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"cell-{index}",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
            for index, source in enumerate(sources)
        ],
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook))


def _run_cell(page: Page, index: int) -> None:
    """Run a cell with Shift+Enter once its prompt shows it was taken ([*] or [n]).

    Right after a notebook opens, the kernel can read "Idle" before its connection takes
    requests, and the first Shift+Enter is then lost: press it again in that case.
    """
    prompt = page.locator(".jp-InputPrompt").nth(index)
    for _ in range(3):
        page.locator(".jp-Cell").nth(index).locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        try:
            expect(prompt).not_to_have_text("[ ]:", timeout=10_000)
            return
        except AssertionError:
            continue
    raise AssertionError(f"cell {index} never started")


def _point_count(page: Page) -> int:
    value = page.locator(".mlops-LiveMetrics").first.get_attribute("data-point-count")
    return int(value or 0)


def test_live_metrics_chart_grows_while_the_cell_runs(
    mlops_lab: LabServer,
    mlops_page: Page,
    mlops_screenshot: Callable[[Page, str], Path],
) -> None:
    # Given a notebook whose cell logs a metric in a loop under a live chart
    _write_notebook(
        mlops_lab.root / "live.ipynb",
        TRAINING_CELL,
        "print('TRAITS', live.log_scale, live.x_axis)",
    )
    page = mlops_page
    page.goto(f"{mlops_lab.url}lab/tree/live.ipynb?reset&token={mlops_lab.token}")
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=60_000)

    # When the cell runs
    _run_cell(page, 0)

    # Then the chart appears and its points increase while the kernel is still busy
    chart = page.locator(".mlops-LiveMetrics .mlops-MetricChart canvas")
    expect(chart.first).to_be_visible(timeout=30_000)
    seen: list[int] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        busy = page.locator(".jp-InputPrompt").first.inner_text().strip() == "[*]:"
        count = _point_count(page)
        if busy and (not seen or count > seen[-1]):
            seen.append(count)
        if not busy and seen:
            break
        time.sleep(0.3)
    assert len(seen) >= 3, f"points seen while running: {seen}"
    assert seen == sorted(seen) and 0 < seen[0] < STEPS
    # ...and at the end the chart holds every point, drawn by uPlot.
    expect(page.locator(f".mlops-LiveMetrics[data-point-count='{STEPS}']")).to_have_count(
        1, timeout=30_000
    )
    expect(page.locator(".mlops-LiveMetrics[data-status='FINISHED']")).to_have_count(1)
    expect(page.locator(".mlops-LiveMetrics .mlops-MetricChart").first).to_have_attribute(
        "data-points", str(STEPS)
    )
    mlops_screenshot(page, "widgets-live-metrics.png")

    # The toolbar drives the chart and the widget's traits (the kernel keeps them).
    widget = page.locator(".mlops-LiveMetrics").first
    widget.get_by_label("log scale").check()
    expect(widget.locator(".mlops-MetricChart").first).to_have_attribute("data-log-scale", "true")
    widget.locator("select").select_option("time")
    expect(widget.locator(".mlops-MetricChart").first).to_have_attribute("data-x-axis", "time")
    _run_cell(page, 1)
    expect(page.locator(".jp-OutputArea-output", has_text="TRAITS True time")).to_be_visible(
        timeout=30_000
    )

    # The run the %%track cell made is in the store, finished, with every point.
    experiments = mlops_lab.api("GET", "experiments", params={"max_results": 100})
    experiment = next(e for e in experiments["experiments"] if e["name"] == "ui-widgets")
    runs = mlops_lab.api(
        "POST", "runs/search", json={"experiment_ids": [experiment["experiment_id"]]}
    )["runs"]
    assert [r["info"]["status"] for r in runs] == ["FINISHED"]
    assert runs[0]["metrics"]["loss"]["step"] == STEPS - 1


SWEEP_CELL = """import jupyter_mlops as mlops
for lr in (0.1, 0.2, 0.3):
    with mlops.start_run(experiment="ui-sweep", run_name=f"lr-{lr}"):
        mlops.log_params({"lr": lr, "depth": 3})
        for step in range(5):
            mlops.log_metric("accuracy", lr + step / 100, step=step)
table = mlops.widgets.RunsTable(experiment="ui-sweep")
table"""


def test_runs_table_selection_reaches_python_and_compare_shows_the_runs(
    mlops_lab: LabServer,
    mlops_page: Page,
    mlops_screenshot: Callable[[Page, str], Path],
) -> None:
    # Given a notebook that logs three runs and shows them in a RunsTable
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"c{i}",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
            for i, source in enumerate([SWEEP_CELL, "print('SELECTED', len(table.selected))"])
        ],
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            }
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (mlops_lab.root / "sweep.ipynb").write_text(json.dumps(notebook))
    page = mlops_page
    page.goto(f"{mlops_lab.url}lab/tree/sweep.ipynb?reset&token={mlops_lab.token}")
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=60_000)
    _run_cell(page, 0)
    table = page.locator(".mlops-RunsTableWidget[data-rows='3']")
    expect(table).to_be_visible(timeout=30_000)

    # When the user sorts by lr, ticks the two first rows and presses Compare
    table.locator("th", has_text="lr").click()
    first_cells = table.locator("tbody tr td:nth-child(2)")
    expect(first_cells).to_have_text(["lr-0.1", "lr-0.2", "lr-0.3"])
    table.locator("tbody tr").nth(0).click()
    table.locator("tbody tr").nth(1).click()
    compare = table.locator(".mlops-RunsTableWidget-compare")
    expect(compare).to_have_text("Compare (2)")
    compare.click()

    # Then the comparison shows both runs, their differing param and the charts
    comparison = page.locator(".mlops-CompareRuns[data-runs='2']")
    expect(comparison).to_be_visible(timeout=30_000)
    expect(comparison.locator("tr.mlops-CompareRuns-differs td").first).to_have_text("lr")
    expect(comparison.locator(".mlops-ParallelCoordinates canvas").first).to_be_visible()
    expect(comparison.locator(".mlops-MetricChart canvas").first).to_be_visible()
    mlops_screenshot(page, "widgets-compare-runs.png")

    # ...and Python sees the selection
    _run_cell(page, 1)
    expect(page.locator(".jp-OutputArea-output", has_text="SELECTED 2")).to_be_visible(
        timeout=30_000
    )
