"""The runs table and the sidebar (issue #17): nested runs, columns chosen per experiment
(params and metrics shown by default), a filter box that keeps its text on Escape, a
"view run" link in a %%track cell's output, and a sidebar whose experiment list keeps
its rows when an experiment has many runs."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from jupyter_mlops.client.client import MlopsClient, make_metric

from .lab_actions import close_mlops_tabs, run_command
from .lab_server import LabServer

RUNS_VIEW = ".mlops-RunsView"
SIDEBAR = "#jp-mlops-sidebar"
SETTINGS_ID = "jupyter-mlops:plugin"


@pytest.fixture(scope="module")
def mlops_client(mlops_lab: LabServer) -> Iterator[MlopsClient]:
    with MlopsClient(mlops_lab.url, mlops_lab.token) as client:
        yield client


def _finished_run(
    client: MlopsClient,
    experiment_id: str,
    name: str,
    *,
    params: dict[str, str],
    metrics: dict[str, float],
    start: int,
    parent: str | None = None,
) -> str:
    run = client.create_run(experiment_id, run_name=name, start_time=start, parent_run_id=parent)
    run_id = run.info.run_id
    client.log_batch(
        run_id,
        metrics=[make_metric(key, value, 0, start) for key, value in metrics.items()],
        params=params or None,
    )
    client.set_terminated(run_id, "FINISHED")
    return run_id


@pytest.fixture(scope="module")
def mlops_pipeline_runs(mlops_client: MlopsClient) -> dict[str, str]:
    """An experiment with a pipeline run and its three steps, and a run of its own; and a
    second experiment with other params and metrics."""
    client = mlops_client
    now = int(time.time() * 1000)
    first = client.create_experiment("h8-pipeline").experiment_id
    ids = {"experiment": first}
    ids["pipeline"] = _finished_run(
        client,
        first,
        "pipeline",
        params={"lr": "0.01", "batch": "32"},
        metrics={"loss": 0.3, "acc": 0.9},
        start=now - 60_000,
    )
    for index, step in enumerate(["prepare", "train", "evaluate"]):
        _finished_run(
            client,
            first,
            step,
            params={},
            metrics={"step_seconds": 1.0 + index},
            start=now - 50_000 + index * 1000,
            parent=ids["pipeline"],
        )
    ids["solo"] = _finished_run(
        client,
        first,
        "solo",
        params={"lr": "0.1", "batch": "64"},
        metrics={"loss": 0.5, "acc": 0.8},
        start=now - 10_000,
    )
    second = client.create_experiment("h8-forest").experiment_id
    ids["other_experiment"] = second
    _finished_run(client, second, "forest", params={"depth": "6"}, metrics={"rmse": 1.5}, start=now)
    return ids


def _headers(view: Locator) -> list[str]:
    return [
        h.get_attribute("data-column") or ""
        for h in view.locator(".mlops-RunsTable-th").all()
        if h.get_attribute("data-column") not in ("__select", "run_name")
    ]


def _saved_settings(lab: LabServer) -> dict[str, object]:
    answer = requests.get(
        f"{lab.url}lab/api/settings/{SETTINGS_ID}",
        headers={"Authorization": f"token {lab.token}"},
        timeout=30,
    )
    answer.raise_for_status()
    return dict(answer.json()["settings"])


def test_nested_runs_columns_per_experiment_and_the_filter_box(
    mlops_lab: LabServer, mlops_page: Page, mlops_pipeline_runs: dict[str, str]
) -> None:
    page = mlops_page
    ids = mlops_pipeline_runs
    run_command(page, "MLOps Runs")
    view = page.locator(RUNS_VIEW)
    expect(view).to_be_visible()
    pane_item = ".mlops-ExperimentsPane-item[data-experiment-id='{}']"
    view.locator(pane_item.format(ids["experiment"])).click()

    # The pipeline's steps are not listed flat: two top-level rows, the pipeline's with
    # a toggle that shows its three steps nested under it.
    rows = view.locator(".mlops-RunsTable-row")
    expect(rows).to_have_count(2)
    assert view.locator(".mlops-RunsTable-runLink").all_inner_texts() == ["solo", "pipeline"]
    parent_row = view.locator(f'.mlops-RunsTable-row[data-run-id="{ids["pipeline"]}"]')
    expect(parent_row).to_have_attribute("aria-expanded", "false")
    parent_row.locator(".mlops-RunsTable-expand").click()
    expect(rows).to_have_count(5)
    assert view.locator(".mlops-RunsTable-runLink").all_inner_texts() == [
        "solo",
        "pipeline",
        "evaluate",
        "train",
        "prepare",
    ]
    expect(view.locator(f'[data-parent-run-id="{ids["pipeline"]}"][aria-level="2"]')).to_have_count(
        3
    )
    parent_row.locator(".mlops-RunsTable-expand").click()
    expect(rows).to_have_count(2)

    # By default the params and metrics of the experiment are columns
    expect(view.locator('.mlops-RunsTable-th[data-column="params.lr"]')).to_be_visible()
    for column in ("params.batch", "params.lr", "metrics.acc", "metrics.loss"):
        assert column in _headers(view), _headers(view)

    # The user hides the loss column in this experiment...
    view.locator(".mlops-ColumnPicker-toggle").click()
    menu = view.locator(".mlops-ColumnPicker-menu")
    menu.locator('li[data-column="metrics.loss"] button[title="Hide"]').click()
    expect(view.locator('.mlops-RunsTable-th[data-column="metrics.loss"]')).to_have_count(0)
    expect(menu.locator(".mlops-ColumnPicker-reset")).to_be_visible()
    view.locator(".mlops-ColumnPicker-toggle").click()
    expect(menu).to_have_count(0)

    # ...which another experiment does not share: its own params and metrics show
    view.locator(pane_item.format(ids["other_experiment"])).click()
    expect(view.locator(".mlops-RunsTable-runLink", has_text="forest")).to_be_visible()
    expect(view.locator('.mlops-RunsTable-th[data-column="metrics.rmse"]')).to_be_visible()
    assert {"params.depth", "metrics.rmse"} <= set(_headers(view))

    # Back on the first experiment the choice is still there, saved in the settings
    view.locator(pane_item.format(ids["experiment"])).click()
    expect(rows).to_have_count(2)
    expect(view.locator('.mlops-RunsTable-th[data-column="params.lr"]')).to_be_visible()
    assert "metrics.loss" not in _headers(view)
    saved = _saved_settings(mlops_lab)["runColumnsByExperiment"]
    assert isinstance(saved, dict) and "metrics.loss" not in saved[ids["experiment"]]
    assert "metrics.acc" in saved[ids["experiment"]]

    # Escape in the filter box closes the completions and keeps the text; the next Enter
    # applies the filter (it used to wipe it, then Enter inserted "metrics.").
    box = view.locator(".mlops-FilterBox-input")
    box.click()
    box.type("params.lr = '0.1'")
    page.keyboard.press("Escape")
    expect(box).to_have_value("params.lr = '0.1'")
    expect(view.locator(".mlops-FilterBox-completions")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(box).to_have_value("params.lr = '0.1'")
    expect(view.locator(".mlops-RunsTable-runLink")).to_have_text(["solo"])
    # With the completion list open, Escape closes only the list
    box.press("End")
    box.type(" AND metrics.ac")
    expect(view.locator(".mlops-FilterBox-option", has_text="acc")).to_be_visible()
    page.keyboard.press("Escape")
    expect(view.locator(".mlops-FilterBox-completions")).to_have_count(0)
    expect(box).to_have_value("params.lr = '0.1' AND metrics.ac")
    view.locator(".mlops-FilterBox-clear").click()
    expect(rows).to_have_count(2)

    # "Default columns" forgets the choice
    view.locator(".mlops-ColumnPicker-toggle").click()
    menu.locator(".mlops-ColumnPicker-reset").click()
    expect(view.locator('.mlops-RunsTable-th[data-column="metrics.loss"]')).to_be_visible()
    close_mlops_tabs(page)


def _write_notebook(path: Path, source: str) -> None:
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "execution_count": None,
                        "id": "cell-0",
                        "metadata": {},
                        "outputs": [],
                        "source": source,
                    }
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
        )
    )


def test_track_cell_shows_a_link_that_opens_its_run(
    mlops_lab: LabServer, mlops_page: Page, mlops_pipeline_runs: dict[str, str]
) -> None:
    # Given a notebook whose cell is tracked (the server loads the magics into kernels),
    # in an experiment of this module (every new experiment lengthens the sidebar's list)
    _write_notebook(
        mlops_lab.root / "run-link.ipynb",
        "%%track --experiment h8-forest --name linked-run\nprint('trained')",
    )
    page = mlops_page
    # In a workspace of its own, so the lab's default one does not reopen the notebook.
    page.goto(
        f"{mlops_lab.url}lab/workspaces/h8-link/tree/run-link.ipynb?reset&token={mlops_lab.token}"
    )
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=60_000)

    # When it runs, its output starts with a "View run" button, above what it printed
    prompt = page.locator(".jp-InputPrompt").first
    for _ in range(3):
        page.locator(".jp-Cell").first.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        try:
            expect(prompt).not_to_have_text("[ ]:", timeout=10_000)
            break
        except AssertionError:
            continue
    button = page.locator(".jp-OutputArea-output .mlops-RunLink-open")
    expect(button).to_have_text("View run linked-run", timeout=60_000)
    expect(page.locator(".jp-OutputArea-output", has_text="trained")).to_be_visible()
    run_id = button.get_attribute("data-run-id")
    assert run_id

    # And clicking it opens that run in the MLOps panel
    button.click()
    run_view = page.locator(f'.mlops-RunView[data-run-id="{run_id}"]')
    expect(run_view).to_be_visible()
    expect(run_view.locator(".mlops-RunView-title")).to_contain_text("linked-run")
    close_mlops_tabs(page)


def test_sidebar_keeps_its_experiment_rows_next_to_an_experiment_of_60_runs(
    mlops_lab: LabServer,
    mlops_page: Page,
    mlops_client: MlopsClient,
    mlops_pipeline_runs: dict[str, str],
) -> None:
    # Given a few experiments (this module's and the lab's Default), one with 60 more runs
    big = mlops_pipeline_runs["other_experiment"]
    now = int(time.time() * 1000)
    for index in range(60):
        run = mlops_client.create_run(big, run_name=f"r{index}", start_time=now - index * 1000)
        mlops_client.set_terminated(run.info.run_id, "FINISHED")

    # When the user opens the sidebar and picks that experiment (in a workspace of its
    # own: the lab's default one would reopen the sidebar, with stale data, for later tests)
    page = mlops_page
    page.goto(f"{mlops_lab.url}lab/workspaces/h8-sidebar?reset&token={mlops_lab.token}")
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
    run_command(page, "Open MLOps Sidebar")
    sidebar = page.locator(SIDEBAR)
    expect(sidebar).to_be_visible()
    sidebar.locator(f'.mlops-ExperimentList-item[data-experiment-id="{big}"]').click()
    expect(sidebar.locator(".mlops-RunItem").first).to_be_visible()

    # Then the experiment list keeps its rows (all of them, or 40% of the sidebar; it used
    # to shrink to a row and a half), and the runs scroll below it
    section = sidebar.locator(".mlops-SidebarView-experiments")
    sizes = section.evaluate(
        """s => ({
            shown: s.clientHeight,
            content: s.scrollHeight,
            sidebar: s.closest('.mlops-SidebarView').clientHeight,
            row: s.querySelector('.mlops-ExperimentList-item').offsetHeight
        })"""
    )
    wanted = min(sizes["content"], 0.4 * sizes["sidebar"])
    assert sizes["content"] >= 3 * sizes["row"], sizes
    assert sizes["shown"] >= wanted - 2, sizes
    runs = sidebar.locator(".mlops-RunList")
    assert runs.evaluate("list => list.scrollHeight > list.clientHeight")
