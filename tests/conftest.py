"""Shared pytest fixtures. Each helper keeps its fixtures in its own marked section."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fluent_support import forget_fluent_state
from kube_emulator import KubeEmulator
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

import jupyter_mlops as mlops
from jupyter_mlops.database import schema
from jupyter_mlops.database.engine import Database
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore

# =====================================================================================
# pytest-jupyter (owner: server). jp_fetch / jp_serverapp / jp_server_config for the
# handler tests in tests/server. pytest only honours pytest_plugins in the top conftest.
# =====================================================================================
pytest_plugins = ["pytest_jupyter.jupyter_server"]
# ========================== end of pytest-jupyter section ===========================

# =====================================================================================
# Tracking store fixtures (owner: store). `mlops_store` runs a test on SQLite and on
# PostgreSQL. PostgreSQL tests use one fresh database per session, emptied before each
# test, and dropped at the end. When no PostgreSQL answers they are skipped, unless the
# CI environment variable is set: then they fail.
# =====================================================================================

# Spools of the test processes go to a private folder, not the user's Jupyter data dir
# (a spool left by one test must not be replayed into another's store, nor stay behind).
os.environ.setdefault("JUPYTER_MLOPS_SPOOL_DIR", tempfile.mkdtemp(prefix="mlops-test-spools-"))

POSTGRES_ADMIN_URI = os.environ.get(
    "JUPYTER_MLOPS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
STORE_BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def mlops_postgres_admin() -> Iterator[Engine]:
    """An AUTOCOMMIT engine on the maintenance database (to create and drop databases)."""
    engine = create_engine(
        POSTGRES_ADMIN_URI, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        reason = f"PostgreSQL at {POSTGRES_ADMIN_URI} does not answer: {exc.orig}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason + " (set CI=1 to make this a failure)")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def mlops_postgres_uri(mlops_postgres_admin: Engine) -> Iterator[str]:
    """A fresh database for this test session; dropped when the session ends."""
    name = f"mlops_test_{uuid.uuid4().hex[:12]}"
    with mlops_postgres_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URI).set(database=name).render_as_string(hide_password=False)
    finally:
        with mlops_postgres_admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def mlops_postgres_reset(mlops_postgres_uri: str) -> Iterator[Engine]:
    """An engine that empties the session database (see ``_empty_postgres``)."""
    engine = create_engine(mlops_postgres_uri)
    yield engine
    engine.dispose()


def _empty_postgres(engine: Engine) -> None:
    """Back to the freshly migrated state: no rows but the Default experiment."""
    with engine.begin() as conn:
        exists = conn.execute(text("SELECT to_regclass('experiments') IS NOT NULL")).scalar()
        if not exists:
            return  # not migrated yet: the store will do it
        # Every table of every domain (the shared metadata), whatever migrations added.
        tables = ", ".join(table.name for table in reversed(schema.metadata.sorted_tables))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY"))
        conn.execute(
            text(
                "INSERT INTO experiments (experiment_id, name, description, owner,"
                " artifact_location, lifecycle_stage, creation_time, last_update_time)"
                " VALUES (0, 'Default', '', '', '0', 'active', :now, :now)"
            ),
            {"now": 0},
        )


@pytest.fixture(params=STORE_BACKENDS)
def mlops_store_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URI of an empty, isolated store database (SQLite file or PostgreSQL)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'mlops.db'}"
    uri: str = request.getfixturevalue("mlops_postgres_uri")
    _empty_postgres(request.getfixturevalue("mlops_postgres_reset"))
    return uri


@pytest.fixture
def mlops_store(mlops_store_uri: str) -> Iterator[SqlTrackingStore]:
    """A SqlTrackingStore on an empty database, on SQLite and on PostgreSQL."""
    store = SqlTrackingStore(mlops_store_uri)
    yield store
    store.close()


@contextmanager
def _postgres_schema(database_uri: str) -> Iterator[str]:
    """A URI whose tables live in a fresh schema of ``database_uri``; dropped on exit."""
    schema = f"fresh_{uuid.uuid4().hex[:12]}"
    engine = create_engine(database_uri, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(database_uri).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=STORE_BACKENDS)
def mlops_empty_database_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URI with nothing in it yet, not even our tables (for migration tests).

    On PostgreSQL it is a fresh schema in the session database, dropped afterwards.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh' / 'mlops.db'}"
        return
    with _postgres_schema(request.getfixturevalue("mlops_postgres_uri")) as uri:
        yield uri


@pytest.fixture(scope="module", params=STORE_BACKENDS)
def mlops_module_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqlTrackingStore]:
    """A store shared by one test module, for read-only tests over a dataset built once."""
    if request.param == "sqlite":
        store = SqlTrackingStore(f"sqlite:///{tmp_path_factory.mktemp('store') / 'mlops.db'}")
        yield store
        store.close()
        return
    with _postgres_schema(request.getfixturevalue("mlops_postgres_uri")) as uri:
        store = SqlTrackingStore(uri)
        yield store
        store.close()


# ======================== end of tracking store fixtures ============================


# =====================================================================================
# Live server fixture (owner: client). `mlops_server` is a real `jupyter server`
# subprocess with the jupyter_mlops extension on a private SQLite store, for tests that
# need real HTTP and real kernels (a synchronous client cannot share pytest-jupyter's
# event loop with the server it calls). Session-scoped: tests isolate themselves by
# using their own experiments.
# =====================================================================================


class MlopsServer:
    """A running jupyter server: its base URL (ending in "/"), token and storage."""

    def __init__(self, url: str, token: str, store_uri: str, artifact_root: Path, log: Path):
        self.url = url
        self.token = token
        self.store_uri = store_uri
        self.artifact_root = artifact_root
        self.log = log

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    @property
    def client_env(self) -> dict[str, str]:
        """The environment a kernel started by this server gets (tracking URI and token)."""
        return {"JUPYTER_MLOPS_TRACKING_URI": self.url, "JUPYTER_MLOPS_TOKEN": self.token}

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_serving(server: MlopsServer, process: object, timeout: float = 90.0) -> None:
    import subprocess
    import time

    import requests

    assert isinstance(process, subprocess.Popen)
    deadline = time.monotonic() + timeout
    with requests.Session() as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"jupyter server exited ({process.returncode}):\n{server.log_tail()}")
            try:
                ready = http.get(server.url + "api/status", headers=server.headers, timeout=2)
            except requests.ConnectionError:
                time.sleep(0.2)
                continue
            if ready.status_code == 200:
                # Listening; the extension must answer too, or every test would fail obscurely.
                me = http.get(server.url + "mlops/api/me", headers=server.headers, timeout=10)
                if me.status_code != 200:
                    pytest.fail(
                        f"jupyter_mlops is not serving (GET mlops/api/me: {me.status_code}):\n"
                        + server.log_tail()
                    )
                return
            time.sleep(0.2)
    pytest.fail(f"jupyter server did not answer within {timeout} s:\n{server.log_tail()}")


@contextmanager
def run_mlops_server(
    root: Path, extra_args: tuple[str, ...] = (), store_uri: str | None = None
) -> Iterator[MlopsServer]:
    """Run `jupyter server` with jupyter_mlops (SQLite store, unless ``store_uri`` names
    another, and artifacts under ``root``; random port and token; ``extra_args`` are more
    --Class.trait=value options) until exit.

    Kernels it starts inherit its environment: PYTHONPATH points at this checkout, and the
    extension adds JUPYTER_MLOPS_TRACKING_URI / JUPYTER_MLOPS_TOKEN once it listens.
    """
    import secrets
    import subprocess
    import sys

    for folder in ("notebooks", "config", "data", "runtime", "ipython"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    port = _free_port()
    server = MlopsServer(
        url=f"http://127.0.0.1:{port}/",
        token=secrets.token_hex(16),
        store_uri=store_uri or f"sqlite:///{root / 'mlops.db'}",
        artifact_root=root / "artifacts",
        log=root / "server.log",
    )
    repo = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_MLOPS_")}
    env.update(
        # The server and the kernels it starts import jupyter_mlops from this checkout.
        PYTHONPATH=os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")])),
        # Private Jupyter dirs: no user config or runtime files leak in or out.
        JUPYTER_CONFIG_DIR=str(root / "config"),
        JUPYTER_DATA_DIR=str(root / "data"),
        JUPYTER_RUNTIME_DIR=str(root / "runtime"),
        IPYTHONDIR=str(root / "ipython"),
        PYTHONUNBUFFERED="1",
    )
    command = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root / 'notebooks'}",
        f"--IdentityProvider.token={server.token}",
        "--ServerApp.jpserver_extensions=jupyter_mlops=True",
        f"--Tracking.store_uri={server.store_uri}",
        f"--Tracking.artifact_root={server.artifact_root}",
        *extra_args,
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    with open(server.log, "ab") as log:
        process = subprocess.Popen(command, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_serving(server, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def mlops_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlopsServer]:
    """A real `jupyter server` with jupyter_mlops enabled, on 127.0.0.1 and a random token."""
    with run_mlops_server(tmp_path_factory.mktemp("mlops_server")) as server:
        yield server


# ========================= end of live server fixture ===============================


# ===================== fluent API on a fresh store (notebook tools) ====================
# The magics and widget tests: the fluent API logging to a fresh SQLite store configured
# by environment, as in a kernel, and IPython's shell with the extension loaded.


@pytest.fixture
def mlops_local_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The fluent API logs to a SQLite store in tmp_path; yields an explicit client on it."""
    monkeypatch.delenv("JUPYTER_MLOPS_TOKEN", raising=False)
    uri = f"sqlite:///{tmp_path / 'mlops.db'}"
    monkeypatch.setenv("JUPYTER_MLOPS_TRACKING_URI", uri)
    monkeypatch.setenv("JUPYTER_MLOPS_ARTIFACT_ROOT", str(tmp_path / "artifacts"))
    forget_fluent_state()
    client = mlops.MlopsClient(uri)
    try:
        yield client
    finally:
        forget_fluent_state()
        client.close()


