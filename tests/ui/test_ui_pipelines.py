"""Pipelines in a real JupyterLab: load a pipeline file, submit it from the generated
form, and watch its DAG turn green, then read a step's log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from .lab_actions import run_command
from .lab_server import LabServer

PIPELINE_FILE = """
import jupyter_mlops as mlops


@mlops.step(cache=False)
def prepare(rows: int) -> int:
    import time

    time.sleep(1.5)
    print(f"prepared {rows} rows")
    return rows


@mlops.step(cache=False)
def train(rows: int, lr: float) -> float:
    print(f"training on {rows} rows with lr={lr}")
    return rows * lr


@mlops.step(cache=False)
def evaluate(score: float) -> str:
    return "good" if score > 1 else "bad"


@mlops.pipeline
def ui_demo(rows: int = 100, lr: float = 0.1):
    data = prepare(rows=rows)
    for factor in mlops.parallel_for([1, 2]):
        train(rows=data, lr=lr)
    return evaluate(score=train(rows=data, lr=lr))
"""


def test_submitted_run_dag_turns_green_and_shows_logs(
    mlops_page: Page, mlops_lab: LabServer, mlops_screenshot: Callable[[Page, str], Path]
) -> None:
    page = mlops_page
    (mlops_lab.root / "ui_flows.py").write_text(PIPELINE_FILE)

    run_command(page, "Open MLOps Pipelines")
    panel = page.locator(".jp-mlops-pipelines")
    expect(panel).to_be_visible()
    panel.get_by_label("Pipeline file").fill("ui_flows.py")
    panel.locator(".jp-mlops-load").click()

    # The form is generated from the pipeline's parameters, with their defaults.
    form = panel.locator(".jp-mlops-submit-form")
    # Compiling imports the file in a subprocess: allow for a loaded machine.
    expect(form.locator("input[name=rows]")).to_have_value("100", timeout=60_000)
    expect(form.locator("input[name=lr]")).to_have_value("0.1")
    form.locator("input[name=rows]").fill("20")
    form.locator(".jp-mlops-submit").click()

    run = page.locator(".jp-mlops-pipeline-run")
    expect(run).to_be_visible()
    prepare = run.locator(".jp-mlops-dag-node[data-step-id=prepare]")
    # Live: the first step is seen running before everything turns green.
    expect(prepare).to_have_attribute("data-state", "RUNNING", timeout=30_000)
    expect(run.locator(".jp-mlops-run-state")).to_have_text("SUCCEEDED", timeout=60_000)
    nodes = run.locator(".jp-mlops-dag-node")
    expect(nodes).to_have_count(5)  # prepare, train[0], train[1], train-2, evaluate
    for index in range(5):
        expect(nodes.nth(index)).to_have_attribute("data-state", "SUCCEEDED")
    expect(run.locator(".jp-mlops-dag-node.jp-mlops-step-succeeded")).to_have_count(5)

    run.locator(".jp-mlops-dag-node[data-step-id='train-2']").click()
    details = run.locator(".jp-mlops-step-details")
    expect(details.locator(".jp-mlops-step-log")).to_contain_text("training on 20 rows with lr=0.1")
    expect(details.locator(".jp-mlops-step-outputs")).to_contain_text("2")
    expect(details.locator(".jp-mlops-step-cache")).to_have_text("executed")
    expect(run.locator(".jp-mlops-retry")).to_be_disabled()
    mlops_screenshot(page, "pipelines-run.png")
