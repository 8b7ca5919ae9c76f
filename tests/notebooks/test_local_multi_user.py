"""Multi-user mode on the local backend: each user's notebook server runs as the user's own
OS account (as JupyterHub's LocalProcessSpawner), and users stay out of each other's
servers and out of ours.

The end-to-end test creates real accounts (``mlops-alice``, ``mlops-bob``; root only) and
runs real servers on a shared 2-core machine: one spawned server per user, short timeouts.
Where there is no account to run a user's server as, starting it is refused with a reason
that names the Kubernetes backend (that part needs no root).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests
from notebook_support import (
    CRYPT_KEY,
    KernelChannel,
    api_call,
    load_root_conftest,
    make_options,
    process_gone,
    stored_server_row,
    stored_server_token,
    wait_for_status,
)
from server_support import ApiCall, TokenUsers, as_user

from jupyter_mlops.database.engine import Database
from jupyter_mlops.errors import InvalidState, PermissionDenied
from jupyter_mlops.notebooks.backends.base import BackendContext
from jupyter_mlops.notebooks.backends.local import LocalNotebookBackend
from jupyter_mlops.notebooks.entities import NotebookServer, ServerStatus
from jupyter_mlops.notebooks.naming import compute_names
from jupyter_mlops.notebooks.service import NotebookService
from jupyter_mlops.notebooks.store import SqlNotebookStore
from jupyter_mlops.notebooks.validation import build_spec
from jupyter_mlops.processes import OsAccount, ProcessPolicy, UserMode

_root = load_root_conftest()
REPO = Path(__file__).resolve().parent.parent.parent
#: users_identity.HeaderUsers: ``token <name>-token`` is the user ``name``.
AUTH_TESTS = REPO / "tests" / "auth"
ACCOUNTS = ("mlops-alice", "mlops-bob")
ALICE, BOB, CAROL = ({"Authorization": f"token {u}-token"} for u in ("alice", "bob", "carol"))


# -- fixtures --------------------------------------------------------------------------------
@pytest.fixture
def mlops_shared_root() -> Iterator[Path]:
    """A folder every account may pass through (0711), not a pytest folder (0700 for
    root's tmp): whatever keeps users out below it is our own folders' permissions."""
    root = Path(tempfile.mkdtemp(prefix="mlops-multi-user-"))
    os.chmod(root, 0o711)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _service(
    tmp_path: Path, database: Database, policy: ProcessPolicy, state_dir: Path | None = None
) -> NotebookService:
    backend = LocalNotebookBackend()
    backend.setup(
        BackendContext(state_dir=state_dir or tmp_path / "servers", process_policy=policy)
    )
    return NotebookService(SqlNotebookStore(database), backend, make_options(), ("admin",))


# -- no account to run as: refused, naming the Kubernetes backend ---------------------------
def test_without_an_account_servers_are_refused_naming_kubernetes(
    tmp_path: Path, mlops_notebook_database: Database
) -> None:
    # (as root: no such account; otherwise: this server cannot switch accounts)
    policy = ProcessPolicy(mode=UserMode.MULTI, account_template="mlops-nobody-{username}")
    service = _service(tmp_path, mlops_notebook_database, policy)
    with pytest.raises(PermissionDenied, match="Kubernetes") as refused:
        service.create_server("carol", name="box")
    assert refused.value.field == "owner"
    assert service.store.find("carol", "box") is None  # nothing recorded, nothing failed

    # A server recorded before (single-user mode, say) is refused at start, and stays as
    # it was: no Failed status, no start requested.
    spec = build_spec({}, service.options, is_admin=False)
    service.store.create(
        NotebookServer(
            owner="carol",
            name="old",
            backend="local",
            spec=spec,
            names=compute_names("carol", "old", "default", ""),
            status=ServerStatus.STOPPED,
        )
    )
    with pytest.raises(PermissionDenied, match="Kubernetes"):
        service.start_server("carol", "carol", "old")
    assert service.store.get("carol", "old").status == ServerStatus.STOPPED
    assert "Requested" not in [e.reason for e in service.store.events("carol", "old", 0)]

    # Root (or this server's own account) is never a user's account.
    as_root = _service(tmp_path, mlops_notebook_database, ProcessPolicy(mode=UserMode.MULTI))
    with pytest.raises(PermissionDenied, match="Kubernetes"):
        as_root.create_server("admin", owner="root", name="box")


@pytest.fixture
def mlops_identity_config() -> dict[str, Any]:
    return {"identity_provider_class": TokenUsers}  # several users: multi-user mode


@pytest.fixture
def mlops_extension_config(tmp_path: Path) -> dict[str, Any]:
    return {
        "local_account_template": "mlops-nobody-{username}",
        "NotebookServers": {"state_dir": str(tmp_path / "servers")},
    }


async def test_the_api_answers_403_naming_kubernetes(mlops_api: ApiCall) -> None:
    me = await mlops_api("GET", "me", headers=as_user("alice"))
    assert me.json()["mode"] == "multi-user"
    refused = await mlops_api(
        "POST", "notebook-servers", json={"name": "box"}, headers=as_user("alice")
    )
    assert refused.status == 403, refused.body
    assert "Kubernetes" in refused.json()["error"]["message"]
    listed = await mlops_api("GET", "notebook-servers", headers=as_user("alice"))
    assert listed.json()["servers"] == []


def test_a_state_dir_the_accounts_cannot_reach_is_refused_naming_the_setting(
    tmp_path: Path, mlops_notebook_database: Database, mlops_os_accounts: dict[str, OsAccount]
) -> None:
    private = tmp_path / "private"  # pytest's own folders are root's alone (0700)
    private.mkdir(mode=0o700)
    policy = ProcessPolicy(mode=UserMode.MULTI, account_template="mlops-{username}")
    service = _service(tmp_path, mlops_notebook_database, policy, state_dir=private / "servers")
    with pytest.raises(InvalidState, match=r"NotebookServers\.state_dir") as refused:
        service.create_server("alice", name="box")
    assert str(private) in refused.value.message
    assert service.store.find("alice", "box") is None


# -- for real: two users, two accounts, two servers -----------------------------------------
SERVER_ARGS = (
    "--ServerApp.identity_provider_class=users_identity.HeaderUsers",
    "--MlopsExtension.admin_users=admin",
    "--MlopsExtension.local_account_template=mlops-{username}",
    "--NotebookServers.monitor_interval=0.5",
    "--NotebookServers.cull_interval=0",
)

#: Run by alice's kernel and by a process of bob's: what each label's path lets it do.
PROBE = """
import json, os
def probe(paths):
    found = {}
    for label, path in paths.items():
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                with open(path, "rb") as handle:
                    handle.read(1)
            found[label] = "read"
        except PermissionError:
            found[label] = "denied"
        except OSError as exc:  # a path that does not exist must not pass for "denied"
            found[label] = type(exc).__name__
    return found
"""

BOB_PROBE = (
    PROBE
    + """
import sys, urllib.error, urllib.request
url, alice_pid, alice_workspace, bob_token = sys.argv[1:5]
def status(headers):
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers)).status
    except urllib.error.HTTPError as error:
        return error.code
