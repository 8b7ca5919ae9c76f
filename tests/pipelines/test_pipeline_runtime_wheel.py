"""Steps in images without jupyter-mlops: the server serves its own installed jupyter-mlops
as a wheel (``GET mlops/api/pipelines/runtime/<wheel>``), and the step bootstrap in every
Job's command downloads it with the pod's token and installs only what the runner needs.

The "stock image" is a venv made with ``--without-pip`` (no jupyter-mlops, no requests),
whose python comes first on the pod's PATH; it has pip, as python images do, and its pip
sees a local package index: wheels of requests & co. rebuilt from this venv's installs (no
network). The pods are run by tests/kube_emulator/jobs.py against the API emulator, the
server is a real jupyter server on a real port, and the step logs over HTTP to it."""

from __future__ import annotations

import asyncio
import base64
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from importlib import metadata
from pathlib import Path
from typing import Any

import pip
import pytest
import yaml
from kube_emulator import KubeEmulator
from kube_emulator.jobs import PodRunner
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from pipeline_support import server_config
from traitlets.config import Config

import jupyter_mlops as mlops
from jupyter_mlops.pipelines.runtime import bootstrap as step_bootstrap
from jupyter_mlops.pipelines.runtime.requirements import requirements_of, task_of
from jupyter_mlops.pipelines.server.manifests import runner_command
from jupyter_mlops.pipelines.server.runtime_wheel import build_wheel, runtime_wheel_filename
from jupyter_mlops.server.extension import ENV_TOKEN, ENV_TRACKING_URI, OPENAPI_PATH
from jupyter_mlops.server.routes import API_PREFIX

pytestmark = pytest.mark.slow
KUBERNETES_BACKEND = "jupyter_mlops.pipelines.server.backends.kubernetes.KubernetesBackend"
NAMESPACE = "team"
WHEEL = runtime_wheel_filename()
#: What the image lacks and the bootstrap must install (the runner's imports over HTTP).
RUNNER_REQUIREMENTS = ["requests", "jupyter_core", "platformdirs"]


@mlops.step(image="python:3.12-slim")
def measure(x: int) -> int:
    import sys

    import jupyter_mlops as mlops

    print(f"python={sys.prefix} runtime={mlops.__file__}")
    mlops.log_metric("half", x / 2)
    return x + 1


@mlops.pipeline
def on_a_stock_image(x: int = 4):
    return measure(x=x)


# -- the stock image ----------------------------------------------------------------------
@dataclass
class StockImage:
    venv: Path
    site_packages: Path
    wheelhouse: Path
    scratch: Path
    #: The image's WORKDIR (not this checkout, whose jupyter_mlops Python would import).
    workdir: Path

    def pod_env(self) -> dict[str, str]:
        """The pod's environment beyond the Job's own: the image's PATH, and a pip that
        sees only the local index (no config files: not this machine's)."""
        return {
            "PATH": f"{self.venv / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "HOME": str(self.scratch),
            "TMPDIR": str(self.scratch),
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(self.wheelhouse),
        }

    def has(self, distribution: str) -> bool:
        return any(self.site_packages.glob(f"{distribution}-*.dist-info"))


def _closure(names: list[str]) -> list[metadata.Distribution]:
    """The installed distributions ``names`` need, dependencies included."""
    found: dict[str, metadata.Distribution] = {}
    todo = list(names)
    while todo:
        requirement = Requirement(todo.pop())
        key = canonicalize_name(requirement.name)
        if key in found:
            continue
        found[key] = metadata.distribution(requirement.name)
        for text in found[key].requires or []:
            marker = Requirement(text).marker
            if marker is None or marker.evaluate({"extra": ""}):
                todo.append(text)
    return list(found.values())


