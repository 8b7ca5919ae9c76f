"""Fixtures for browser tests: a real ``jupyter lab`` and Debian's chromium.

The lab runs as a subprocess on a free port with its own tracking store, artifact root,
settings and config directories, so a developer's own setup never leaks in, and token
auth on, as in production.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

from .lab_server import LabServer

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
STARTUP_TIMEOUT_S = 90

# Settings every test lab starts with: no news or update toast over the page.
SETTINGS_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {
        "checkForUpdates": False,
        "fetchNews": "false",
    },
    "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Light"},
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@pytest.fixture(scope="session")
def mlops_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """A ``jupyter lab`` with the extension, a fresh SQLite store and token auth."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    settings_dir = base / "app-settings"
    for folder in (root, settings_dir, base / "config", base / "runtime", base / "data"):
        folder.mkdir()
    (settings_dir / "overrides.json").write_text(json.dumps(SETTINGS_OVERRIDES))

    port = _free_port()
    token = secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        f"--LabApp.app_settings_dir={settings_dir}",
        f"--LabApp.user_settings_dir={base / 'user-settings'}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        f"--Tracking.store_uri=sqlite:///{base / 'mlops.db'}",
        f"--Tracking.artifact_root={base / 'artifacts'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    env = {
        **os.environ,
        # The user's ~/.jupyter config must not change what we test; the system
        # config (where pip enabled the server extension) still applies.
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTER_DATA_DIR": str(base / "data"),
    }
    # A tracking URI from an outer server would point the lab's kernels elsewhere.
    env.pop("JUPYTER_MLOPS_TRACKING_URI", None)
    env.pop("JUPYTER_MLOPS_TOKEN", None)

    log = base / "jupyter-lab.log"
    url = f"http://127.0.0.1:{port}/"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited with {process.returncode}:\n{_log_tail(log)}")
            try:
                answer = requests.get(
                    f"{url}mlops/api/me",
                    headers={"Authorization": f"token {token}"},
                    timeout=2,
                )
                if answer.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"jupyter lab did not answer in {STARTUP_TIMEOUT_S}s:\n{_log_tail(log)}"
                )
            time.sleep(0.5)
        yield LabServer(url=url, token=token, root=root, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture(scope="session")
def mlops_browser() -> Iterator[Browser]:
    """Debian's chromium, headless, driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
            " or set JUPYTER_MLOPS_CHROMIUM"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture
def mlops_page(
    mlops_browser: Browser,
    mlops_lab: LabServer,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> Iterator[Page]:
    """A fresh browser page on the lab, logged in with the token, JupyterLab started.

    Fails the test on uncaught errors in the page; a failed test leaves a screenshot
    in its tmp_path.
    """
    context = mlops_browser.new_context(viewport={"width": 1200, "height": 720})
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{mlops_lab.url}lab?token={mlops_lab.token}")
        page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
        page.wait_for_selector("#jp-main-dock-panel")
        yield page
        assert not errors, f"uncaught errors in the page: {errors}"
    finally:
        if request.node.stash.get(_CALL_FAILED, False):
            shot = tmp_path / "failure.png"
            page.screenshot(path=str(shot))
            print(f"screenshot of the failure: {shot}")
        context.close()


@pytest.fixture
def mlops_screenshot(tmp_path: Path) -> Callable[[Page, str], Path]:
    """Save a screenshot of the page; refresh docs/images/<name> when asked to.

    Screenshots change on every run (times, ids), so the committed ones in docs/images
    are only overwritten with JUPYTER_MLOPS_UPDATE_SCREENSHOTS=1.
    """
    docs = Path(__file__).resolve().parents[2] / "docs" / "images"

    def save(page: Page, name: str) -> Path:
        path = tmp_path / name
        page.screenshot(path=str(path))
        if os.environ.get("JUPYTER_MLOPS_UPDATE_SCREENSHOTS") == "1":
            docs.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, docs / name)
        return path

    return save