print(json.dumps({
    "uid": os.getuid(),
    "without_token": status({}),
    "with_his_own_servers_token": status({"Authorization": "token " + bob_token}),
    **probe({
        "alice_environ": f"/proc/{alice_pid}/environ",
        "alice_workspace": alice_workspace,
        "own_environ": "/proc/self/environ",
    }),
}))
"""
)


def _server_process(server: Any, owner: str) -> dict[str, Any]:
    answer = api_call(server, "GET", f"notebook-servers/{owner}/box/manifest")
    assert answer.status_code == 200, answer.text
    process: dict[str, Any] = answer.json()["manifests"][0]
    return process


def _mode_and_owner(path: Path) -> tuple[int, int]:
    info = path.stat()
    return stat.S_IMODE(info.st_mode), info.st_uid


def _alice_kernel(server: Any) -> KernelChannel:
    """A kernel of alice's server, reached as alice through our proxy, with PROBE defined."""
    base = f"{server.url}mlops/servers/alice/box/"
    kernel = requests.post(
        base + "api/kernels", json={"name": "python3"}, headers=ALICE, timeout=60
    )
    assert kernel.status_code == 201, kernel.text
    channel = KernelChannel(
        base.replace("http", "ws", 1) + f"api/kernels/{kernel.json()['id']}/channels", ALICE
    )
    channel.execute(PROBE)
    return channel