@pytest.fixture
def mlops_stock_image(tmp_path: Path) -> StockImage:
    root = tmp_path / "image"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", root / "venv"], check=True)
    site_packages = next((root / "venv" / "lib").glob("python3*/site-packages"))
    # pip, as python images have it: this venv's own, reached through a .pth file.
    (root / "pip").mkdir()
    (root / "pip" / "pip").symlink_to(Path(pip.__file__).parent)
    (site_packages / "image-pip.pth").write_text(f"{root / 'pip'}\n", encoding="utf-8")
    # The package index: wheels rebuilt from this venv's installs (regular installs: the
    # builder's RECORD path), with their original tags.
    wheelhouse = root / "wheelhouse"
    wheelhouse.mkdir()
    for distribution in _closure(RUNNER_REQUIREMENTS):
        tags = (distribution.read_text("WHEEL") or "").splitlines()
        tag = next(line.split(":", 1)[1].strip() for line in tags if line.startswith("Tag:"))
        wheel = build_wheel(distribution, tag=tag)
        (wheelhouse / wheel.filename).write_bytes(wheel.data)
    (root / "scratch").mkdir()
    (root / "workdir").mkdir()
    return StockImage(root / "venv", site_packages, wheelhouse, root / "scratch", root / "workdir")


# -- the server ---------------------------------------------------------------------------
@pytest.fixture
def jp_server_config(tmp_path: Path, mlops_emulator: KubeEmulator) -> Config:
    # No Pipelines.tracking_url: pods get this server's URL and token, as by default.
    return server_config(
        tmp_path,
        Pipelines={
            "backend_class": KUBERNETES_BACKEND,
            "namespace": NAMESPACE,
            "poll_interval": 0.2,
        },
        Kube={"api_host": mlops_emulator.url},
    )


@pytest.fixture(autouse=True)
def mlops_kernel_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_TRACKING_URI, raising=False)
    monkeypatch.delenv(ENV_TOKEN, raising=False)


