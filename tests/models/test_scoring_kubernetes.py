"""Scoring workers as Kubernetes pods (``scoring_backend``: auto with a Kubernetes notebook
backend), against the API emulator.

The test plays the container: when the server creates a scoring pod, ``ContainerPlayer``
runs the pod's own command and args (the pipeline bootstrap, then the real worker) as a
local process, with the environment the pod would get from its Secret, listening on
127.0.0.1; the emulator's kubelet then reports the pod Running and Ready at that IP. When
the pod is deleted, the player ends the process, as the kubelet would."""

from __future__ import annotations

import base64
import json
import os
import pwd
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from kube_emulator import KubeEmulator
from scoring_support import TWO_ROWS, PidModel, eventually, process_alive, save
from traitlets.config import Config

from jupyter_mlops.kube.labels import MANAGED_BY_LABEL, OWNER_LABEL
from jupyter_mlops.models.scoring.manifests import (
    SCORING_LABEL,
    ScoringPodSpec,
    build_scoring_pod,
    build_scoring_secret,
)
from jupyter_mlops.models.scoring.worker import (
    ENV_SECRET,
    REQUEST_HEAD,
    RESPONSE_HEAD,
    frame_secret,
)
from jupyter_mlops.server.handlers.base import (
    SETTING_REGISTRY_SERVICE,
    SETTING_SCORING_POOL,
    SETTING_TOKEN_SERVICE,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "auth"))
from users_identity import HeaderUsers