def _last_json(output: str) -> Any:
    return json.loads(output.strip().splitlines()[-1])


def _paths_alice_must_not_read(root: Path, bob_folder: Path, bob_pid: int) -> dict[str, str]:
    """Our server's runtime files, database, artifacts and key; bob's server's files."""
    runtime_dir = root / "runtime"  # our server's JUPYTER_RUNTIME_DIR
    assert (runtime_dir / "jupyter_cookie_secret").is_file()
    main_pid = json.loads(next(runtime_dir.glob("jpserver-*.json")).read_text())["pid"]
    paths = {f"runtime/{p.name}": str(p) for p in runtime_dir.iterdir() if p.is_file()}
    paths.update({f"store/{p.name}": str(p) for p in (root / "store").iterdir()})
    artifacts = list((root / "artifacts").rglob("note.txt"))  # the one she just logged
    assert len(artifacts) == 1, artifacts
    paths.update(
        {
            "runtime": str(runtime_dir),
            "store": str(root / "store"),
            "artifacts": str(root / "artifacts"),
            "artifact": str(artifacts[0]),
            "crypt_key": str(root / CRYPT_KEY),
            "server_environ": f"/proc/{main_pid}/environ",
            "bob_workspace": str(bob_folder / "workspace"),
            "bob_file": str(bob_folder / "workspace" / "notes.txt"),
            "bob_runtime": str(bob_folder / "runtime"),
            "bob_log": str(bob_folder / "server.log"),
            "bob_server_environ": f"/proc/{bob_pid}/environ",
        }
    )
    return paths


def _probe_as_bob(alice: dict[str, Any], alice_workspace: Path, bob_token: str) -> dict[str, Any]:
    """BOB_PROBE in a process of mlops-bob's (runuser, not our own account switch)."""
    url = f"http://127.0.0.1:{alice['port']}/mlops/servers/alice/box/api/status"
    done = subprocess.run(
        [
            *("runuser", "-u", "mlops-bob", "--", sys.executable, "-c", BOB_PROBE),
            *(url, str(alice["pid"]), str(alice_workspace), bob_token),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.mark.slow
def test_servers_run_as_their_owners_accounts_and_users_stay_apart(
    mlops_os_accounts: dict[str, OsAccount],
    mlops_shared_root: Path,
    mlops_local_pids: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The identity provider must be importable by the server subprocess.
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(AUTH_TESTS), os.environ.get("PYTHONPATH")]))
    )
    root = mlops_shared_root
    database, state_dir = root / "store" / "mlops.db", root / "servers"
    alice_account, bob_account = mlops_os_accounts["mlops-alice"], mlops_os_accounts["mlops-bob"]
    args = (*SERVER_ARGS, f"--NotebookServers.state_dir={state_dir}")
    with _root.run_mlops_server(root, args, store_uri=f"sqlite:///{database}") as server:
        assert api_call(server, "GET", "me", ALICE).json()["mode"] == "multi-user"
        _refused_without_an_account(server)
        alice, bob = _started_as_their_accounts(
            server, database, mlops_os_accounts, mlops_local_pids
        )
        token, environ = _token_sealed_and_in_the_environment(
            server, root, database, alice, alice_account
        )
        alice_folder, bob_folder = _layout_of_our_folders_and_theirs(
            root, state_dir, database, environ, alice_account
        )
        _straight_to_the_port_needs_the_token(alice, token)
        bob_token = stored_server_token(database, root / CRYPT_KEY, "bob", "box")
        _bob_reaches_nothing_of_alices(
            server, alice, alice_folder, bob_folder, bob_account, bob_token
        )
        _alices_kernel_has_her_uid_and_no_secrets(
            server, root, database, bob_folder, bob, alice_account
        )
        _stopped_and_deleted_across_accounts(server, alice, bob, alice_folder, bob_folder)


