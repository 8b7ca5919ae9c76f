"""UI benchmark: how fast the MLOps panel shows big data, in a real JupyterLab.

    python benchmarks/ui.py                 # 10,000 runs, 1,000 keys, a 1,000,000-point metric
    python benchmarks/ui.py --runs 2000 --points 200000     # a quicker smoke run

Measures, with Playwright driving Debian's chromium against a real ``jupyter lab``:

1. time to first rows: from opening the runs view (launcher card) on an experiment with
   ``--runs`` runs and ``--keys`` distinct metric keys (each run logs ``loss``, ``accuracy``
   and 10 of the keys) to the first table row on screen (target < 1 s at 10,000 runs and
   1,000 keys, issue #17);
2. scrolling: frame times while the table scrolls from top to bottom in 60 steps (pages
   load as it goes), as the median and 95th percentile frame time;
3. time to a drawn chart: from clicking a run's Metrics tab to the canvas of a metric with
   ``--points`` points drawn from the server's downsampled history (target < 1 s at
   1,000,000 points), clicked at once after opening the run (the server's downsampling
   of the whole history is in the figure), and clicked after 2 s on the overview (the
   view prefetches the first charts' histories while the overview shows);
4. the column picker of that experiment: from clicking **Columns** to every key listed,
   and from typing a key into its search box to the one match left;
5. compare: from pressing **Compare** on ``--compare`` runs (selected with the header box)
   to the values table with a row per run and every chart in view drawn (target < 2 s at
   100 runs); each run has three 100-step curves, two metrics logged once and 3 params.

Data is written before the lab starts, straight into its SQLite store through
``MlopsClient("sqlite:///...")``. Each figure is the median of ``--repeat`` fresh page loads.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from playwright.sync_api import Page, sync_playwright

from jupyter_mlops.client.client import MlopsClient, make_metric

CHROMIUM = os.environ.get("JUPYTER_MLOPS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RUNS_EXPERIMENT = "bench-runs"
CHART_EXPERIMENT = "bench-chart"
COMPARE_EXPERIMENT = "bench-compare"
# Each run of the runs experiment logs this many of the --keys distinct keys.
KEYS_PER_RUN = 10


def populate(db: Path, artifacts: Path, runs: int, points: int, keys: int, compare: int) -> None:
    """The runs experiment (params, metrics, like a sweep, with ``keys`` distinct metric
    keys over its runs), one run with a long metric, and the runs to compare."""
    with MlopsClient(f"sqlite:///{db}", artifact_root=artifacts) as client:
        chart_experiment = client.create_experiment(CHART_EXPERIMENT).experiment_id
        run_id = client.create_run(chart_experiment, run_name="long-curve").info.run_id
        start = int(time.time() * 1000) - points
        batch = [
            make_metric("loss", 1 / math.sqrt(1 + step) + 0.01 * math.sin(step), step, start + step)
            for step in range(points)
        ]
        client.log_batch(run_id, metrics=batch)
        client.set_terminated(run_id, "FINISHED")

        experiment = client.create_experiment(RUNS_EXPERIMENT).experiment_id
        now = int(time.time() * 1000)
        for index in range(runs):
            run = client.create_run(
                experiment, run_name=f"trial-{index:05d}", start_time=now - index * 1000
            )
            client.log_batch(
                run.info.run_id,
                metrics=[
                    make_metric("loss", 1 / (1 + index % 97), 10),
                    make_metric("accuracy", (index % 89) / 89, 10),
                    # Consecutive runs log consecutive keys: the newest runs cover them all.
                    *(
                        make_metric(f"probe_{(index * KEYS_PER_RUN + j) % keys:04d}", j, 10)
                        for j in range(min(KEYS_PER_RUN, keys))
                    ),
                ],
                params={
                    "lr": str(10 ** -(index % 4)),
                    "layers": str(index % 8),
                    "seed": str(index),
                },
            )
            client.set_terminated(run.info.run_id, "FINISHED")

        experiment = client.create_experiment(COMPARE_EXPERIMENT).experiment_id
        for index in range(compare):
            run_id = client.create_run(
                experiment, run_name=f"cmp-{index:03d}", start_time=now - index * 1000
            ).info.run_id
            final = 0.1 + (index % 37) / 50
            curves = [
                make_metric(key, value, step, now + step)
                for step in range(100)
                for key, value in (
                    ("loss", final + math.exp(-step / 20)),
                    ("val_loss", final * 1.1 + math.exp(-step / 20)),
                    ("accuracy", 1 - final / 2 - 0.4 * math.exp(-step / 20)),
                )
            ]
            curves += [
                make_metric("test_accuracy", 1 - final / 2, 99, now + 99),
                make_metric("test_loss", final, 99, now + 99),
            ]
            client.log_batch(
                run_id,
                metrics=curves,
                params={"lr": str(10 ** -(index % 4)), "seed": str(index), "depth": str(index % 5)},
            )
            client.set_terminated(run_id, "FINISHED")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def lab(base: Path) -> Iterator[tuple[str, str]]:
    """A ``jupyter lab`` on the populated store; yields (url, token)."""
    settings = base / "app-settings"
    settings.mkdir()
    (settings / "overrides.json").write_text(
        json.dumps(
            {
                "@jupyterlab/apputils-extension:notification": {
                    "checkForUpdates": False,
                    "fetchNews": "false",
                },
                "jupyter-mlops:plugin": {"defaultExperiment": RUNS_EXPERIMENT},
            }
        )
    )
    port, token = free_port(), secrets.token_hex(16)
    (base / "root").mkdir()
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", f"--ServerApp.root_dir={base / 'root'}",
        f"--IdentityProvider.token={token}", f"--LabApp.app_settings_dir={settings}",
        f"--LabApp.user_settings_dir={base / 'user-settings'}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        f"--Tracking.store_uri=sqlite:///{base / 'mlops.db'}",
        f"--Tracking.artifact_root={base / 'artifacts'}",
    ]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(base / "config")}
    log = (base / "lab.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                answer = requests.get(
                    f"{url}mlops/api/me", headers={"Authorization": f"token {token}"}, timeout=2
                )
                if answer.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError(f"jupyter lab did not start; see {base / 'lab.log'}")
        yield url, token
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def open_lab(page: Page, url: str, token: str) -> None:
    page.goto(f"{url}lab?reset&token={token}")
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
    page.wait_for_selector(".jp-Launcher .jp-LauncherCard")


def first_rows(page: Page) -> float:
    """Seconds from clicking the launcher card to the first row of the runs table."""
    card = page.locator(".jp-Launcher .jp-LauncherCard", has_text="MLOps Runs").first
    start = time.perf_counter()
    card.click()
    page.wait_for_selector(".mlops-RunsTable-row", timeout=30_000)
    return time.perf_counter() - start


SCROLL_SCRIPT = """
async () => {
  const table = document.querySelector('.mlops-RunsTable');
  const frames = [];
  let last = performance.now();
  for (let i = 1; i <= 60; i++) {
    table.scrollTop = (table.scrollHeight - table.clientHeight) * i / 60;
    await new Promise(requestAnimationFrame);
    const now = performance.now();
    frames.push(now - last);
    last = now;
  }
  return {frames, rows: document.querySelectorAll('.mlops-RunsTable-row').length};
}
"""


def chart_time(page: Page, dwell_s: float) -> float:
    """Seconds from clicking the Metrics tab of the long run to its drawn chart.

    The run is opened the way a user does (from the sidebar's run list); the Metrics tab
    is clicked ``dwell_s`` after the overview shows (0: at once, before the history the
    view prefetches can have arrived). The run's tab is closed again afterwards.
    """
    if not page.locator("#jp-mlops-sidebar").is_visible():
        page.locator('.jp-SideBar [title="MLOps: experiments and runs"]').first.click()
    page.locator(".mlops-ExperimentList-item", has_text=CHART_EXPERIMENT).click()
    page.locator(".mlops-RunItem-name", has_text="long-curve").click()
    page.wait_for_selector(".mlops-RunView .mlops-Tab")
    time.sleep(dwell_s)
    tab = page.get_by_role("tab", name="Metrics (1)")
    start = time.perf_counter()
    tab.click()
    page.wait_for_selector(
        '.mlops-ChartCard[data-metric="loss"] .mlops-MetricChart canvas', timeout=30_000
    )
    elapsed = time.perf_counter() - start
    page.keyboard.press("Alt+W")  # close the run's tab: the next open starts cold
    page.wait_for_selector(".mlops-RunView", state="detached")
    return elapsed


def column_picker(page: Page, keys: int) -> tuple[float, float]:
    """Seconds from clicking Columns to all ``keys`` keys listed, and from typing a key in
    the picker's search box to its one match left (the runs view is open)."""
    view = page.locator(".mlops-RunsView")
    options = view.locator(".mlops-ColumnPicker-menu .mlops-ColumnPicker-option")
    start = time.perf_counter()
    view.locator(".mlops-ColumnPicker-toggle").click()
    page.wait_for_function(
        "n => document.querySelectorAll('.mlops-ColumnPicker-option').length >= n", arg=keys
    )
    opened = time.perf_counter() - start
    wanted = f"probe_{keys - 1:04d}"
    start = time.perf_counter()
    view.locator(".mlops-ColumnPicker-search").fill(wanted)
    page.wait_for_function(
        "() => document.querySelectorAll('.mlops-ColumnPicker-option').length === 1"
    )
    searched = time.perf_counter() - start
    assert wanted in options.first.inner_text()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    return opened, searched


# Every chart card in view is drawn: a canvas (curves) or a number or bars (one value).
COMPARED_SCRIPT = """
n => {
  const rows = document.querySelectorAll('.mlops-CompareValues-table tbody tr').length;
  if (rows !== n) return false;
  const view = document.querySelector('.mlops-CompareView');
  const box = view.getBoundingClientRect();
  const cards = [...view.querySelectorAll('.mlops-ChartCard')].filter(card => {
    const r = card.getBoundingClientRect();
    return r.bottom > box.top && r.top < box.bottom;
  });
  return cards.length > 0 && cards.every(
    card => card.querySelector('canvas') || card.querySelector('.mlops-SingleValue')
  );
}
"""


def compare_time(page: Page, runs: int) -> float:
    """Seconds from pressing Compare on all ``runs`` runs of the compare experiment to the
    values table and the charts in view drawn; the compare tab is closed again."""
    view = page.locator(".mlops-RunsView")
    view.locator(".mlops-ExperimentsPane-item", has_text=COMPARE_EXPERIMENT).click()
    page.wait_for_selector(f'.mlops-RunsView :text("{runs} of {runs} runs loaded")')
    view.get_by_label("Select all loaded runs").check()
    start = time.perf_counter()
    view.locator(".mlops-RunsView-compare").click()
    page.wait_for_function(COMPARED_SCRIPT, arg=runs, timeout=60_000)
    elapsed = time.perf_counter() - start
    page.keyboard.press("Alt+W")
    page.wait_for_selector(".mlops-CompareView", state="detached")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=1_000)
    parser.add_argument("--compare", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mlops-ui-bench-") as tmp:
        base = Path(tmp)
        began = time.perf_counter()
        populate(
            base / "mlops.db", base / "artifacts", args.runs, args.points, args.keys, args.compare
        )
        print(f"data: {args.runs:,} runs with {args.keys:,} metric keys, a {args.points:,}-point "
              f"metric, {args.compare} runs to compare, "
              f"written in {time.perf_counter() - began:.1f} s")  # fmt: skip
        with lab(base) as (url, token), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            rows, charts, warm, frames = [], [], [], []
            picker_open, picker_search, compared = [], [], []
            for _ in range(args.repeat):
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                page = context.new_page()
                open_lab(page, url, token)
                rows.append(first_rows(page))
                scrolled = page.evaluate(SCROLL_SCRIPT)
                frames.extend(scrolled["frames"])
                opened, searched = column_picker(page, args.keys)
                picker_open.append(opened)
                picker_search.append(searched)
                compared.append(compare_time(page, args.compare))
                charts.append(chart_time(page, 0))
                warm.append(chart_time(page, 2))
                context.close()
            browser.close()

    p95 = sorted(frames)[int(len(frames) * 0.95) - 1]
    print(f"time to first rows, {args.runs:,} runs, {args.keys:,} keys: "
          f"{statistics.median(rows) * 1000:.0f} ms "
          f"(runs: {', '.join(f'{r * 1000:.0f}' for r in rows)}; target < 1000 ms)")  # fmt: skip
    print(f"scrolling {args.runs:,} runs: median frame {statistics.median(frames):.1f} ms, "
          f"95th percentile {p95:.1f} ms")  # fmt: skip
    print(f"time to a drawn chart, {args.points:,} points: "
          f"{statistics.median(charts) * 1000:.0f} ms "
          f"(runs: {', '.join(f'{c * 1000:.0f}' for c in charts)}; target < 1000 ms)")  # fmt: skip
    print(f"  the same after 2 s on the run's overview (history prefetched): "
          f"{statistics.median(warm) * 1000:.0f} ms "
          f"(runs: {', '.join(f'{c * 1000:.0f}' for c in warm)})")  # fmt: skip
    print(f"column picker, {args.keys:,} keys: open {_ms(picker_open)}, "
          f"search to one match {_ms(picker_search)}")  # fmt: skip
    print(f"compare {args.compare} runs, values and charts in view drawn: {_ms(compared)} "
          f"(target < 2000 ms)")  # fmt: skip


def _ms(seconds: list[float]) -> str:
    """A median in milliseconds, with the single measurements."""
    return (
        f"{statistics.median(seconds) * 1000:.0f} ms "
        f"(runs: {', '.join(f'{s * 1000:.0f}' for s in seconds)})"
    )


if __name__ == "__main__":
    main()
