"""The MLOps panel (main-area views), driven by a user in a real JupyterLab.

Data is logged through the Python API (``MlopsClient`` over REST to the lab), the way a
notebook logs it; the browser then browses, filters, sorts, opens, compares and registers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from jupyter_mlops.client.client import MlopsClient, make_metric

from .lab_actions import choose_theme, run_command
from .lab_server import LabServer

RUNS_VIEW = ".mlops-RunsView"


def _launch(page: Page, label: str) -> None:
    """Open a view from a new launcher tab, as a user does with the "+" button."""
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-addButton").first.click()
    page.locator(".jp-Launcher:visible .jp-LauncherCard", has_text=label).first.click()


@pytest.fixture(autouse=True)
def mlops_tidy_lab(mlops_page: Page) -> Iterator[None]:
    """Leave the lab as each test found it: the workspace is shared by the whole session,
    and restoring these views on the next page load would slow every later test down."""
    yield
    page = mlops_page
    page.keyboard.press("Escape")
    tabs = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab[data-id^="mlops-"]')
    while tabs.count() > 0:
        tab = tabs.first
        widget_id = tab.get_attribute("data-id")
        tab.locator(".lm-TabBar-tabCloseIcon").click()
        expect(page.locator(f'.lm-TabBar-tab[data-id="{widget_id}"]')).to_have_count(0)
        # JupyterLab's toolbar throttles work after a tab shows; closing the next tab
        # before that settles makes the toolbar fail in the page (a JupyterLab quirk).
        page.wait_for_timeout(300)
    if not page.locator("#jp-left-stack").is_visible():
        page.keyboard.press("Control+B")
        expect(page.locator("#jp-left-stack")).to_be_visible()


@pytest.fixture(scope="module")
def mlops_client(mlops_lab: LabServer) -> Iterator[MlopsClient]:
    with MlopsClient(mlops_lab.url, mlops_lab.token) as client:
        yield client


@pytest.fixture(scope="module")
def mlops_panel_runs(mlops_client: MlopsClient) -> dict[str, str]:
    """An experiment with three finished runs of a small sweep, each with a loss curve."""
    experiment_id = mlops_client.create_experiment("panel-sweep").experiment_id
    now = int(time.time() * 1000)
    runs: dict[str, str] = {}
    for index, (name, lr, final) in enumerate(
        [("slow", "0.001", 0.61), ("good", "0.01", 0.12), ("fast", "0.1", 0.35)]
    ):
        run = mlops_client.create_run(
            experiment_id, run_name=name, start_time=now - (3 - index) * 60_000
        )
        run_id = run.info.run_id
        metrics = [
            make_metric("loss", final + (1 - final) * math.exp(-step / 8), step, now + step)
            for step in range(60)
        ]
        metrics += [make_metric("accuracy", 1 - final / 2, 59, now + 59)]
        mlops_client.log_batch(
            run_id, metrics=metrics, params={"lr": lr, "optimizer": "adam", "seed": "1"}
        )
        mlops_client.log_text(run_id, "epoch,loss\n1,0.9\n2,0.5\n", "eval/loss.csv")
        mlops_client.log_text(run_id, "weights", "model/model.bin")
        mlops_client.log_dict(run_id, {"flavor": "sklearn"}, "model/MLmodel.json")
        mlops_client.set_terminated(run_id, "FINISHED")
        runs[name] = run_id
    runs["experiment_id"] = experiment_id
    return runs


def _open_runs(page: Page, experiment_id: str, *, palette: bool = False) -> None:
    # Room for the views (and their screenshots): the left side panel is not needed here.
    if page.locator("#jp-left-stack").is_visible():
        page.keyboard.press("Control+B")
        expect(page.locator("#jp-left-stack")).to_be_hidden()
    if palette:
        run_command(page, "MLOps Runs")
    else:
        _launch(page, "MLOps Runs")
    view = page.locator(RUNS_VIEW)
    expect(view).to_be_visible()
    view.locator(f'.mlops-ExperimentsPane-item[data-experiment-id="{experiment_id}"]').click()
    expect(view.locator(".mlops-RunsTable-row")).to_have_count(3)


def _row_names(page: Page) -> list[str]:
    return page.locator(f"{RUNS_VIEW} .mlops-RunsTable-runLink").all_inner_texts()


def test_runs_table_filters_sorts_and_opens_a_run_with_its_chart(
    mlops_page: Page,
    mlops_panel_runs: dict[str, str],
    mlops_screenshot: Callable[[Page, str], Path],
) -> None:
    page = mlops_page
    # Given the sweep, when the user opens the runs view on its experiment
    _open_runs(page, mlops_panel_runs["experiment_id"], palette=True)
    view = page.locator(RUNS_VIEW)
    # Newest first by default, with the metric columns the settings ask for
    assert _row_names(page) == ["fast", "good", "slow"]
    expect(view.locator('.mlops-RunsTable-th[data-column="metrics.loss"]')).to_be_visible()
    expect(view.locator(".mlops-ExperimentsPane-item", has_text="panel-sweep")).to_contain_text(
        "3 runs"
    )

    # When they sort by loss (descending on first click, ascending on the second)
    loss_header = view.locator('.mlops-RunsTable-th[data-column="metrics.loss"] button')
    loss_header.click()
    expect(view.locator(".mlops-RunsTable-runLink").first).to_have_text("slow")
    loss_header.click()
    expect(view.locator(".mlops-RunsTable-runLink").first).to_have_text("good")
    assert _row_names(page) == ["good", "fast", "slow"]

    # And type a filter: the box completes metric keys
    box = view.locator(".mlops-FilterBox-input")
    box.click()
    box.type("metrics.lo")
    expect(view.locator(".mlops-FilterBox-option", has_text="loss")).to_be_visible()
    page.keyboard.press("Tab")
    expect(box).to_have_value("metrics.loss")
    box.type(" < 0.5")
    page.keyboard.press("Enter")
    expect(view.locator(".mlops-RunsTable-row")).to_have_count(2)
    expect(view.locator(".mlops-RunsView-count")).to_contain_text("2 of 2 runs")

    # A bad filter shows the server's message under the box and keeps the rows
    box.fill("metrics.loss < AND x")
    page.keyboard.press("Enter")
    expect(view.locator(".mlops-FilterBox-error")).to_contain_text("Invalid filter")
    expect(view.locator(".mlops-RunsTable-row")).to_have_count(2)
    box.fill("params.lr = '0.01'")
    page.keyboard.press("Enter")
    expect(view.locator(".mlops-FilterBox-error")).to_have_count(0)
    expect(view.locator(".mlops-RunsTable-row")).to_have_count(1)
    view.locator(".mlops-FilterBox-clear").click()
    expect(view.locator(".mlops-RunsTable-row")).to_have_count(3)
    view.locator(".mlops-RunsTable").evaluate("table => { table.scrollLeft = 0; }")
    mlops_screenshot(page, "panel-runs.png")

    # When they open a run, its overview and its loss chart (drawn on a canvas) show
    view.locator(".mlops-RunsTable-runLink", has_text="good").click()
    run_view = page.locator(f'.mlops-RunView[data-run-id="{mlops_panel_runs["good"]}"]')
    expect(run_view).to_be_visible()
    expect(run_view.locator('.mlops-RunOverview-params [data-param="lr"]')).to_contain_text("0.01")
    expect(run_view.locator(".mlops-RunOverview-attributes")).to_contain_text("FINISHED".lower())
    run_view.get_by_role("tab", name="Metrics (2)").click()
    chart = run_view.locator('.mlops-ChartCard[data-metric="loss"] .mlops-MetricChart')
    expect(chart).to_have_attribute("data-points", "60")
    expect(chart.locator("canvas")).to_be_visible()
    # Log scale and another x-axis redraw the same chart
    run_view.locator(".mlops-ChartControls-log").check()
    expect(chart).to_have_attribute("data-log-scale", "true")
    run_view.locator(".mlops-ChartControls-xAxis").select_option("relative")
    expect(chart).to_have_attribute("data-x-axis", "relative")
    mlops_screenshot(page, "panel-run-metrics.png")

    # The artifacts preview a CSV as a table
    run_view.get_by_role("tab", name="Artifacts").click()
    run_view.locator('.mlops-ArtifactBrowser-item[data-path="eval"]').click()
    run_view.locator('.mlops-ArtifactBrowser-item[data-path="eval/loss.csv"]').click()
    expect(run_view.locator(".mlops-CsvTable th", has_text="epoch")).to_be_visible()
    expect(run_view.locator(".mlops-CsvTable td", has_text="0.5")).to_be_visible()


def test_compare_two_runs(
    mlops_page: Page,
    mlops_panel_runs: dict[str, str],
    mlops_screenshot: Callable[[Page, str], Path],
) -> None:
    page = mlops_page
    _open_runs(page, mlops_panel_runs["experiment_id"])
    view = page.locator(RUNS_VIEW)
    # When the user selects two runs and presses Compare
    for name in ("good", "slow"):
        row = view.locator(f'.mlops-RunsTable-row[data-run-id="{mlops_panel_runs[name]}"]')
        row.locator('input[type="checkbox"]').click()
    expect(view.locator(".mlops-RunsView-actions")).to_contain_text("2 selected")
    view.locator(".mlops-RunsView-compare").click()

    compare = page.locator(".mlops-CompareView")
    expect(compare).to_contain_text("Comparing 2 runs")
    # Then the params that differ are marked, the shared ones are not
    expect(compare.locator('.mlops-ParamsDiff-table tr[data-param="lr"]')).to_have_class(
        "mlops-mod-differs"
    )
    expect(compare.locator('.mlops-ParamsDiff-table tr[data-param="optimizer"]')).not_to_have_class(
        "mlops-mod-differs"
    )
    # And the loss chart overlays both runs (one series each, same steps)
    chart = compare.locator('.mlops-ChartCard[data-metric="loss"] .mlops-MetricChart')
    expect(chart.locator("canvas")).to_be_visible()
    expect(chart.locator(".u-legend .u-series")).to_have_count(3)  # x + two runs
    # And parallel coordinates and a scatter plot are drawn
    expect(compare.locator(".mlops-ParallelCoordinates canvas")).to_be_visible()
    expect(compare.locator(".mlops-ScatterChart canvas")).to_be_visible()
    # Grouping by a param turns each group into one line with a band
    compare.locator(".mlops-ChartControls-groupBy").select_option("optimizer")
    expect(chart.locator(".u-legend").get_by_text("optimizer=adam (2)", exact=True)).to_be_visible()
    # The band's edges are drawn, but not listed in the legend
    expect(chart.locator(".u-legend").get_by_text("optimizer=adam (2) (max)")).to_be_hidden()
    mlops_screenshot(page, "panel-compare.png")

    # In the dark theme the view and the charts follow the theme's colours
    panel = page.locator(".mlops-Panel").filter(has=compare)
    light_background = panel.evaluate("el => getComputedStyle(el).backgroundColor")
    choose_theme(page, "JupyterLab Dark")
    expect(panel).not_to_have_css("background-color", light_background)
    expect(page.locator("#jupyterlab-splash")).to_have_count(0)
    expect(chart.locator("canvas")).to_be_visible()
    mlops_screenshot(page, "panel-compare-dark.png")
    choose_theme(page, "JupyterLab Light")
    expect(panel).to_have_css("background-color", light_background)


def test_register_a_model_from_a_run_and_set_an_alias(
    mlops_lab: LabServer,
    mlops_page: Page,
    mlops_panel_runs: dict[str, str],
    mlops_screenshot: Callable[[Page, str], Path],
) -> None:
    page = mlops_page
    run_id = mlops_panel_runs["good"]
    # Given a run's model folder, when the user registers it (two clicks)
    _open_run_via_table(page, mlops_panel_runs)
    run_view = page.locator(f'.mlops-RunView[data-run-id="{run_id}"]')
    run_view.get_by_role("tab", name="Artifacts").click()
    run_view.locator('.mlops-ArtifactBrowser-item[data-path="model"]').click()
    run_view.locator(".mlops-ArtifactBrowser-register").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog.locator(".mlops-RegisterDialog-name")).to_have_value("model")
    dialog.locator(".mlops-RegisterDialog-name").fill("churn-classifier")
    dialog.get_by_role("button", name="Register").click()
    notice = run_view.locator(".mlops-Notice")
    expect(notice).to_contain_text("Registered churn-classifier version 1")

    # Then the registry lists it, linked to the run
    notice.locator("button").click()
    registry = page.locator(".mlops-RegistryView")
    registry.locator('.mlops-RegistryView-model[data-model="churn-classifier"]').click()
    version = registry.locator('.mlops-VersionsTable tr[data-version="1"]')
    expect(version).to_contain_text(f"runs:/{run_id}/model")
    expect(version.locator(".mlops-VersionsTable-run")).to_have_text("good")

    # When they set the alias "champion" on version 1
    registry.locator(".mlops-ModelDetail-aliasName").fill("champion")
    registry.locator(".mlops-ModelDetail-aliasSet").click()
    expect(registry.locator('tr[data-alias="champion"]')).to_contain_text("version 1")
    expect(version.locator(".mlops-AliasChip")).to_have_text("@champion")

    # And tag version 1 as validated
    version_tags = registry.locator(".mlops-ModelDetail-versionTags")
    expect(version_tags.locator(".mlops-VersionTags-select")).to_have_value("1")
    version_tags.locator(".mlops-TagsEditor-newKey").fill("validated")
    version_tags.locator(".mlops-TagsEditor-newValue").fill("yes")
    version_tags.locator(".mlops-TagsEditor-addButton").click()
    expect(version_tags.locator(".mlops-KeyValueTable")).to_contain_text("validated")
    tags = requests.get(
        f"{mlops_lab.url}mlops/api/registered-models/churn-classifier/versions/1",
        headers={"Authorization": f"token {mlops_lab.token}"},
        timeout=10,
    ).json()
    assert tags["model_version"]["tags"] == {"validated": "yes"}, tags
    mlops_screenshot(page, "panel-registry.png")


def _open_run_via_table(page: Page, runs: dict[str, str]) -> None:
    _open_runs(page, runs["experiment_id"])
    page.locator(RUNS_VIEW).locator(".mlops-RunsTable-runLink", has_text="good").click()
