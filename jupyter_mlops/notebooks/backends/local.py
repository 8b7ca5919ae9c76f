"""The embedded default: each server is a real ``jupyter lab`` subprocess on a free
loopback port, with its own token and root folder.

Processes start in their own session, so they survive a restart of our server; the
runtime record (pid, its start time, port, token) lets the next incarnation find them
again (a pid alone could have been reused by another process).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

import psutil
import requests
from traitlets import Float, List, Unicode

from ..entities import NotebookServer, Observation, ServerStatus
from .base import NotebookBackend, Upstream

_STOP_TIMEOUT_S = 10.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LocalNotebookBackend(NotebookBackend):
    """Notebook servers as local ``jupyter lab`` processes (images and Kubernetes-only
    settings such as CPU limits, GPUs, node selectors are recorded but not enforced)."""

    kind = "local"

    command = List(
        Unicode(),
        default_value=["{python}", "-m", "jupyterlab"],
        config=True,
        help="""The command that starts one server; ``{python}`` is this server's Python.
        Options for port, base URL, token and root folder are appended.""",
    )

    extra_args = List(
        Unicode(),
        config=True,
        help="""More options for every local server, e.g. ``--LabApp.news_url=``.""",
    )

    status_timeout = Float(
        2.0, config=True, help="Seconds to wait for a local server's /api/status answer."
    )

    _processes: dict[str, subprocess.Popen[bytes]]

    def setup(self, context: Any) -> None:
        super().setup(context)
        self._processes = {}

    # -- paths -----------------------------------------------------------------------------
    def _folder(self, server: NotebookServer) -> Path:
        return self.context.state_dir / server.names.workload

    def _workspace(self, server: NotebookServer) -> Path:
        return self._folder(server) / "workspace"

    def _log_path(self, server: NotebookServer) -> Path:
        return self._folder(server) / "server.log"

    def _argv(self, server: NotebookServer, port: int, token: str) -> list[str]:
        argv = [part.replace("{python}", sys.executable) for part in self.command]
        argv += [
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.base_url={self.context.prefix(server.owner, server.name)}",
            f"--ServerApp.root_dir={self._workspace(server)}",
            f"--IdentityProvider.token={token}",
            # Our own extension is not loaded inside: its kernels log to this server
            # through the environment below, and it must not manage notebook servers.
            "--ServerApp.jpserver_extensions=jupyter_mlops=False",
            *self.extra_args,
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            argv.append("--allow-root")
        return argv

    def _env(self, server: NotebookServer, tracking_token: str = "") -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_MLOPS_")}
        env.update(server.spec.env)
        if self.context.tracking_url:
            env["JUPYTER_MLOPS_TRACKING_URI"] = self.context.tracking_url
        token = tracking_token or self.context.tracking_token
        if token:
            env["JUPYTER_MLOPS_TOKEN"] = token
        env["JUPYTER_MLOPS_NOTEBOOK_SERVER"] = f"{server.owner}/{server.name}"
        env["PYTHONUNBUFFERED"] = "1"
        return env

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, server: NotebookServer, tracking_token: str = "") -> dict[str, Any]:
        if self._process(server) is not None:
            return dict(server.runtime)  # already running: nothing to do
        self._workspace(server).mkdir(parents=True, exist_ok=True)
        port = _free_port()
        token = secrets.token_hex(24)
        log_path = self._log_path(server)
        with open(log_path, "ab") as log:
            log.write(f"--- starting on 127.0.0.1:{port} ---\n".encode())
            log.flush()
            process = subprocess.Popen(
                self._argv(server, port, token),
                env=self._env(server, tracking_token),
                cwd=self._workspace(server),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # survives our restarts; killed as a group
            )
        self._processes[server.names.workload] = process
        try:
            create_time = psutil.Process(process.pid).create_time()
        except psutil.Error:
            create_time = 0.0
        return {
            "pid": process.pid,
            "create_time": create_time,
            "port": port,
            "token": token,
            # Whether it got an API token (the secret itself is never stored).
            "tracking_token": bool(tracking_token),
        }

    def _process(self, server: NotebookServer) -> psutil.Process | None:
        """The server's live process, or None (exited, or the pid now belongs to another)."""
        own = self._processes.get(server.names.workload)
        if own is not None and own.poll() is not None:
            self._processes.pop(server.names.workload, None)  # reaped
            return None
        pid = server.runtime.get("pid")
        if not pid:
            return None
        try:
            process = psutil.Process(int(pid))
            if abs(process.create_time() - float(server.runtime.get("create_time", 0))) > 1:
                return None
            if process.status() == psutil.STATUS_ZOMBIE:
                return None
            return process
        except psutil.Error:
            return None

    def _exit_code(self, server: NotebookServer) -> int | None:
        own = self._processes.get(server.names.workload)
        return own.poll() if own is not None else None

    def stop(self, server: NotebookServer) -> None:
        process = self._process(server)
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        except PermissionError:
            process.terminate()
        deadline = time.monotonic() + _STOP_TIMEOUT_S
        while time.monotonic() < deadline and self._process(server) is not None:
            time.sleep(0.1)
        if self._process(server) is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        own = self._processes.pop(server.names.workload, None)
        if own is not None:
            own.wait(timeout=_STOP_TIMEOUT_S)

    def delete(self, server: NotebookServer, delete_volume: bool) -> None:
        self.stop(server)
        if delete_volume:
            shutil.rmtree(self._folder(server), ignore_errors=True)

    def observe_server(self, server: NotebookServer) -> Observation:
        if self._process(server) is None:
            if server.status in (ServerStatus.STOPPING, ServerStatus.STOPPED):
                return Observation(ServerStatus.STOPPED)
            if not server.runtime.get("pid"):
                return Observation(ServerStatus.STOPPED)
            code = self._exit_code(server)
            tail = self.logs(server, 5).strip().splitlines()
            detail = f" ({tail[-1]})" if tail else ""
            if code is None:
                return Observation(ServerStatus.FAILED, "Exited", f"the process is gone{detail}")
            return Observation(ServerStatus.FAILED, "Exited", f"exited with code {code}{detail}")
        upstream = self.upstream(server)
        assert upstream is not None
        try:
            answer = requests.get(
                upstream.url + "api/status?no_track_activity=1",  # asking is not activity
                headers={"Authorization": f"token {upstream.token}"},
                timeout=self.status_timeout,
            )
        except requests.RequestException:
            return Observation(ServerStatus.STARTING, "Starting", "waiting for jupyter lab")
        if answer.status_code == 200:
            return Observation(ServerStatus.RUNNING)
        return Observation(
            ServerStatus.STARTING, "Starting", f"jupyter lab answers {answer.status_code}"
        )

    def logs(self, server: NotebookServer, tail: int) -> str:
        path = self._log_path(server)
        if not path.exists():
            return ""
        with open(path, encoding="utf-8", errors="replace") as handle:
            return "".join(deque(handle, maxlen=tail))

    def manifests(self, server: NotebookServer) -> list[dict[str, Any]]:
        port = int(server.runtime.get("port", 0))
        argv = self._argv(server, port, "<redacted>")
        return [
            {
                "kind": "LocalProcess",
                "command": argv,
                "cwd": str(self._workspace(server)),
                "log": str(self._log_path(server)),
                "pid": server.runtime.get("pid"),
                "environment": sorted(
                    k
                    for k in self._env(server, "x" if server.runtime.get("tracking_token") else "")
                    if k.startswith("JUPYTER_MLOPS_")
                ),
            }
        ]

    def upstream(self, server: NotebookServer) -> Upstream | None:
        port = server.runtime.get("port")
        if not port:
            return None
        prefix = self.context.prefix(server.owner, server.name)
        return Upstream(f"http://127.0.0.1:{port}{prefix}", str(server.runtime.get("token", "")))
