"""Server processes for the benchmarks: a free loopback port, a server process held until
it answers (and stopped after), and a real ``jupyter server`` with jupyter_mlops on a fresh
SQLite store, as users run it."""

from __future__ import annotations

import contextlib
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(
    cmd: list[str], log_path: Path, ready_url: str, headers: dict[str, str]
) -> Iterator[None]:
    """Runs ``cmd`` (output to ``log_path``, in its folder) until ``ready_url`` answers; stops
    it at the end."""
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=log_path.parent)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited; see {log_path}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(ready_url, headers=headers, timeout=2).ok:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{cmd[0]} did not start; see {log_path}")
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextlib.contextmanager
def mlops_jupyter_server(
    root: Path,
    extensions: str = "{'jupyter_mlops': True}",
    ready_path: str = "mlops/api/me",
    store_uri: str | None = None,
) -> Iterator[tuple[str, str]]:
    """(base URL, token) of a ``jupyter server`` with jupyter_mlops (and any other
    ``extensions``), its artifacts and log in the new folder ``root``, its store there too
    unless ``store_uri`` names another."""
    port, token = free_port(), secrets.token_hex(16)
    root.mkdir()
    cmd = [
        sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
        f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.jpserver_extensions={extensions}",
        f"--Tracking.store_uri={store_uri or 'sqlite:///' + str(root / 'mlops.db')}",
        f"--Tracking.artifact_root={root / 'artifacts'}",
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    headers = {"Authorization": f"token {token}"}
    with serving(cmd, root / "server.log", f"{url}{ready_path}", headers):
        yield url, token