@pytest.fixture
def mlops_ipython(mlops_local_store: Any) -> Iterator[Any]:
    """IPython's InteractiveShell with the extension loaded (as ``%load_ext`` does)."""
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython() or get_ipython()  # one shell per process, made on first use
    assert shell is not None
    if "jupyter_mlops" not in shell.extension_manager.loaded:
        shell.run_line_magic("load_ext", "jupyter_mlops")
    yield shell
    shell.user_ns.pop("_mlops_error", None)


# -- operating-system accounts (multi-user mode) ----------------------------------------------
#: The accounts multi-user tests run users' processes as (``local_account_template =
#: "mlops-{username}"`` makes alice ``mlops-alice``).
OS_ACCOUNTS = ("mlops-alice", "mlops-bob")


@pytest.fixture(scope="session")
def mlops_os_accounts() -> dict[str, Any]:
    """Real OS accounts ``mlops-alice`` and ``mlops-bob`` (created with useradd when missing,
    and kept: other test sessions on this machine may be using them), each able to run this
    Python and import jupyter_mlops. Skips, saying why, where that cannot be (not root)."""
    from jupyter_mlops.processes import lookup_account

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("multi-user mode runs processes as users' OS accounts: needs root (CI is)")
    if not (shutil.which("useradd") and shutil.which("runuser")):
        pytest.skip("multi-user tests need useradd and runuser to create and use OS accounts")
    for name in OS_ACCOUNTS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            _useradd(name)
    accounts = {name: lookup_account(name) for name in OS_ACCOUNTS}
    _let_accounts_run_python(accounts["mlops-alice"])
    return accounts