NS = "mlops-scoring"
OWNER = "carol"  # a user with no OS account (mlops-carol): pods need none
CAROL = {"Authorization": f"token {OWNER}-token"}
WORKER_SELECTOR = f"{SCORING_LABEL}=worker"
JSON = {"Content-Type": "application/json"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _secret_data(secret: dict[str, Any]) -> dict[str, str]:
    data = {k: base64.b64decode(v).decode() for k, v in (secret.get("data") or {}).items()}
    return {**data, **(secret.get("stringData") or {})}


class ContainerPlayer:
    """Runs each scoring pod's container as a local process (see the module docstring)."""

    def __init__(self, emulator: KubeEmulator, home: Path) -> None:
        self.emulator = emulator
        self.home = home
        #: Who the pod's API token acted as when its container started (None: no one).
        self.token_owners: dict[str, str | None] = {}
        self.tokens: Any = None  # the server's TokenService, once a test has a server
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.reports: dict[str, dict[str, Any]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="container-player", daemon=True)

    def __enter__(self) -> ContainerPlayer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        for process in self.processes.values():
            process.kill()
            process.wait()

    def _loop(self) -> None:
        while not self._stop.wait(0.05):
            pods = {
                pod["metadata"]["name"]: pod
                for pod in self.emulator.list("v1", "Pod", NS, WORKER_SELECTOR)
            }
            for name, pod in pods.items():
                if name not in self.processes:
                    self._play(pod)
            for name, process in self.processes.items():
                if name not in pods and process.poll() is None:
                    process.terminate()  # the pod was deleted

    def _environment(self, container: dict[str, Any]) -> dict[str, str]:
        environment = {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
        for variable in container["env"]:
            if "value" in variable:
                environment[variable["name"]] = variable["value"]
                continue
            ref = variable["valueFrom"]["secretKeyRef"]
            secret = self.emulator.get("v1", "Secret", NS, ref["name"])
            assert secret is not None, f"the pod reads Secret {ref['name']}, which is missing"
            environment[variable["name"]] = _secret_data(secret)[ref["key"]]
        environment["HOME"] = str(self.home)  # the pod's /tmp
        return environment

    def _play(self, pod: dict[str, Any]) -> None:
        name = pod["metadata"]["name"]
        (container,) = pod["spec"]["containers"]
        args = [arg.replace("tcp:0.0.0.0:", "tcp:127.0.0.1:") for arg in container["args"]]
        environment = self._environment(container)
        token = self.tokens.authenticate(environment["JUPYTER_MLOPS_TOKEN"])
        self.token_owners[name] = token.owner if token is not None else None
        process = subprocess.Popen(
            [*container["command"], *args],
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            cwd=self.home,
        )
        self.processes[name] = process
        assert process.stdout is not None
        report = json.loads(process.stdout.readline() or b"{}")
        self.reports[name] = report
        if report.get("ready"):
            self.emulator.kubelet.run(NS, name, pod_ip="127.0.0.1")
        else:
            self.emulator.kubelet.finish(NS, name, exit_code=1, log=json.dumps(report))


@pytest.fixture
def mlops_kube() -> Iterator[KubeEmulator]:
    emulator = KubeEmulator().start()
    yield emulator
    emulator.stop()


@pytest.fixture
def jp_server_config(tmp_path: Path, mlops_kube: KubeEmulator) -> Config:
    """A multi-user server whose notebook servers (hence scoring workers) run on Kubernetes."""
    return Config(
        {
            "ServerApp": {
                "jpserver_extensions": {"jupyter_mlops": True, "jupyter_server_terminals": False},
                "allow_unauthenticated_access": False,
                "identity_provider_class": HeaderUsers,
            },
            "Tracking": {
                "store_uri": f"sqlite:///{tmp_path / 'store' / 'mlops.db'}",
                "artifact_root": str(tmp_path / "artifacts"),
            },
            "MlopsExtension": {
                "default_user": "owner",
                "max_workers": 2,
                "user_mode": "multi-user",
                "local_account_template": "mlops-{username}",
                "admin_users": ["admin"],
            },
            "NotebookServers": {
                "backend_class": (
                    "jupyter_mlops.notebooks.backends.kubernetes.KubernetesNotebookBackend"
                ),
            },
            "Kube": {"api_host": mlops_kube.url},
            "Pipelines": {"namespace": NS, "poll_interval": 0.2},
            "Scoring": {"pod_port": _free_port(), "idle_timeout": 3.0},
        }
    )


@pytest.fixture
def mlops_player(mlops_kube: KubeEmulator, tmp_path: Path) -> Iterator[ContainerPlayer]:
    home = tmp_path / "pod-tmp"
    home.mkdir()
    with ContainerPlayer(mlops_kube, home) as player:
        yield player


async def _register_pid_model(jp_fetch: Any, jp_serverapp: Any, tmp_path: Path) -> None:
    """Version 1 of "pids" (a PidModel), owned by carol, its files uploaded over the API."""
    created = await jp_fetch(
        "mlops/api/experiments", method="POST", headers=CAROL, body=json.dumps({"name": "k"})
    )
    experiment_id = json.loads(created.body)["experiment"]["experiment_id"]
    run = await jp_fetch(
        "mlops/api/runs",
        method="POST",
        headers=CAROL,
        body=json.dumps({"experiment_id": experiment_id}),
    )
    run_id = json.loads(run.body)["run"]["info"]["run_id"]
    folder = save(PidModel(), tmp_path / "pid-model")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        await jp_fetch(
            f"mlops/api/runs/{run_id}/artifacts/model/{relative}",
            method="PUT",
            headers=CAROL,
            body=path.read_bytes(),
        )
    registry = jp_serverapp.web_app.settings[SETTING_REGISTRY_SERVICE]
    registry.create_registered_model(OWNER, "pids")
    registry.create_model_version(OWNER, "pids", f"runs:/{run_id}/model", run_id=run_id)


async def _predict(jp_fetch: Any) -> list[int]:
    response = await jp_fetch(
        "mlops/api/models/pids/predict",
        method="POST",
        headers={**CAROL, **JSON},
        body=json.dumps(TWO_ROWS),
        request_timeout=120,
    )
    assert response.code == 200, response.body
    answer = json.loads(response.body)
    assert answer["model"] == {"name": "pids", "version": "1"}
    predictions: list[int] = answer["predictions"]
    return predictions


async def test_predict_answers_from_the_pods_worker_with_the_owners_token_only(
    jp_serverapp: Any,
    jp_fetch: Any,
    mlops_kube: KubeEmulator,
    mlops_player: ContainerPlayer,
    tmp_path: Path,
) -> None:
    with pytest.raises(KeyError):
        pwd.getpwnam(f"mlops-{OWNER}")  # so no local worker could run as carol
    settings = jp_serverapp.web_app.settings
    tokens = mlops_player.tokens = settings[SETTING_TOKEN_SERVICE]
    await _register_pid_model(jp_fetch, jp_serverapp, tmp_path)

    # When carol asks for predictions, a pod answers: its worker is the player's process.
    predictions = await _predict(jp_fetch)
    (pod,) = mlops_kube.list("v1", "Pod", NS, WORKER_SELECTOR)
    name = pod["metadata"]["name"]
    assert name.startswith("mlops-scoring--pids--v1--")
    worker = mlops_player.processes[name]
    assert predictions == [worker.pid, worker.pid] and worker.pid != os.getpid()
    pool = settings[SETTING_SCORING_POOL]
    assert pool.worker_pids() == {}  # no local worker
    assert list(pool.worker_details().values()) == [f"pod {NS}/{name}"]
    assert await _predict(jp_fetch) == predictions  # the same pod, reused
    assert len(mlops_kube.list("v1", "Pod", NS)) == 1

    # The pod: no service-account token, owner labels, credentials only from its Secret.
    spec = pod["spec"]
    assert spec["automountServiceAccountToken"] is False
    assert pod["metadata"]["labels"][MANAGED_BY_LABEL] == "jupyter-mlops"
    assert pod["metadata"]["labels"][OWNER_LABEL] == OWNER
    secret = mlops_kube.get("v1", "Secret", NS, name)
    assert secret is not None
    values = _secret_data(secret)
    token, shared = values["token"], values["shared-secret"]
    assert token.startswith("mlops_") and len(shared) >= 32
    # carol's token when the container started (it downloaded her model with it); revoked
    # once the pod was ready, as the worker needs it no more.
    assert mlops_player.token_owners == {name: OWNER}
    assert tokens.authenticate(token) is None
    manifest = json.dumps(pod)
    assert token not in manifest and shared not in manifest
    server_token = jp_serverapp.identity_provider.token
    assert server_token not in json.dumps(secret) and server_token not in manifest

    # Idle for scoring_idle_timeout: the pod and its Secret go, and the worker with them.
    await eventually(
        lambda: not mlops_kube.list("v1", "Pod", NS) and not mlops_kube.list("v1", "Secret", NS),
        timeout=30,
    )
    await eventually(lambda: not process_alive(worker.pid) or worker.poll() is not None)


async def test_a_pod_that_fails_to_load_answers_with_the_workers_message(
    jp_serverapp: Any, jp_fetch: Any, mlops_kube: KubeEmulator, mlops_player: ContainerPlayer
) -> None:
    # A version registered from a bare artifact-store folder: no client can download it.
    settings = jp_serverapp.web_app.settings
    tokens = mlops_player.tokens = settings[SETTING_TOKEN_SERVICE]
    registry = settings[SETTING_REGISTRY_SERVICE]
    save(PidModel(), Path(registry.artifacts.root) / "loose" / "pids")
    registry.create_registered_model(OWNER, "pids")
    registry.create_model_version(OWNER, "pids", "loose/pids")
    response = await jp_fetch(
        "mlops/api/models/pids/predict",
        method="POST",
        headers={**CAROL, **JSON},
        body=json.dumps(TWO_ROWS),
        raise_error=False,
        request_timeout=120,
    )
    assert response.code == 404, response.body
    message = json.loads(response.body)["error"]["message"]
    # The worker's own report, read from the pod's log: its download was refused.
    assert "belong to no run or logged model" in message
    (name,) = mlops_player.reports
    assert mlops_player.reports[name]["error"]["status"] == 404
    # Nothing is left: no pod, no Secret, no live token.
    assert not mlops_kube.list("v1", "Pod", NS) and not mlops_kube.list("v1", "Secret", NS)
    assert list(mlops_player.token_owners.values()) == [OWNER]
    assert tokens.list_tokens("admin", owner=OWNER).items == []


def test_manifests_validate_and_carry_no_secret() -> None:
    spec = ScoringPodSpec(
        name="mlops-scoring--iris--v3--abc123",
        namespace=NS,
        owner="carol@example.org",
        model_name="iris",
        model_version="3",
        image="python:3.11-slim",
        tracking_uri="http://mlops.example:8888/",
    )
    pod = build_scoring_pod(spec)
    secret = build_scoring_secret(spec, "mlops_the-token", "the-shared-secret")
    version = kubernetes_validate.latest_version()
    kubernetes_validate.validate(pod, version, strict=True)
    kubernetes_validate.validate(secret, version, strict=True)
    (container,) = pod["spec"]["containers"]
    security = container["securityContext"]
    assert security["runAsNonRoot"] and security["readOnlyRootFilesystem"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert set(container["resources"]) == {"requests", "limits"}
    assert pod["spec"]["automountServiceAccountToken"] is False
    assert "--listen=tcp:0.0.0.0:8080" in container["args"]
    assert "the-token" not in json.dumps(pod) and "the-shared-secret" not in json.dumps(pod)
    assert secret["stringData"] == {
        "token": "mlops_the-token",
        "shared-secret": "the-shared-secret",
    }


def _ask(port: int, first: bytes) -> bytes:
    """What the worker sends back after ``first`` and one scoring request (b"": it closed
    the connection unanswered)."""
    body = json.dumps(TWO_ROWS).encode()
    kind = b"application/json"
    with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:
        connection.sendall(first + REQUEST_HEAD.pack(len(kind), len(body)) + kind + body)
        with connection.makefile("rb") as stream:
            head = stream.read(RESPONSE_HEAD.size)
            if len(head) < RESPONSE_HEAD.size:
                return head
            return head + stream.read(RESPONSE_HEAD.unpack(head)[1])


def test_a_tcp_worker_answers_only_connections_that_start_with_the_secret(
    tmp_path: Path,
) -> None:
    folder = save(PidModel(), tmp_path / "model")
    port = _free_port()
    command = [sys.executable, "-m", "jupyter_mlops.models.scoring.worker", f"--model={folder}"]
    command += [f"--listen=tcp:127.0.0.1:{port}", "--name=pids", "--version=1"]
    refused = subprocess.run(command, capture_output=True, timeout=60, check=False)
    assert refused.returncode != 0 and ENV_SECRET.encode() in refused.stderr
    environment = {**os.environ, ENV_SECRET: "s3cret"}
    worker = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE)
    try:
        assert worker.stdout is not None
        assert json.loads(worker.stdout.readline())["ready"] is True
        assert _ask(port, b"") == b""  # a request as the first frame: dropped, unanswered
        assert _ask(port, frame_secret(b"wrong")) == b""
        answer = _ask(port, frame_secret(b"s3cret"))
        status, _ = RESPONSE_HEAD.unpack(answer[: RESPONSE_HEAD.size])
        assert status == 200
        assert json.loads(answer[RESPONSE_HEAD.size :])["predictions"] == [worker.pid] * 2
    finally:
        worker.kill()
        worker.wait()
