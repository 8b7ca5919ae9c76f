"""The MLOps sidebar, seen by a user in a real JupyterLab."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from .lab_actions import run_command
from .lab_server import LabServer

SIDEBAR = "#jp-mlops-sidebar"


def _wire_float(value: float) -> float | str:
    """JSON has no NaN: the API takes the proto3 JSON string for it."""
    return "NaN" if math.isnan(value) else value


def _log_run(
    lab: LabServer,
    experiment_id: str,
    name: str,
    metrics: dict[str, float],
    status: str | None,
    started_ago_s: float,
) -> str:
    now_ms = int(time.time() * 1000)
    start = now_ms - int(started_ago_s * 1000)
    run = lab.api(
        "POST",
        "runs",
        json={"experiment_id": experiment_id, "run_name": name, "start_time": start},
    )["run"]
    run_id = run["info"]["run_id"]
    lab.api(
        "POST",
        f"runs/{run_id}/batch",
        json={
            "metrics": [
                {"key": key, "value": _wire_float(value), "step": 9, "timestamp": now_ms}
                for key, value in metrics.items()
            ],
            "params": {"lr": "0.01", "optimizer": "adam"},
        },
    )
    if status is not None:
        lab.api("PATCH", f"runs/{run_id}", json={"status": status, "end_time": now_ms})
    return run_id


def test_sidebar_lists_experiments_and_recent_runs(
    mlops_lab: LabServer,
    mlops_page: Page,
    mlops_screenshot: Callable[[Page, str], Path],
) -> None:
    # Given an experiment with a finished, a failed and a running run, logged over REST
    experiment = mlops_lab.api(
        "POST", "experiments", json={"name": "churn-model", "description": "Churn classifier"}
    )["experiment"]
    experiment_id = experiment["experiment_id"]
    _log_run(
        mlops_lab, experiment_id, "baseline", {"loss": 0.4821, "accuracy": 0.83}, "FINISHED", 3600
    )
    _log_run(mlops_lab, experiment_id, "wide-net", {"loss": float("nan")}, "FAILED", 1800)
    _log_run(
        mlops_lab,
        experiment_id,
        "tuned-lr",
        {"loss": 0.2345, "accuracy": 0.912, "f1": 0.88, "val_loss": 0.31},
        None,
        95,
    )

    # When the user opens the MLOps sidebar from the command palette
    run_command(mlops_page, "Open MLOps Sidebar")
    sidebar = mlops_page.locator(SIDEBAR)
    expect(sidebar).to_be_visible()

    # Then the experiment is listed (newest first, so selected) with its owner and run count
    item = sidebar.locator(f'[data-experiment-id="{experiment_id}"]')
    expect(item).to_contain_text("churn-model")
    expect(item).to_contain_text("3 runs")
    expect(item).to_have_attribute("aria-selected", "true")
    expect(sidebar.locator(".mlops-ExperimentList-item", has_text="Default")).to_be_visible()

    # And its runs, newest first, with status badges and the latest metric values
    runs = sidebar.locator(".mlops-RunItem")
    expect(runs).to_have_count(3)
    tuned = runs.nth(0)
    expect(tuned).to_contain_text("tuned-lr")
    expect(tuned.locator(".mlops-StatusBadge")).to_have_text("Running")
    expect(tuned.locator(".mlops-RunItem-value", has_text="loss").first).to_contain_text("0.2345")
    expect(tuned.locator(".mlops-RunItem-value", has_text="accuracy")).to_contain_text("0.912")
    # Only three metrics fit: the fourth (val_loss, alphabetically last) is left out
    expect(tuned.locator(".mlops-RunItem-value")).to_have_count(3)
    expect(runs.nth(1)).to_contain_text("wide-net")
    expect(runs.nth(1).locator(".mlops-StatusBadge")).to_have_text("Failed")
    expect(runs.nth(1).locator(".mlops-RunItem-value")).to_contain_text("NaN")
    baseline = runs.nth(2)
    expect(baseline.locator(".mlops-StatusBadge")).to_have_text("Finished")
    expect(baseline).to_contain_text("1 h ago")
    expect(baseline.locator(".mlops-RunItem-value", has_text="loss")).to_contain_text("0.4821")
    expect(sidebar.locator('[role="alert"]')).to_have_count(0)

    # The launcher beside the sidebar makes the screenshot read as a real session
    mlops_page.keyboard.press("Control+Shift+L")
    expect(mlops_page.locator(".jp-Launcher").first).to_be_visible()
    mlops_screenshot(mlops_page, "sidebar.png")

    # When a run is logged and the user runs the refresh command, it appears
    _log_run(mlops_lab, experiment_id, "late-run", {"loss": 0.19}, "FINISHED", 5)
    run_command(mlops_page, "Refresh MLOps Experiments")
    expect(runs.nth(0)).to_contain_text("late-run")
    expect(item).to_contain_text("4 runs")


def test_choosing_an_experiment_shows_its_runs(mlops_lab: LabServer, mlops_page: Page) -> None:
    # Given two experiments, one without runs
    busy = mlops_lab.api("POST", "experiments", json={"name": "busy"})["experiment"]
    _log_run(mlops_lab, busy["experiment_id"], "only-run", {"rmse": 1.5}, "FINISHED", 60)
    empty = mlops_lab.api("POST", "experiments", json={"name": "empty"})["experiment"]

    run_command(mlops_page, "Open MLOps Sidebar")
    sidebar = mlops_page.locator(SIDEBAR)

    # When the user picks the empty experiment, it says so
    sidebar.locator(f'[data-experiment-id="{empty["experiment_id"]}"]').click()
    expect(sidebar).to_contain_text("No runs in this experiment yet.")

    # And picking the other one (by keyboard) shows its run
    other = sidebar.locator(f'[data-experiment-id="{busy["experiment_id"]}"]')
    other.focus()
    mlops_page.keyboard.press("Enter")
    expect(other).to_have_attribute("aria-selected", "true")
    expect(sidebar.locator(".mlops-RunItem")).to_contain_text("only-run")
    expect(sidebar.locator(".mlops-RunItem")).to_contain_text("1.5")