@pytest.fixture(scope="module")
def mlops_openapi() -> OpenAPI:
    return OpenAPI.from_dict(yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8")))


async def _call(jp_fetch: Any, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    response = await jp_fetch(
        "mlops",
        "api",
        *path.split("/"),
        method=method,
        body=None if body is None else json.dumps(body),
        raise_error=False,
    )
    return response.code, json.loads(response.body) if response.body else None


async def _server_url(jp_serverapp: Any) -> str:
    """The URL the backend gives pods, once the extension's start-up has set it."""
    backend = jp_serverapp.web_app.settings["mlops_pipeline_service"].backends["kubernetes"]
    for _ in range(200):
        if backend.settings.tracking_uri:
            return str(backend.settings.tracking_uri)
        await asyncio.sleep(0.05)
    raise AssertionError("the pipeline backend never got the server's URL")


async def _run_to_the_end(jp_fetch: Any, pods: PodRunner, run_id: str) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + 60
    while True:
        # The pods run in a thread: they call this server, which answers on this loop.
        await loop.run_in_executor(None, pods.run_pending, NAMESPACE)
        status, body = await _call(jp_fetch, "GET", f"pipeline-runs/{run_id}")
        assert status == 200, body
        if body["run"]["state"] in ("SUCCEEDED", "FAILED"):
            run: dict[str, Any] = body["run"]
            return run
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.1)


# -- tests --------------------------------------------------------------------------------
async def test_a_step_runs_on_an_image_without_jupyter_mlops(
    jp_serverapp: Any, jp_fetch: Any, mlops_emulator: KubeEmulator, mlops_stock_image: StockImage
) -> None:
    image = mlops_stock_image
    assert not image.has("jupyter_mlops") and not image.has("requests")
    await _server_url(jp_serverapp)
    status, body = await _call(
        jp_fetch, "POST", "pipeline-runs", {"spec": on_a_stock_image.compile()}
    )
    assert status == 201, body
    # The pod gets the Job's env, its token from the Secret, and the image's PATH.
    pods = PodRunner(mlops_emulator, env=image.pod_env(), secrets=True, cwd=image.workdir)

    run = await _run_to_the_end(jp_fetch, pods, body["run"]["run_id"])

    assert run["state"] == "SUCCEEDED", run["message"]
    assert run["outputs"] == {"Output": 5}
    step = run["steps"][0]
    status, logs = await _call(
        jp_fetch, "GET", f"pipeline-runs/{run['run_id']}/steps/{step['step_id']}/logs"
    )
    text = logs["text"]
    # It ran on the image's Python, with the server's jupyter-mlops, unpacked from the wheel.
    assert f"python={image.venv}" in text, text
    runtime = Path(text.split("runtime=")[1].split()[0])
    assert runtime.is_relative_to(image.scratch) and "mlops-runtime-" in str(runtime)
    assert f"installing {' '.join(RUNNER_REQUIREMENTS)}" in text
    assert "ERROR" not in text and "WARNING" not in text  # pip had nothing to complain about
    # Only what the runner needs went into the image; jupyter-mlops itself did not.
    assert image.has("requests") and image.has("jupyter_core")
    assert not image.has("jupyter_mlops")
    # The metric it logged over HTTP reached our store, in the step's own run.
    status, child = await _call(jp_fetch, "GET", f"runs/{step['tracking_run_id']}")
    assert status == 200, child
    assert child["run"]["metrics"]["half"]["value"] == 2.0
    assert child["run"]["info"]["status"] == "FINISHED"


async def test_a_refused_download_fails_the_step_saying_why(
    jp_serverapp: Any, jp_fetch: Any, mlops_emulator: KubeEmulator, mlops_stock_image: StockImage
) -> None:
    await _server_url(jp_serverapp)
    status, body = await _call(
        jp_fetch, "POST", "pipeline-runs", {"spec": on_a_stock_image.compile()}
    )
    assert status == 201, body
    env = {**mlops_stock_image.pod_env(), ENV_TOKEN: "not-the-token"}
    pods = PodRunner(mlops_emulator, env=env, secrets=True, cwd=mlops_stock_image.workdir)

    run = await _run_to_the_end(jp_fetch, pods, body["run"]["run_id"])

    assert run["state"] == "FAILED"
    message = run["steps"][0]["message"]
    assert "HTTP 403" in message and "does not accept the token in JUPYTER_MLOPS_TOKEN" in message
    assert "not-the-token" not in message
    assert not mlops_stock_image.has("requests")  # nothing was installed


async def test_the_runtime_wheel_is_served_to_callers_with_identity_only(
    jp_fetch: Any, mlops_openapi: OpenAPI
) -> None:
    path = ("mlops", "api", "pipelines", "runtime")
    refused = await jp_fetch(*path, WHEEL, headers={"Authorization": ""}, raise_error=False)
    assert refused.code == 403
    assert json.loads(refused.body)["error"]["code"] == "PERMISSION_DENIED"
    other = await jp_fetch(*path, "jupyter_mlops-0.0.1-py3-none-any.whl", raise_error=False)
    assert other.code == 404
    assert json.loads(other.body)["error"]["field"] == "name"

    response = await jp_fetch(*path, WHEEL)

    assert response.code == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    for answer, name in ((response, WHEEL), (refused, WHEEL), (other, "x.whl")):
        mlops_openapi.validate_response(
            MockRequest("http://localhost", "get", f"/{API_PREFIX}/pipelines/runtime/{name}"),
            MockResponse(
                data=answer.body,
                status_code=answer.code,
                content_type=answer.headers["Content-Type"].split(";")[0],
            ),
        )
    members = _verified_wheel(response.body)
    names = set(members)
    dist_info = f"jupyter_mlops-{mlops.__version__}.dist-info"
    assert {
        "jupyter_mlops/pipelines/runtime/runner.py",
        "jupyter_mlops/_version.py",
        "jupyter_mlops/tracking/search/filter.lark",  # package data read with importlib
        "jupyter_mlops/server/openapi.yaml",
    } <= names
    assert not [n for n in names if "labextension" in n or n.endswith(".pyc") or "tests/" in n]
    assert {n for n in names if n.startswith(dist_info)} >= {
        f"{dist_info}/{n}" for n in ("METADATA", "WHEEL", "RECORD")
    }
    wheel_file = Parser().parsestr(members[f"{dist_info}/WHEEL"].decode())
    assert wheel_file["Root-Is-Purelib"] == "true" and wheel_file["Tag"] == "py3-none-any"
    info = Parser().parsestr(members[f"{dist_info}/METADATA"].decode())
    assert (info["Name"], info["Version"]) == ("jupyter_mlops", mlops.__version__)
    assert any(r.startswith("requests") for r in info.get_all("Requires-Dist") or [])
    # The same bytes again: built once, kept.
    assert (await jp_fetch(*path, WHEEL)).body == response.body


def _verified_wheel(data: bytes) -> dict[str, bytes]:
    """The wheel's members, after checking RECORD as pip does: every file listed once,
    with its sha256 and size (RECORD itself without)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        members = {name: archive.read(name) for name in archive.namelist()}
    (record_name,) = [n for n in members if n.endswith(".dist-info/RECORD")]
    rows = list(csv.reader(io.StringIO(members[record_name].decode())))
    assert sorted(row[0] for row in rows) == sorted(members)
    for name, digest, size in rows:
        if name == record_name:
            assert (digest, size) == ("", "")
            continue
        algorithm, _, value = digest.partition("=")
        expected = base64.urlsafe_b64encode(hashlib.sha256(members[name]).digest()).rstrip(b"=")
        assert (algorithm, value, int(size)) == ("sha256", expected.decode(), len(members[name]))
    return members


def test_pip_installs_the_wheel_and_a_regular_install_rebuilds_it_identically(
    tmp_path: Path,
) -> None:
    # Built here from the editable install of this checkout...
    from jupyter_mlops.pipelines.server.runtime_wheel import build_runtime_wheel

    wheel = build_runtime_wheel()
    assert wheel.filename == WHEEL
    path = tmp_path / wheel.filename
    path.write_bytes(wheel.data)
    target = tmp_path / "site"
    pip_env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"}
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target, path],
        check=True,
        env=pip_env,
    )
    # ...then from that regular install, whose RECORD lists the files.
    script = (
        "import jupyter_mlops, sys;"
        "from jupyter_mlops.pipelines.server.runtime_wheel import build_runtime_wheel as b;"
        "assert jupyter_mlops.__file__.startswith(sys.argv[1]), jupyter_mlops.__file__;"
        "sys.stdout.buffer.write(b().data)"
    )
    rebuilt = subprocess.run(
        [sys.executable, "-c", script, str(target)],
        env={**os.environ, "PYTHONPATH": str(target)},
        cwd=tmp_path,  # not this checkout, which comes first on sys.path with -c
        capture_output=True,
        check=False,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr.decode()
    assert rebuilt.stdout == wheel.data


def test_the_bootstrap_says_why_it_cannot_download() -> None:
    error = step_bootstrap.BootstrapError
    with pytest.raises(error, match="is a sqlite: URI, not a server URL") as refused:
        step_bootstrap.runtime_url("sqlite:////secret/mlops.db", WHEEL)
    assert "secret" not in str(refused.value)  # a store URI may hold a password: never echoed
    url = step_bootstrap.runtime_url("http://127.0.0.1:9/base/", WHEEL)
    assert url == f"http://127.0.0.1:9/base/{API_PREFIX}/pipelines/runtime/{WHEEL}"
    with pytest.raises(error, match="cannot reach the jupyter-mlops server"):
        step_bootstrap.fetch(url, "a-token", attempts=1, timeout=5)


def test_without_python_on_path_the_pod_says_so(tmp_path: Path) -> None:
    result = subprocess.run(
        [*runner_command(), "--task-json", "{}"],
        env={"PATH": str(tmp_path)},  # sh is found by absolute path only
        executable="/bin/sh",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 127
    assert "the step image has no python3 or python on PATH" in result.stderr


def test_the_bootstrap_installs_what_the_kind_of_step_needs(tmp_path: Path) -> None:
    python_step = {"executor": {"python": {"source": "", "functionName": "f"}}}
    notebook_step = {"executor": {"notebook": {"name": "a.ipynb", "source": "{}"}}}
    with_packages = {"executor": {"python": {}, "packages": ["scikit-learn>=1.4"]}}
    assert list(requirements_of(python_step)) == RUNNER_REQUIREMENTS
    assert list(requirements_of(notebook_step)) == [
        *RUNNER_REQUIREMENTS,
        "nbclient",
        "nbformat",
        "ipykernel",
    ]
    # The runner checks a step's packages with `packaging` before it pip-installs them.
    assert list(requirements_of(with_packages)) == [*RUNNER_REQUIREMENTS, "packaging"]
    # The task as the runner reads it: --task-json (Jobs, Argo) or --task-file.
    (tmp_path / "task.json").write_text(json.dumps(notebook_step), encoding="utf-8")
    assert task_of(["--task-json", json.dumps(python_step), "--input", "x=1"]) == python_step
    assert task_of(["--task-file", str(tmp_path / "task.json")]) == notebook_step
    assert task_of(["--task-json", "{broken"]) == {}  # the runner will say what is wrong
