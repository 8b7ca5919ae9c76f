"""The run page and the registry pages, walked as a user walks them (issue #17).

A small sweep is logged through the Python API (over REST to the lab): a parent run
with two trials, one of which failed in a ``%%track`` cell (its error tag and traceback
artifact are written as the magic writes them). The user follows the failed trial's
error, its parent and children, writes a note and moves between tabs and artifact
previews (the page must never go blank), reads a metric logged once as a number, and
finds the trial by name in the registry. Then a pipeline form shows its parameter types
in words.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from jupyter_mlops.client.client import MlopsClient, make_metric

from .lab_actions import close_mlops_tabs, open_experiment_runs, run_command
from .lab_server import LabServer

TRACEBACK = """Traceback (most recent call last):
  File "train.py", line 12, in <module>
    fit(lr=3.0)
ValueError: learning rate too high
"""
README = "# Trial notes\n\nThe **small** learning rate wins.\n"
MODEL = "run-page-classifier"


@pytest.fixture(autouse=True)
def mlops_tidy_lab(mlops_page: Page) -> Iterator[None]:
    """Leave the lab as each test found it (the workspace is shared by the session)."""
    yield
    close_mlops_tabs(mlops_page)
    if not mlops_page.locator("#jp-left-stack").is_visible():
        mlops_page.keyboard.press("Control+B")
        expect(mlops_page.locator("#jp-left-stack")).to_be_visible()


@pytest.fixture(scope="module")
def mlops_sweep(mlops_lab: LabServer) -> dict[str, str]:
    """A parent run, a finished trial (registered as a model) and a failed trial."""
    with MlopsClient(mlops_lab.url, mlops_lab.token) as client:
        experiment_id = client.create_experiment("run-page").experiment_id
        now = int(time.time() * 1000)
        parent = client.create_run(experiment_id, run_name="sweep-parent", start_time=now - 60_000)
        parent_id = parent.info.run_id
        ok = client.create_run(
            experiment_id, run_name="trial-ok", start_time=now - 50_000, parent_run_id=parent_id
        )
        ok_id = ok.info.run_id
        losses = [0.45, 0.43, 0.42, 0.41, 0.405]
        client.log_batch(
            ok_id,
            metrics=[make_metric("loss", v, step, now + step) for step, v in enumerate(losses)]
            + [make_metric("test_accuracy", 0.93, 0, now)],
            params={"lr": "0.01"},
        )
        client.log_text(ok_id, README, "README.md")
        client.log_text(ok_id, "plain words", "notes.txt")
        client.log_text(ok_id, "weights", "model/model.bin")
        client.set_terminated(ok_id, "FINISHED")

        crash = client.create_run(
            experiment_id, run_name="trial-crash", start_time=now - 40_000, parent_run_id=parent_id
        )
        crash_id = crash.info.run_id
        client.log_text(crash_id, TRACEBACK, "cell/traceback.txt")
        client.set_tag(crash_id, "mlops.cell.error", "ValueError: learning rate too high")
        client.set_terminated(crash_id, "FAILED")
        client.set_terminated(parent_id, "FINISHED")

    mlops_lab.api("POST", "registered-models", json={"name": MODEL})
    mlops_lab.api(
        "POST",
        f"registered-models/{MODEL}/versions",
        json={"source": f"runs:/{ok_id}/model", "run_id": ok_id},
    )
    return {"experiment_id": experiment_id, "parent": parent_id, "ok": ok_id, "crash": crash_id}


def _run_view(page: Page, run_id: str) -> Locator:
    view = page.locator(f'.mlops-RunView[data-run-id="{run_id}"]')
    expect(view).to_be_visible()
    return view


def test_run_page_error_family_notes_previews_and_registry(
    mlops_page: Page,
    mlops_sweep: dict[str, str],
    mlops_screenshot: Callable[[Page, str], Path],
) -> None:
    page = mlops_page
    # Given the sweep, when the user opens the failed trial from the runs table
    # (the trials sit under the sweep's row, which expands to show them)
    open_experiment_runs(page, mlops_sweep["experiment_id"], rows=1)
    sweep_row = page.locator(".mlops-RunsView .mlops-RunsTable-row").first
    sweep_row.locator(".mlops-RunsTable-expand").click()
    expect(page.locator(".mlops-RunsView .mlops-RunsTable-row")).to_have_count(3)
    page.locator(".mlops-RunsView .mlops-RunsTable-runLink", has_text="trial-crash").click()
    crash = _run_view(page, mlops_sweep["crash"])

    # Then its overview says why it failed: the exception, and the traceback it recorded
    error = crash.locator(".mlops-RunError")
    expect(error.locator(".mlops-RunError-summary")).to_have_text(
        "ValueError: learning rate too high"
    )
    traceback = error.locator(".mlops-RunError-traceback")
    expect(traceback).to_contain_text("Traceback (most recent call last):")
    expect(traceback).to_contain_text('File "train.py", line 12')
    expect(error).to_contain_text("cell/traceback.txt")
    mlops_screenshot(page, "run-page-error.png")

    # And links to its parent by name; the parent lists its children, which open
    parent_link = crash.locator(".mlops-RunFamily-parent")
    expect(parent_link).to_have_text("sweep-parent")
    parent_link.click()
    parent = _run_view(page, mlops_sweep["parent"])
    expect(parent.locator(".mlops-RunError")).to_have_count(0)
    children = parent.locator(".mlops-RunFamily-children")
    expect(children.locator("h3")).to_have_text("Child runs (2)")
    expect(children.locator(".mlops-RunFamily-child")).to_have_text(["trial-ok", "trial-crash"])
    expect(children.locator("li", has_text="trial-crash")).to_contain_text("failed")
    children.locator(".mlops-RunFamily-child", has_text="trial-ok").click()
    ok = _run_view(page, mlops_sweep["ok"])
    expect(ok.locator(".mlops-RunError")).to_have_count(0)

    # When they write a note and save it, it renders as Markdown
    ok.locator(".mlops-NotesEditor-edit").click()
    ok.locator(".mlops-NotesEditor-text").fill("## Findings\n\nlr **0.01** works")
    ok.locator(".mlops-NotesEditor-save").click()
    expect(ok.locator(".mlops-NotesEditor-rendered h2")).to_contain_text("Findings")

    # And then open Metrics: the page stays (it went blank: "Widget is not attached")
    ok.get_by_role("tab", name="Metrics (2)").click()
    # A metric logged once is a number, not a lone dot on a 0-100 axis
    accuracy = ok.locator('.mlops-ChartCard[data-metric="test_accuracy"]')
    expect(accuracy.locator(".mlops-SingleValue-number")).to_have_text("0.93")
    expect(accuracy.locator("canvas")).to_have_count(0)
    # A metric with several points stays a line chart
    loss = ok.locator('.mlops-ChartCard[data-metric="loss"] .mlops-MetricChart')
    expect(loss).to_have_attribute("data-points", "5")
    expect(loss.locator("canvas")).to_be_visible()
    mlops_screenshot(page, "run-page-metrics.png")

    # Back to the overview, Edit notes opens the saved text; Cancel shows it rendered
    ok.get_by_role("tab", name="Overview").click()
    expect(ok.locator(".mlops-NotesEditor-rendered strong")).to_have_text("0.01")
    ok.locator(".mlops-NotesEditor-edit").click()
    expect(ok.locator(".mlops-NotesEditor-text")).to_have_value("## Findings\n\nlr **0.01** works")
    ok.get_by_role("button", name="Cancel").click()
    expect(ok.locator(".mlops-NotesEditor-rendered h2")).to_contain_text("Findings")

    # A Markdown artifact previews rendered; picking another file replaces it
    ok.get_by_role("tab", name="Artifacts").click()
    ok.locator('.mlops-ArtifactBrowser-item[data-path="README.md"]').click()
    preview = ok.locator(".mlops-ArtifactPreview")
    expect(preview.locator("h1")).to_contain_text("Trial notes")
    ok.locator('.mlops-ArtifactBrowser-item[data-path="notes.txt"]').click()
    expect(preview.locator(".mlops-ArtifactPreview-text")).to_have_text("plain words")
    ok.locator('.mlops-ArtifactBrowser-item[data-path="README.md"]').click()
    expect(preview.locator("strong")).to_have_text("small")
    ok.get_by_role("tab", name="Overview").click()
    expect(ok.locator(".mlops-NotesEditor-rendered h2")).to_contain_text("Findings")

    # The registry names the version's source run, and the name opens it
    run_command(page, "MLOps Model Registry")
    registry = page.locator(".mlops-RegistryView")
    registry.locator(f'.mlops-RegistryView-model[data-model="{MODEL}"]').click()
    version = registry.locator('.mlops-VersionsTable tr[data-version="1"]')
    source_run = version.locator(".mlops-VersionsTable-run")
    expect(source_run).to_have_text("trial-ok")
    source_run.click()
    _run_view(page, mlops_sweep["ok"])


PIPELINE_FILE = """
import jupyter_mlops as mlops


