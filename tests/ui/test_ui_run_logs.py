"""The run page's Logs tab (issue #17), walked as a user walks it.

Two real training scripts log to the lab over REST, as a user's scripts do
(``JUPYTER_MLOPS_TRACKING_URI`` and ``JUPYTER_MLOPS_TOKEN``): one prints, in colour and
with a progress bar, and fails; the other is still running while the user watches its
log grow on the page.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from jupyter_mlops.client.client import MlopsClient

from .lab_actions import choose_theme, close_mlops_tabs, open_experiment_runs
from .lab_server import LabServer

EXPERIMENT = "run-logs"

FAILING = textwrap.dedent(
    f"""
    import sys
    import jupyter_mlops as mlops

    with mlops.start_run(experiment={EXPERIMENT!r}, run_name="crashes"):
        print("\\x1b[32mloading data\\x1b[0m")
        for pct in (10, 50, 100):
            print(f"\\repoch 1: {{pct}}%", end="")
        print()
        print("warning: loss is rising", file=sys.stderr)
        raise ValueError("learning rate too high")
    """
)

# Prints a line, then waits for the test's go-file before the next one; ends at "done".
LIVE = textwrap.dedent(
    f"""
    import sys, time
    from pathlib import Path
    import jupyter_mlops as mlops

    folder = Path(sys.argv[1])
    with mlops.start_run(experiment={EXPERIMENT!r}, run_name="live"):
        for step in ("epoch 1 loss=0.9", "epoch 2 loss=0.5", "done"):
            print(step, flush=True)
            deadline = time.monotonic() + 120
            while not (folder / step).exists() and time.monotonic() < deadline:
                time.sleep(0.05)
    """
)


def _script(lab: LabServer, code: str, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "JUPYTER_MLOPS_TRACKING_URI": lab.url,
        "JUPYTER_MLOPS_TOKEN": lab.token,
        "JUPYTER_MLOPS_CAPTURE_OUTPUT_INTERVAL": "0.5",
    }
    env.pop("JUPYTER_MLOPS_CAPTURE_OUTPUT", None)
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def mlops_scripts(mlops_lab: LabServer, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The failed script's run is over; the live script runs until its go-files exist.
    Hands out the experiment id and the live script's go-file folder."""
    failed = _script(mlops_lab, FAILING)
    _, stderr = failed.communicate(timeout=120)
    assert failed.returncode == 1 and "ValueError" in stderr, stderr
    live = _script(mlops_lab, LIVE, str(tmp_path))
    try:
        assert live.stdout is not None
        assert live.stdout.readline() == "epoch 1 loss=0.9\n"  # its run has started
        with MlopsClient(mlops_lab.url, mlops_lab.token) as client:
            experiment_id = client.get_experiment_by_name(EXPERIMENT).experiment_id
        yield experiment_id, tmp_path
    finally:
        for step in ("epoch 1 loss=0.9", "epoch 2 loss=0.5", "done"):
            (tmp_path / step).touch()
        _, stderr = live.communicate(timeout=120)
        assert live.returncode == 0, stderr


# WCAG's contrast ratio of an element's text colour against the first opaque background
# at or above it.
CONTRAST_JS = """
node => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = c => {
    const [r, g, b] = rgb(c).slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let back = node;
  while (back && rgb(getComputedStyle(back).backgroundColor)[3] === 0) {
    back = back.parentElement;
  }
  const fg = lum(getComputedStyle(node).color);
  const bg = lum(back ? getComputedStyle(back).backgroundColor : 'rgb(255,255,255)');
  return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}
"""


def _contrast(locator: Locator) -> float:
    return float(locator.evaluate(CONTRAST_JS))


@pytest.fixture(autouse=True)
def mlops_tidy_lab(mlops_page: Page) -> Iterator[None]:
    yield
    close_mlops_tabs(mlops_page)


def test_logs_tab_shows_a_failed_scripts_output_and_follows_a_live_one(
    mlops_page: Page,
    mlops_scripts: tuple[str, Path],
    mlops_screenshot: Callable[[Page, str], Path],
) -> None:
    page = mlops_page
    experiment_id, go = mlops_scripts
    # Given the two runs, when the user opens the failed one and its Logs tab
    open_experiment_runs(page, experiment_id, rows=2)
    page.locator(".mlops-RunsView .mlops-RunsTable-runLink", has_text="crashes").click()
    crashed = page.locator(".mlops-RunView:visible")
    expect(crashed.locator(".mlops-RunView-title")).to_have_text("crashes")
    crashed.get_by_role("tab", name="Logs").click()

    # Then it shows what the script printed on both streams, as a terminal shows it
    output = crashed.locator(".mlops-RunLogs-output")
    expect(output).to_have_text(
        "loading data\nepoch 1: 100%\nwarning: loss is rising", use_inner_text=True
    )
    expect(crashed.locator(".mlops-RunLogs-source")).to_contain_text("logs/console.txt")
    # And the exception with its traceback
    exception = crashed.locator(".mlops-RunLogs-exception")
    expect(exception).to_contain_text("Traceback (most recent call last):")
    expect(exception).to_contain_text("ValueError: learning rate too high")
    expect(crashed.locator(".mlops-RunLogs-live")).to_have_count(0)
    mlops_screenshot(page, "run-page-logs.png")
    # And it stays readable in the dark theme
    try:
        choose_theme(page, "JupyterLab Dark")
        for part in (output, exception.locator(".mlops-RunLogs-heading")):
            assert _contrast(part) >= 4.5
        mlops_screenshot(page, "run-page-logs-dark.png")
    finally:
        choose_theme(page, "JupyterLab Light")

    # When they open the running run's Logs tab, its output so far is there, followed live
    page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab[data-id="mlops-runs"]').click()
    page.locator(".mlops-RunsView .mlops-RunsTable-runLink", has_text="live").click()
    live = page.locator(".mlops-RunView:visible")
    expect(live.locator(".mlops-RunView-title")).to_have_text("live")
    live.get_by_role("tab", name="Logs").click()
    live_output = live.locator(".mlops-RunLogs-output")
    expect(live_output).to_have_text("epoch 1 loss=0.9", use_inner_text=True)
    expect(live.locator(".mlops-RunLogs-live")).to_be_visible()
    expect(live.locator(".mlops-RunLogs-exception")).to_have_count(0)

    # And as the script prints more, the open page shows it without a reload
    (go / "epoch 1 loss=0.9").touch()
    expect(live_output).to_have_text(
        "epoch 1 loss=0.9\nepoch 2 loss=0.5", use_inner_text=True, timeout=40_000
    )