def _useradd(name: str) -> None:
    # useradd locks /etc/passwd: another session may hold it a moment, or have just made it.
    for attempt in range(10):
        done = subprocess.run(
            ["useradd", "--create-home", "--shell", "/bin/sh", name],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode in (0, 9):  # 9: it exists (created meanwhile)
            return
        if "lock" not in done.stderr or attempt == 9:
            pytest.skip(f"useradd {name} failed: {done.stderr.strip()}")
        time.sleep(0.5)


def _let_accounts_run_python(account: Any) -> None:
    """Make this Python usable by other accounts, as an admin sharing an interpreter that
    lives under a private home (pyenv under /root) would: search permission (never listing)
    on the folders above it and above jupyter_mlops."""
    if _runs_python(account):
        return
    python = Path(sys.executable)
    for target in (python.parent, python.resolve().parent, Path(mlops.__file__).parent):
        for folder in (target, *target.parents):
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                os.chmod(folder, stat.S_IMODE(mode) | stat.S_IXOTH)
    if not _runs_python(account):
        pytest.skip(f"{account.name} cannot run {sys.executable} and import jupyter_mlops")


def _runs_python(account: Any) -> bool:
    try:
        result = subprocess.run(
            [sys.executable, "-c", "import jupyter_mlops.pipelines.runtime.runner"],
            capture_output=True,
            cwd="/",
            check=False,
            **account.popen_options(),
        )
    except OSError:  # the account may not execute it
        return False
    return result.returncode == 0


# =====================================================================================
# Notebook-server fixtures (owner: notebooks), shared with the API-token tests: the
# Kubernetes API emulator and a migrated SQLite database.
# =====================================================================================
@pytest.fixture
def mlops_kube() -> Iterator[KubeEmulator]:
    """A Kubernetes API emulator with the StatefulSet, PVC, Job and Kubeflow controllers."""
    emulator = KubeEmulator(kubeflow=True).start()
    yield emulator
    emulator.stop()


@pytest.fixture
def mlops_notebook_database(tmp_path: Path) -> Iterator[Database]:
    """A SQLite database under tmp_path, migrated to the newest schema."""
    database = Database(f"sqlite:///{tmp_path / 'db' / 'mlops.db'}")
    database.upgrade()
    yield database
    database.dispose()


# ====================== end of notebook-server fixtures =============================