def _refused_without_an_account(server: Any) -> None:
    """Carol has no account: refused with the reason; nothing recorded."""
    refused = api_call(server, "POST", "notebook-servers", CAROL, json={"name": "box"})
    assert refused.status_code == 403 and "Kubernetes" in refused.json()["error"]["message"]
    assert api_call(server, "GET", "notebook-servers", CAROL).json()["servers"] == []


def _started_as_their_accounts(
    server: Any, database: Path, accounts: dict[str, OsAccount], pids: list[int]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Alice and bob each start a server: it runs as their account. Their processes."""
    alice_account, bob_account = accounts["mlops-alice"], accounts["mlops-bob"]
    for headers in (ALICE, BOB):
        body = {"name": "box", "cull_idle_seconds": 0}
        created = api_call(server, "POST", "notebook-servers", headers, json=body)
        assert created.status_code == 201, created.text
    processes = {}
    for owner in ("alice", "bob"):
        wait_for_status(server, owner, "box", "Running")
        processes[owner] = _server_process(server, owner)
        pids.append(processes[owner]["pid"])
    for owner, process in processes.items():  # its port, from the stored runtime record
        process["port"] = json.loads(stored_server_row(database, owner, "box")["runtime"])["port"]
    alice, bob = processes["alice"], processes["bob"]
    assert (alice["user"], bob["user"]) == ("mlops-alice", "mlops-bob")
    alice_process = psutil.Process(alice["pid"])
    assert set(alice_process.uids()) == {alice_account.uid}
    assert set(alice_process.gids()) == {alice_account.gid}
    assert set(psutil.Process(bob["pid"]).uids()) == {bob_account.uid}
    return alice, bob


def _token_sealed_and_in_the_environment(
    server: Any, root: Path, database: Path, alice: dict[str, Any], alice_account: OsAccount
) -> tuple[str, dict[str, str]]:
    """Its token: sealed in the database, in its environment, never on its command line.
    The token, and the environment of alice's server."""
    token = stored_server_token(database, root / CRYPT_KEY, "alice", "box")
    assert token not in repr(stored_server_row(database, "alice", "box"))
    cmdline = Path(f"/proc/{alice['pid']}/cmdline").read_text()
    assert token not in cmdline and "--allow-root" not in cmdline
    environ = dict(
        entry.split("=", 1)
        for entry in Path(f"/proc/{alice['pid']}/environ").read_text().split("\0")
        if "=" in entry
    )
    assert environ["JUPYTER_TOKEN"] == token
    assert (environ["HOME"], environ["USER"]) == (alice_account.home, "mlops-alice")
    assert not [k for k, v in environ.items() if server.token in v or str(database) in v]
    return token, environ


def _layout_of_our_folders_and_theirs(
    root: Path,
    state_dir: Path,
    database: Path,
    environ: dict[str, str],
    alice_account: OsAccount,
) -> tuple[Path, Path]:
    """The layout: our folders are ours; the user's are the user's alone. The folders of
    alice's and bob's servers."""
    alice_folder = state_dir / stored_server_row(database, "alice", "box")["workload_name"]
    bob_folder = state_dir / stored_server_row(database, "bob", "box")["workload_name"]
    assert environ["JUPYTER_RUNTIME_DIR"] == str(alice_folder / "runtime")
    assert _mode_and_owner(state_dir) == (0o711, 0)
    assert _mode_and_owner(alice_folder) == (0o711, 0)
    assert _mode_and_owner(alice_folder / "server.log") == (0o600, 0)
    for private in ("workspace", "runtime"):
        assert _mode_and_owner(alice_folder / private) == (0o700, alice_account.uid)
    assert _mode_and_owner(root / "store") == (0o700, 0)
    assert _mode_and_owner(root / "runtime") == (0o700, 0)  # made 0755 by the test helper
    assert _mode_and_owner(root / "artifacts") == (0o700, 0)
    return alice_folder, bob_folder


def _straight_to_the_port_needs_the_token(alice: dict[str, Any], token: str) -> None:
    direct = f"http://127.0.0.1:{alice['port']}/mlops/servers/alice/box/api/status"
    auth = {"Authorization": f"token {token}"}
    assert requests.get(direct, headers=auth, timeout=30).status_code == 200
    assert requests.get(direct, timeout=30).status_code == 403


def _bob_reaches_nothing_of_alices(
    server: Any,
    alice: dict[str, Any],
    alice_folder: Path,
    bob_folder: Path,
    bob_account: OsAccount,
    bob_token: str,
) -> None:
    """Bob: neither through the proxy nor straight to the port, nor through /proc."""
    through_proxy = f"{server.url}mlops/servers/alice/box/api/status"
    assert requests.get(through_proxy, headers=BOB, timeout=30).status_code in (403, 404)
    bob_file = bob_folder / "workspace" / "notes.txt"
    bob_file.write_text("bob's")
    os.chown(bob_file, bob_account.uid, bob_account.gid)
    as_bob = _probe_as_bob(alice, alice_folder / "workspace", bob_token)
    assert as_bob == {
        "uid": bob_account.uid,
        "without_token": 403,
        "with_his_own_servers_token": 403,
        "alice_environ": "denied",
        "alice_workspace": "denied",
        "own_environ": "read",  # the probe can read what is bob's
    }


def _alices_kernel_has_her_uid_and_no_secrets(
    server: Any,
    root: Path,
    database: Path,
    bob_folder: Path,
    bob: dict[str, Any],
    alice_account: OsAccount,
) -> None:
    """Alice's kernel: her uid; none of our secrets, nothing of bob's."""
    channel = _alice_kernel(server)
    try:
        logged = _last_json(
            channel.execute(
                "import jupyter_mlops as mlops\n"
                "with mlops.start_run(experiment='alice-box') as run:\n"
                "    mlops.log_text('a note of alice', 'note.txt')\n"
                "open('mine.txt', 'w').write('mine')\n"
                "print(json.dumps({'uid': os.getuid(), 'run_id': run.info.run_id,"
                " 'environ': dict(os.environ)}))\n"
            )
        )
        paths = _paths_alice_must_not_read(root, bob_folder, bob["pid"])
        found = _last_json(
            channel.execute(
                f"found = probe({json.dumps(paths)})\n"
                "found.update(probe({'own_workspace_file': 'mine.txt',"
                " 'own_runtime': os.environ['JUPYTER_RUNTIME_DIR']}))\n"
                "print(json.dumps(found))\n"
            )
        )
    finally:
        channel.close()
    assert logged["uid"] == alice_account.uid
    assert {"runtime/jupyter_cookie_secret", "store/mlops.db", "artifact"} <= set(paths)
    assert found == {
        **dict.fromkeys(paths, "denied"),
        "own_workspace_file": "read",  # the probe can read what is hers
        "own_runtime": "read",
    }
    # Her run is hers (an API token of hers), and her kernel holds none of our secrets.
    run = api_call(server, "GET", f"runs/{logged['run_id']}", ALICE).json()["run"]
    assert run["info"]["user"] == "alice"
    kernel_env = logged["environ"]
    assert kernel_env["JUPYTER_MLOPS_TOKEN"].startswith("mlops_")
    assert not [k for k, v in kernel_env.items() if server.token in v or str(database) in v]


def _stopped_and_deleted_across_accounts(
    server: Any,
    alice: dict[str, Any],
    bob: dict[str, Any],
    alice_folder: Path,
    bob_folder: Path,
) -> None:
    """Stopping works across accounts."""
    stopped = api_call(server, "POST", "notebook-servers/alice/box/stop", ALICE)
    assert stopped.status_code == 200, stopped.text
    wait_for_status(server, "alice", "box", "Stopped", timeout=30)
    assert process_gone(alice["pid"])
    for headers, owner in ((ALICE, "alice"), (BOB, "bob")):
        deleted = api_call(
            server,
            "DELETE",
            f"notebook-servers/{owner}/box",
            headers,
            params={"delete_volume": "true"},
        )
        assert deleted.status_code == 204, deleted.text
    assert not alice_folder.exists() and not bob_folder.exists()
    assert process_gone(bob["pid"])