@mlops.step
def train(epochs: int, lr: float, name: str) -> str:
    return f"{name}: {epochs} epochs at {lr}"


@mlops.pipeline
def typed_training(epochs: int = 3, lr: float = 0.1, name: str = "base"):
    return train(epochs=epochs, lr=lr, name=name)
"""


def test_pipeline_form_names_parameter_types_in_words(
    mlops_page: Page, mlops_lab: LabServer
) -> None:
    page = mlops_page
    # The panel lives in the left side bar: have it shown.
    if not page.locator("#jp-left-stack").is_visible():
        page.keyboard.press("Control+B")
    (mlops_lab.root / "ui_typed_training.py").write_text(PIPELINE_FILE)
    run_command(page, "Open MLOps Pipelines")
    panel = page.locator(".jp-mlops-pipelines")
    panel.get_by_label("Pipeline file").fill("ui_typed_training.py")
    panel.locator(".jp-mlops-load").click()
    form = panel.locator(".jp-mlops-submit-form")
    # Compiling imports the file in a subprocess: allow for a loaded machine.
    expect(form.locator("input[name=epochs]")).to_have_value("3", timeout=60_000)
    # Then each field says its type in words, not as NUMBER_INTEGER
    types = {
        name: form.locator(".jp-mlops-form-field", has=page.locator(f"input[name={name}]"))
        for name in ("epochs", "lr", "name")
    }
    expect(types["epochs"].locator("small")).to_have_text("whole number")
    expect(types["lr"].locator("small")).to_have_text("number")
    expect(types["name"].locator("small")).to_have_text("text")
    expect(form).not_to_contain_text("NUMBER_")
    # And a value of the wrong type is refused in the same words, before anything runs
    form.locator("input[name=epochs]").fill("2.5")
    form.locator(".jp-mlops-submit").click()
    expect(form.locator(".jp-mlops-field-error[data-field=epochs]")).to_contain_text(
        "expected a whole number"
    )
