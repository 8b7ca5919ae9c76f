"""Pipelines in a real JupyterLab: load a pipeline file, submit it from the generated
form, and watch its DAG turn green, then read a step's log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from .lab_actions import WCAG_CONTRAST_JS, choose_theme, run_command
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


# -- issue 17: Load reads a notebook's pipelines and runs nothing; the DAG fits, in order,
# -- readable in both themes; launcher cards ------------------------------------------

FAN_OUT_CELLS = [
    "import jupyter_mlops as mlops",
    """
@mlops.step(cache=False)
def train(item: int) -> int:
    return item


@mlops.pipeline
def load_only_fan(n: int = 4):
    for item in mlops.parallel_for([0, 1, 2, 3]):
        train(item=item)
""",
    # What a notebook goes on to do with its pipeline: none of it may happen on Load.
    "run = mlops.pipelines.submit(load_only_fan, {'n': 4})\nrun.wait()",
    "mlops.pipelines.schedule(load_only_fan, '0 * * * *')",
    "mlops.pipelines.submit(load_only_fan).wait()",
]

# The WCAG contrast of an SVG node's label against its box, from computed styles; colours
# are normalised by painting them on a canvas (any CSS colour syntax, alpha composited).
_LABEL_CONTRAST_JS = (
    """
(node) => {"""
    + WCAG_CONTRAST_JS
    + """
  const body = getComputedStyle(document.body).backgroundColor;
  const rect = getComputedStyle(node.querySelector('rect')).fill;
  const text = getComputedStyle(node.querySelector('text')).fill;
  return contrast([body, rect], text);
}
"""
)


def _check_dag_drawing(page: Page, theme: str) -> None:
    run = page.locator(".jp-mlops-pipeline-run")
    nodes = run.locator(".jp-mlops-dag-node")
    # Fan-out left to right by index.
    xs = [
        run.locator(f'.jp-mlops-dag-node[data-step-id="train[{i}]"]').bounding_box()["x"]  # type: ignore[index]
        for i in range(4)
    ]
    assert xs == sorted(xs) and len(set(xs)) == 4, f"fan-out out of order: {xs}"
    # The drawing fits its scroll box: nothing clipped, no scroll bar for a DAG that fits.
    fit = run.locator(".jp-mlops-dag-scroll").evaluate(
        """(box) => {
          const outer = box.getBoundingClientRect();
          const svg = box.querySelector('svg').getBoundingClientRect();
          return {
            inside: svg.left >= outer.left - 0.5 && svg.right <= outer.right + 0.5 &&
                    svg.top >= outer.top - 0.5 && svg.bottom <= outer.bottom + 0.5,
            scrolls: box.scrollWidth > box.clientWidth + 1 ||
                     box.scrollHeight > box.clientHeight + 1,
            svgWidth: svg.width,
            boxWidth: outer.width,
          };
        }"""
    )
    assert fit["inside"] and not fit["scrolls"], f"{theme}: DAG clipped by its box: {fit}"
    # Each label reads on its box (WCAG AA for text: 4.5).
    for index in range(nodes.count()):
        contrast = nodes.nth(index).evaluate(_LABEL_CONTRAST_JS)
        label = nodes.nth(index).get_attribute("data-step-id")
        assert contrast >= 4.5, f"{theme}: label of {label} has contrast {contrast:.2f}"


def test_load_reads_a_notebook_without_running_it_and_its_dag_fits_in_both_themes(
    mlops_page: Page, mlops_lab: LabServer, mlops_screenshot: Callable[[Page, str], Path]
) -> None:
    import nbformat

    page = mlops_page
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in FAN_OUT_CELLS]
    # Its calls reach this very server, as a kernel started by it would.
    notebook.cells.insert(
        1,
        nbformat.v4.new_code_cell(
            f"mlops.set_tracking_uri({mlops_lab.url!r}, token={mlops_lab.token!r})"
        ),
    )
    nbformat.write(notebook, str(mlops_lab.root / "load_only_fan.ipynb"))

    # The launcher has a Pipelines card, which opens the panel.
    run_command(page, "New Launcher")
    launcher = page.locator(".jp-Launcher").last
    expect(launcher.locator('.jp-LauncherCard[title^="Load, run and schedule"]')).to_be_visible()
    expect(launcher.locator(".jp-LauncherCard", has_text="Notebook Servers")).to_be_visible()
    launcher.locator(".jp-LauncherCard", has_text="Pipelines").click()
    panel = page.locator(".jp-mlops-pipelines")
    expect(panel).to_be_visible()

    panel.get_by_label("Pipeline file").fill("load_only_fan.ipynb")
    panel.locator(".jp-mlops-load").click()
    form = panel.locator(".jp-mlops-submit-form")
    expect(form.locator("input[name=n]")).to_have_value("4", timeout=60_000)

    def mine(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
        return [
            item
            for item in items
            if item.get(key) == "load-only-fan" or item.get(key) == "load_only_fan"
        ]

    # Loading ran none of the notebook's submit and schedule calls.
    runs = mlops_lab.api("GET", "pipeline-runs")["runs"]
    assert mine(runs, "name") == [], runs
    schedules = mlops_lab.api("GET", "pipeline-schedules")["schedules"]
    assert mine(schedules, "pipeline_name") == [], schedules

    # Submitted from the form, its DAG draws the fan-out in order, fitted to its box.
    form.locator(".jp-mlops-submit").click()
    run = page.locator(".jp-mlops-pipeline-run")
    expect(run.locator(".jp-mlops-run-state")).to_have_text("SUCCEEDED", timeout=60_000)
    expect(run.locator(".jp-mlops-dag-node")).to_have_count(4)
    _check_dag_drawing(page, "light")
    try:
        choose_theme(page, "JupyterLab Dark")
        _check_dag_drawing(page, "dark")
        mlops_screenshot(page, "pipelines-run-dark.png")
    finally:
        choose_theme(page, "JupyterLab Light")
