"""Compare and scale (issue #17, items 4 and 6), driven by a user in a real JupyterLab.

Compare: the values table (last/min/max per run, the best highlighted, the direction
flipped per metric), bars for metrics logged once, and one legend shared by every chart
that hides a run everywhere. Scale: the column picker of an experiment with 1,000 metric
keys finds a key by search. How fast these are is measured in ``benchmarks/ui.py``.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from jupyter_mlops.client.client import MlopsClient, make_metric

from .lab_actions import close_mlops_tabs, open_experiment_runs
from .lab_server import LabServer

# name, final loss (the loss curve falls from 1.0 to it), accuracy (logged once)
RUNS = [("r0", 0.5, 0.7), ("r1", 0.2, 0.8), ("r2", 0.35, 0.95), ("r3", 0.6, 0.6)]
MANY_KEYS = 1000


@pytest.fixture(scope="module")
def mlops_compare_data(mlops_lab: LabServer) -> dict[str, str]:
    """Four runs with a loss curve and an accuracy logged once, and one run with 1,000
    metric keys (one log_batch), logged through the REST API as a notebook logs them."""
    ids: dict[str, str] = {}
    with MlopsClient(mlops_lab.url, mlops_lab.token) as client:
        experiment = client.create_experiment("compare-values").experiment_id
        ids["experiment_id"] = experiment
        now = int(time.time() * 1000)
        for index, (name, final, accuracy) in enumerate(RUNS):
            run_id = client.create_run(
                experiment, run_name=name, start_time=now - (10 - index) * 1000
            ).info.run_id
            metrics = [
                make_metric("loss", final + (1 - final) * math.exp(-step / 4), step, now + step)
                for step in range(30)
            ]
            metrics.append(make_metric("accuracy", accuracy, 29, now + 29))
            client.log_batch(run_id, metrics=metrics, params={"lr": str(0.1 * (index + 1))})
            client.set_terminated(run_id, "FINISHED")
            ids[name] = run_id

        wide = client.create_experiment("compare-many-keys").experiment_id
        ids["wide_experiment_id"] = wide
        run_id = client.create_run(wide, run_name="wide").info.run_id
        client.log_batch(
            run_id,
            metrics=[make_metric(f"layer{k:04d}.grad", k / MANY_KEYS, 0) for k in range(MANY_KEYS)],
        )
        client.set_terminated(run_id, "FINISHED")
    return ids


@pytest.fixture(autouse=True)
def mlops_tidy_lab(mlops_page: Page, mlops_lab: LabServer) -> Iterator[None]:
    """The lab's workspace is shared by the session: leave no MLOps tab behind, and wait
    until the saved workspace says so (the next test's page restores it)."""
    yield
    close_mlops_tabs(mlops_page)
    deadline = time.monotonic() + 15
    while "jupyter-mlops-panel:" in _saved_workspace(mlops_lab):
        assert time.monotonic() < deadline, "the workspace still holds MLOps views"
        mlops_page.wait_for_timeout(200)


def _saved_workspace(lab: LabServer) -> str:
    answer = requests.get(
        f"{lab.url}lab/api/workspaces/default",
        headers={"Authorization": f"token {lab.token}"},
        timeout=10,
    )
    answer.raise_for_status()
    return json.dumps(answer.json())


def _value_cell(compare: Locator, run_id: str, metric: str, stat: str) -> Locator:
    row = compare.locator(f'.mlops-CompareValues-table tbody tr[data-run-id="{run_id}"]')
    return row.locator(f'td[data-metric="{metric}"][data-stat="{stat}"]')


def _best_rows(compare: Locator, metric: str, stat: str) -> list[str | None]:
    cells = compare.locator(
        f'.mlops-CompareValues-table td.mlops-mod-best[data-metric="{metric}"][data-stat="{stat}"]'
    )
    return [
        cell.locator("xpath=ancestor::tr[1]").get_attribute("data-run-id") for cell in cells.all()
    ]


def test_compare_values_bars_and_shared_legend(
    mlops_page: Page, mlops_compare_data: dict[str, str]
) -> None:
    page, ids = mlops_page, mlops_compare_data
    # Given the four runs of an experiment, all selected, compared
    open_experiment_runs(page, ids["experiment_id"], len(RUNS))
    view = page.locator(".mlops-RunsView")
    view.get_by_label("Select all loaded runs").check()
    view.locator(".mlops-RunsView-compare").click()
    compare = page.locator(".mlops-CompareView")
    expect(compare.locator("h1")).to_have_text(f"Comparing {len(RUNS)} runs")

    # Then the values table shows the last, min and max of each metric per run
    table = compare.locator(".mlops-CompareValues-table")
    expect(table.locator("tbody tr")).to_have_count(len(RUNS))
    expect(_value_cell(compare, ids["r2"], "accuracy", "value")).to_have_text("0.95")
    expect(_value_cell(compare, ids["r1"], "loss", "max")).to_have_text("1")
    # And the best is highlighted: the lowest loss (a loss), the highest accuracy
    expect(_value_cell(compare, ids["r1"], "loss", "value")).to_have_class(
        "mlops-CompareValues-cell mlops-mod-best"
    )
    assert _best_rows(compare, "loss", "value") == [ids["r1"]]
    assert _best_rows(compare, "accuracy", "value") == [ids["r2"]]
    # (every loss curve starts at 1.0: no run has the best max)
    assert _best_rows(compare, "loss", "max") == []
    # When the user says a higher loss is better, the worst run becomes the best
    head = table.locator('th[data-metric="loss"]')
    expect(head).to_have_attribute("data-direction", "min")
    head.get_by_role("button").click()
    expect(head).to_have_attribute("data-direction", "max")
    expect(_value_cell(compare, ids["r3"], "loss", "value")).to_have_class(
        "mlops-CompareValues-cell mlops-mod-best"
    )
    expect(_value_cell(compare, ids["r1"], "loss", "value")).not_to_have_class(
        "mlops-CompareValues-cell mlops-mod-best"
    )

    # And the metric logged once is drawn as bars, one per run, in the run's colour
    bars = compare.locator('.mlops-ChartCard[data-metric="accuracy"] .mlops-SingleValue-bars tr')
    expect(bars).to_have_count(len(RUNS))
    legend = compare.locator(".mlops-CompareLegend")
    r2_item = legend.locator(f'.mlops-CompareLegend-item[data-run-id="{ids["r2"]}"]')
    r2_colour = r2_item.locator(".mlops-ColorChip").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    expect(bars.filter(has_text="r2").locator(".mlops-SingleValue-bar")).to_have_css(
        "background-color", r2_colour
    )
    # And the loss curves share one chart, a line per run (charts draw once in view)
    compare.locator('.mlops-ChartCard[data-metric="loss"]').scroll_into_view_if_needed()
    chart = compare.locator('.mlops-ChartCard[data-metric="loss"] .mlops-MetricChart')
    expect(chart.locator("canvas")).to_be_visible()
    expect(chart.locator(".u-legend .u-series")).to_have_count(len(RUNS) + 1)  # x + runs

    # When the user clicks r1 in the shared legend
    r1_item = legend.locator(f'.mlops-CompareLegend-item[data-run-id="{ids["r1"]}"]')
    expect(legend.locator(".mlops-CompareLegend-item")).to_have_count(len(RUNS))
    r1_item.click()
    # Then r1 is gone from every chart and table, and the legend shows it as hidden
    expect(r1_item).to_have_attribute("aria-pressed", "false")
    expect(compare.locator("h1")).to_have_text(f"Comparing {len(RUNS)} runs (1 hidden)")
    expect(chart.locator(".u-legend .u-series")).to_have_count(len(RUNS))
    expect(chart.locator(".u-legend")).not_to_contain_text("r1")
    expect(bars).to_have_count(len(RUNS) - 1)
    expect(bars.filter(has_text="r1")).to_have_count(0)
    expect(table.locator(f'tbody tr[data-run-id="{ids["r1"]}"]')).to_have_count(0)
    param_heads = compare.locator(".mlops-ParamsDiff-table thead th")
    expect(param_heads).to_have_count(len(RUNS))  # "Param" + the three shown runs
    # And the others keep their colours
    expect(bars.filter(has_text="r2").locator(".mlops-SingleValue-bar")).to_have_css(
        "background-color", r2_colour
    )
    # When the user shows every run again, r1 is back everywhere
    legend.get_by_role("button", name="Show all (1 hidden)").click()
    expect(r1_item).to_have_attribute("aria-pressed", "true")
    expect(chart.locator(".u-legend .u-series")).to_have_count(len(RUNS) + 1)
    expect(bars).to_have_count(len(RUNS))
    expect(table.locator("tbody tr")).to_have_count(len(RUNS))


def test_column_picker_finds_one_of_a_thousand_keys(
    mlops_page: Page, mlops_compare_data: dict[str, str]
) -> None:
    page = mlops_page
    # Given an experiment whose run logged 1,000 metric keys
    open_experiment_runs(page, mlops_compare_data["wide_experiment_id"], 1)
    view = page.locator(".mlops-RunsView")
    # When the user opens the column picker, every key is offered
    view.locator(".mlops-ColumnPicker-toggle").click()
    menu = view.locator(".mlops-ColumnPicker-menu")
    options = menu.locator(".mlops-ColumnPicker-option")
    expect(options.filter(has_text="layer0999.grad")).to_have_count(1)
    # And typing part of a key leaves only the matching ones
    search = menu.get_by_placeholder("Find a column")
    expect(search).to_be_focused()
    search.fill("layer0123")
    expect(options).to_have_count(1)
    # And ticking it adds the column to the table with the run's value
    # (the choice is saved in the settings first, so the box ticks a moment later)
    box = options.first.locator('input[type="checkbox"]')
    box.click()
    expect(box).to_be_checked()
    expect(
        view.locator('.mlops-RunsTable-th[data-column="metrics.layer0123.grad"]')
    ).to_be_visible()
    # And Escape clears the search first (the whole list is back), then closes the menu
    search.press("Escape")
    expect(search).to_have_value("")
    expect(options.filter(has_text="layer0999.grad")).to_have_count(1)
    search.press("Escape")
    expect(menu).to_be_hidden()
