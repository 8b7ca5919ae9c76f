"""The embedded default: each server is a real ``jupyter lab`` subprocess on a free
loopback port, with its own token and root folder.

Processes start in their own session, so they survive a restart of our server; the
runtime record (pid, its start time, port, sealed token) lets the next incarnation find
them again (a pid alone could have been reused by another process).

The token is in the server's environment (``JUPYTER_TOKEN``), never on its command line,
which every account on the machine reads in ``/proc``; the rest of the environment comes
from the process policy's allowlist. In multi-user mode each server runs as its owner's OS
account, as JupyterHub's LocalProcessSpawner does, and its folder is laid out so that the
user owns only what is theirs (nothing they could swap for a symlink to our files)::

    <state_dir>/              this server's account; 0711 (0700 in single-user mode)
      <workload>/             this server's account, 0711: the user passes, changes nothing
        server.log            0600, written by the process through its stdout
        workspace/            the user's, 0700: the server's root folder
        runtime/              the user's, 0700: JUPYTER_RUNTIME_DIR (its jpserver-*.json
                              holds the token; kernels' connection files)
        lab-config/labconfig/ this server's account, 0711: first on JUPYTER_CONFIG_PATH
          page_config.json    the user's, 0600: where its JupyterLab's MLOps panels find
                              the central API, and the owner's API token (see
                              ``jupyter_mlops.notebooks.page_config``)
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

import psutil
import requests
from traitlets import Float, List, Unicode

from ...errors import InvalidState
from ...processes import OsAccount, ProcessPolicy
from ..entities import NotebookServer, Observation, ServerStatus
from ..page_config import spawned_page_config
from .base import NotebookBackend, Upstream

_STOP_TIMEOUT_S = 10.0
#: How ``account_for`` names this backend in its refusals.
_BACKEND_NAME = "local notebook"

#: Jupyter's own folders: in single-user mode a server's children share them (the same
#: person's); in multi-user mode each account uses its own, under its home.
_JUPYTER_PATH_VARIABLES = (
    "JUPYTER_CONFIG_DIR",
    "JUPYTER_CONFIG_PATH",
    "JUPYTER_DATA_DIR",
    "JUPYTER_PATH",
    "IPYTHONDIR",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _can_pass(path: Path, account: OsAccount) -> bool:
    """Whether ``account`` may traverse the folder ``path`` (its execute permission)."""
    info = path.stat()
    if info.st_uid == account.uid:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid in account.groups:
        return bool(info.st_mode & stat.S_IXGRP)
    return bool(info.st_mode & stat.S_IXOTH)


class LocalNotebookBackend(NotebookBackend):
    """Notebook servers as local ``jupyter lab`` processes (images and Kubernetes-only
    settings such as CPU limits, GPUs, node selectors are recorded but not enforced)."""

    kind = "local"

    command = List(
        Unicode(),
        default_value=["{python}", "-m", "jupyterlab"],
        config=True,
        help="""The command that starts one server; ``{python}`` is this server's Python.
        Options for port, base URL and root folder are appended (the token travels in the
        environment, as ``JUPYTER_TOKEN``).""",
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
        state_dir = self.context.state_dir
        state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if state_dir.stat().st_uid == os.geteuid():
            # Nobody else lists our servers; in multi-user mode users pass through it to
            # their own server's folder.
            os.chmod(state_dir, 0o711 if self.policy.multi_user else 0o700)

    @property
    def policy(self) -> ProcessPolicy:
        return self.context.process_policy

    def check_owner(self, owner: str) -> None:
        account = self.policy.account_for(owner, backend=_BACKEND_NAME)
        if account is not None:
            self._check_reachable(account)

    def _check_reachable(self, account: OsAccount) -> None:
        """Every folder above the servers' folders must let ``account`` pass, or its
        server could not even enter its workspace."""
        folder = self.context.state_dir.resolve()
        for path in (folder, *folder.parents):
            if not _can_pass(path, account):
                mode = stat.S_IMODE(path.stat().st_mode)
                raise InvalidState(
                    f"the account {account.name!r} cannot reach the local backend's folder "
                    f"{folder}: {path} (mode {mode:o}) does not let it pass; set "
                    "NotebookServers.state_dir to a folder every user's account can "
                    "pass through (such as /srv/jupyter-mlops/notebook-servers), or use the "
                    "Kubernetes backend",
                    field="owner",
                )

    # -- paths -----------------------------------------------------------------------------
    def _folder(self, server: NotebookServer) -> Path:
        return self.context.state_dir / server.names.workload

    def _workspace(self, server: NotebookServer) -> Path:
        return self._folder(server) / "workspace"

    def _runtime_dir(self, server: NotebookServer) -> Path:
        return self._folder(server) / "runtime"

    def _lab_config_dir(self, server: NotebookServer) -> Path:
        return self._folder(server) / "lab-config"

    def _log_path(self, server: NotebookServer) -> Path:
        return self._folder(server) / "server.log"

    def _prepare_folders(self, server: NotebookServer, account: OsAccount | None) -> None:
        folder = self._folder(server)
        folder.mkdir(exist_ok=True, mode=0o700)
        os.chmod(folder, 0o711 if account is not None else 0o700)
        for private in (self._workspace(server), self._runtime_dir(server)):
            self.policy.private_folder(private, account, 0o700)

    def _write_page_config(
        self, server: NotebookServer, account: OsAccount | None, tracking_token: str
    ) -> None:
        """The page config of the server's JupyterLab (see ``page_config``): in folders
        of ours that its account passes but cannot change, in a file of its own, 0600 (it
        holds the owner's API token), never through a symlink."""
        passable = 0o711 if account is not None else 0o700
        folder = self._lab_config_dir(server) / "labconfig"
        for path in (folder.parent, folder):
            path.mkdir(exist_ok=True, mode=passable)
            os.chmod(path, passable)
        api_token = tracking_token or self.context.tracking_token
        config = spawned_page_config(self.context.base_url, server.owner, server.name, api_token)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
        descriptor = os.open(folder / "page_config.json", flags, 0o600)
        try:
            os.fchmod(descriptor, 0o600)
            if account is not None:
                os.fchown(descriptor, account.uid, account.gid)
            os.write(descriptor, json.dumps(config).encode())
        finally:
            os.close(descriptor)

    def _open_log(self, server: NotebookServer) -> int:
        """The log, for the process's stdout: ours, 0600 (the owner reads it through the
        API); never a symlink someone put in our place."""
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        descriptor = os.open(self._log_path(server), flags, 0o600)
        os.fchmod(descriptor, 0o600)  # one written by an older version may be 0644
        return descriptor

    def _argv(self, server: NotebookServer, port: int) -> list[str]:
        argv = [part.replace("{python}", sys.executable) for part in self.command]
        argv += [
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.base_url={self.context.prefix(server.owner, server.name)}",
            f"--ServerApp.root_dir={self._workspace(server)}",
            # Our own extension is not loaded inside: its kernels log to this server
            # through the environment below, and it must not manage notebook servers.
            "--ServerApp.jpserver_extensions=jupyter_mlops=False",
            *self.extra_args,
        ]
        # Only a single-user server running as root starts its servers as root; in
        # multi-user mode they run as their owners' accounts, never root.
        if not self.policy.multi_user and hasattr(os, "geteuid") and os.geteuid() == 0:
            argv.append("--allow-root")
        return argv

    def _own_variables(
        self, server: NotebookServer, token: str, tracking_token: str = ""
    ) -> dict[str, str]:
        """What we set on purpose in the server's environment (and its kernels')."""
        variables = {
            "JUPYTER_TOKEN": token,
            "JUPYTER_RUNTIME_DIR": str(self._runtime_dir(server)),
            "JUPYTER_MLOPS_NOTEBOOK_SERVER": f"{server.owner}/{server.name}",
            "PYTHONUNBUFFERED": "1",
        }
        if self.context.tracking_url:
            variables["JUPYTER_MLOPS_TRACKING_URI"] = self.context.tracking_url
        api_token = tracking_token or self.context.tracking_token
        if api_token:  # an API token of the owner, never this server's own
            variables["JUPYTER_MLOPS_TOKEN"] = api_token
        return variables

    def _env(
        self,
        server: NotebookServer,
        token: str,
        account: OsAccount | None,
        tracking_token: str = "",
    ) -> dict[str, str]:
        extra = dict(server.spec.env)
        if account is None:
            extra.update({k: os.environ[k] for k in _JUPYTER_PATH_VARIABLES if k in os.environ})
        extra.update(self._own_variables(server, token, tracking_token))
        # Our page config first; the user's own config folders still follow.
        config_path = [str(self._lab_config_dir(server)), extra.get("JUPYTER_CONFIG_PATH", "")]
        extra["JUPYTER_CONFIG_PATH"] = os.pathsep.join(part for part in config_path if part)
        return self.policy.environment(extra, account)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, server: NotebookServer, tracking_token: str = "") -> dict[str, Any]:
        if self._process(server) is not None:
            return dict(server.runtime)  # already running: nothing to do
        account = self.policy.account_for(server.owner, backend=_BACKEND_NAME)
        if account is not None:
            self._check_reachable(account)
        self._prepare_folders(server, account)
        self._write_page_config(server, account, tracking_token)
        port = _free_port()
        token = secrets.token_hex(24)
        argv = self._argv(server, port)
        log = self._open_log(server)
        try:
            user = f" as {account.name}" if account is not None else ""
            os.write(log, f"--- starting on 127.0.0.1:{port}{user} ---\n".encode())
            process = subprocess.Popen(
                argv,
                env=self._env(server, token, account, tracking_token),
                cwd=self._workspace(server),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # survives our restarts; killed as a group
                **self.policy.popen_options(account),
            )
        except PermissionError as exc:
            who = account.name if account is not None else "this server's account"
            raise InvalidState(
                f"{who} cannot run {exc.filename or argv[0]}: {exc.strerror}; every folder "
                "above it must let that account pass"
            ) from None
        finally:
            os.close(log)
        self._processes[server.names.workload] = process
        try:
            create_time = psutil.Process(process.pid).create_time()
        except psutil.Error:
            create_time = 0.0
        return {
            "pid": process.pid,
            "create_time": create_time,
            "port": port,
            "token": self.seal_token(token),
            # Whether it got an API token (the secret itself is never stored).
            "tracking_token": bool(tracking_token),
            "user": account.name if account is not None else "",
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
        own = self._own_variables(server, "x", "x" if server.runtime.get("tracking_token") else "")
        return [
            {
                "kind": "LocalProcess",
                "command": self._argv(server, port),
                "cwd": str(self._workspace(server)),
                "log": str(self._log_path(server)),
                "pid": server.runtime.get("pid"),
                # The OS account it runs as ("" for this server's own).
                "user": server.runtime.get("user", ""),
                # Names only: what we set on purpose (the token among them); the rest
                # comes from the allowlist.
                "environment": sorted({*own, *server.spec.env}),
            }
        ]

    def upstream(self, server: NotebookServer) -> Upstream | None:
        port = server.runtime.get("port")
        if not port:
            return None
        prefix = self.context.prefix(server.owner, server.name)
        return Upstream(f"http://127.0.0.1:{port}{prefix}", self.server_token(server))
