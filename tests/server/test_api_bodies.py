"""Request bodies and disks: the caller is known before a byte of the body is read, bodies
are capped (413 as soon as the declared size or the stream passes the cap), a full or
read-only disk is a 507 naming the cause, and odd JSON in a batch is a 400.

Requests here go over raw sockets where the point is what the server reads and when:
an HTTP client would send the whole body before looking at the answer.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import errno
import json
import os
import select
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest
import requests
import sqlalchemy
from server_support import ApiCall, create_run

from jupyter_mlops.errors import InsufficientStorage, storage_error
from tests.conftest import MlopsServer, run_mlops_server

JSON_CAP = 256 * 1024
# Over the 8 MiB an upload is spooled in memory: the refused upload below reaches the disk.
UPLOAD_CAP = 12 * 1024 * 1024
MIB = 1024 * 1024
# An unauthenticated body the old server read in full (jupyter_server's 512 MiB limit).
HUGE = 2_000_000_000
# What socket buffers on loopback take in before the server's refusal reaches the client.
IN_FLIGHT = 16 * MIB


@pytest.fixture
def mlops_extension_config() -> dict[str, Any]:
    return {"max_json_body_bytes": JSON_CAP, "max_upload_bytes": UPLOAD_CAP}


@pytest.fixture
def mlops_identity_config() -> dict[str, Any]:
    # jupyter_server's own limit, lowered as docs/security.md suggests: our handlers set
    # theirs per request, so uploads up to max_upload_bytes still pass.
    return {"max_body_size": 2 * MIB}


@pytest.fixture
def mlops_artifact_root(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """The artifact root; parametrized indirectly with a tmpfs size ("1m"), a disk that
    small, which the test fills or makes read-only."""
    size = getattr(request, "param", None)
    if size is None:
        yield tmp_path / "artifacts"
        return
    with mounted_tmpfs(tmp_path / "artifact-disk", size) as disk:
        yield disk


# -- raw HTTP ------------------------------------------------------------------------------
@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    sent: int  # body bytes written before the answer came or the connection closed
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> dict[str, Any]:
        document = self.json()
        error: dict[str, Any] = document.get("error", document)
        return error


async def raw_request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str],
    chunks: Iterable[bytes] = (),
    *,
    chunked: bool = False,
    timeout: float = 20.0,
) -> RawResponse:
    """Send the head, then ``chunks`` one by one until the server answers (or closes);
    return its answer and how much of the body it let through.

    A blocking socket in a thread: the server may run on this event loop, and asyncio's
    transports drop what was received once a write fails (a server that refuses a body
    closes the connection while the client is still writing it).
    """
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return await asyncio.to_thread(_exchange, port, head, chunks, chunked, timeout)


def _exchange(
    port: int, head: bytes, chunks: Iterable[bytes], chunked: bool, timeout: float
) -> RawResponse:
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        sent = 0
        try:
            for chunk in chunks:
                if select.select([sock], [], [], 0)[0]:
                    break  # the answer (or the close) is in: stop sending
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                sent += len(chunk)
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # refused and closed; what it answered is still to be read
        status, headers, body = _read_response(sock.makefile("rb"))
    return RawResponse(status, headers, body, sent, time.monotonic() - start)


def _read_response(stream: Any) -> tuple[int, dict[str, str], bytes]:
    while True:
        status = int(stream.readline().split()[1])
        headers = {}
        while (line := stream.readline().decode("latin-1").strip()) != "":
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if status != 100:
            break
    if "content-length" in headers:
        body = stream.read(int(headers["content-length"]))
    else:
        body = stream.read()
    return status, headers, body


def repeat(size: int, total: int) -> Iterator[bytes]:
    chunk = b"x" * size
    for _ in range(total // size):
        yield chunk


def padded_json(document: dict[str, Any], size: int) -> bytes:
    """``document`` as JSON of exactly ``size`` bytes (spaces before the closing brace)."""
    text = json.dumps(document).encode()
    return text[:-1] + b" " * (size - len(text)) + b"}"


@pytest.fixture
def mlops_raw(
    http_server_client: Any, jp_http_port: int, jp_base_url: str, jp_auth_header: dict[str, str]
) -> Any:
    """``await mlops_raw(method, path, chunks, auth=True, headers=..., chunked=...)`` against
    the in-process server (``http_server_client`` makes it accept connections); ``path`` is
    relative to the base URL."""

    async def call(
        method: str,
        path: str,
        chunks: Iterable[bytes] = (),
        *,
        auth: bool = True,
        headers: dict[str, str] | None = None,
        chunked: bool = False,
    ) -> RawResponse:
        all_headers = {**(jp_auth_header if auth else {}), **(headers or {})}
        return await raw_request(
            jp_http_port, method, jp_base_url + path, all_headers, chunks, chunked=chunked
        )

    return call


# -- authentication before the body --------------------------------------------------------
# One route of each kind: native JSON, native upload, MLflow JSON, MLflow upload, and a
# handler whose body is not JSON at all (predict).
BODY_ROUTES = [
    ("POST", "mlops/api/experiments"),
    ("POST", "mlops/api/runs/0123456789abcdef0123456789abcdef/batch"),
    ("PUT", "mlops/api/runs/0123456789abcdef0123456789abcdef/artifacts/a.bin"),
    ("POST", "mlops/api/models/m/predict"),
    ("POST", "mlops/mlflow/api/2.0/mlflow/runs/log-batch"),
    ("PUT", "mlops/mlflow/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/a.bin"),
    ("POST", "mlops/mlflow/api/2.0/mlflow/no-such-rpc"),
    # jupyter_server's own handlers, which do not stream (see server/body_gate.py).
    ("PUT", "api/contents/big.ipynb"),
    ("POST", "api/kernels"),
    ("POST", "api/sessions"),
    ("POST", "no/such/page"),  # jupyter_server's 404 page: refused before the body too
]


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_an_unauthenticated_body_is_refused_before_it_is_read(
    mlops_raw: Any, method: str, path: str, chunked: bool
) -> None:
    # Given a request without credentials that announces (or streams) 2 GB
    headers = {"Content-Type": "application/json"}
    if not chunked:
        headers["Content-Length"] = str(HUGE)
    # When it sends the head and then the body, 64 KiB at a time
    response = await mlops_raw(
        method, path, repeat(64 * 1024, 256 * MIB), auth=False, headers=headers, chunked=chunked
    )
    # Then it is refused at once, having sent no more than what sockets buffer
    assert response.status == 403, response.body
    assert response.sent < IN_FLIGHT, response.sent
    assert response.seconds < 10


async def test_the_server_waits_for_100_continue_only_from_known_callers(mlops_raw: Any) -> None:
    headers = {"Content-Length": str(HUGE), "Expect": "100-continue"}
    stranger = await mlops_raw("POST", "mlops/api/experiments", auth=False, headers=headers)
    assert stranger.status == 403
    # A known caller announcing too much gets the 413 instead of the go-ahead.
    known = await mlops_raw("POST", "mlops/api/experiments", headers=headers)
    assert known.status == 413


@pytest.fixture(scope="module")
def mlops_live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlopsServer]:
    """A real ``jupyter server`` of its own (its memory is measured), with jupyter_server's
    default ``allow_unauthenticated_access``: there only our handlers refuse strangers."""
    with run_mlops_server(tmp_path_factory.mktemp("bodies_server")) as server:
        yield server


def _server_process(server: MlopsServer) -> psutil.Process:
    port = f"--ServerApp.port={urlsplit(server.url).port}"
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if port in child.cmdline():
                return child
    pytest.fail(f"no process of the server at {server.url}")


@pytest.mark.parametrize(
    "path",
    ["mlops/api/experiments", "mlops/mlflow/api/2.0/mlflow/experiments/create", "api/contents/x"],
)
async def test_a_stream_from_a_stranger_does_not_grow_the_server(
    mlops_live_server: MlopsServer, path: str
) -> None:
    server = mlops_live_server
    process = _server_process(server)
    port = urlsplit(server.url).port
    assert port is not None
    before = process.memory_info().rss
    # 256 MiB in 1 MiB chunks: the old server kept all of it in memory (up to 512 MiB).
    response = await raw_request(port, "POST", "/" + path, {}, repeat(MIB, 256 * MIB), chunked=True)
    grown = process.memory_info().rss - before
    assert grown < 8 * MIB, f"the server grew by {grown / MIB:.1f} MiB"
    assert response.status == 403, response.body
    assert response.sent < IN_FLIGHT, response.sent
    # And the server still answers its users.
    me = requests.get(server.url + "mlops/api/me", headers=server.headers, timeout=10)
    assert me.status_code == 200


# -- the JSON cap ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["mlops/api/experiments", "mlops/mlflow/api/2.0/mlflow/experiments/create"]
)
async def test_a_json_body_over_the_cap_is_413_before_it_is_read(
    mlops_raw: Any, mlops_api: ApiCall, path: str
) -> None:
    # Announced: refused on the head alone, before a byte of the body.
    announced = await mlops_raw(
        "POST", path, repeat(64 * 1024, 64 * MIB), headers={"Content-Length": str(JSON_CAP + 1)}
    )
    assert announced.status == 413, announced.body
    assert announced.sent < IN_FLIGHT
    if path.startswith("mlops/api"):
        assert announced.error["code"] == "REQUEST_TOO_LARGE"
        assert announced.error["field"] == "body"
        assert "max_json_body_bytes" in announced.error["message"]
    else:
        assert announced.error["error_code"] == "REQUEST_LIMIT_EXCEEDED"
    # Streamed: refused once the stream passes the cap, not when it ends.
    streamed = await mlops_raw("POST", path, repeat(16 * 1024, 64 * MIB), chunked=True)
    assert streamed.status == 413, streamed.body
    assert "max_json_body_bytes" in streamed.error["message"]
    assert JSON_CAP <= streamed.sent < JSON_CAP + IN_FLIGHT
    listed = await mlops_api("GET", "experiments")
    assert [e["name"] for e in listed.json()["experiments"]] == ["Default"]


async def test_a_json_body_up_to_the_cap_arrives_whole(mlops_raw: Any) -> None:
    # Exactly the cap, in many chunks, declared or streamed: the handler sees all of it.
    for name, chunked in [("declared", False), ("streamed", True)]:
        body = padded_json({"name": name}, JSON_CAP)
        chunks = [body[i : i + 1000] for i in range(0, len(body), 1000)]
        headers = {"Content-Type": "application/json"}
        if not chunked:
            headers["Content-Length"] = str(len(body))
        created = await mlops_raw(
            "POST", "mlops/api/experiments", chunks, headers=headers, chunked=chunked
        )
        assert created.status == 201, created.body
        assert created.json()["experiment"]["name"] == name


# -- uploads -------------------------------------------------------------------------------
def _open_temporary_files() -> set[str]:
    """The files of the temporary folder this process holds open, deleted ones included
    (an upload's spool is an unnamed temporary file there once past 8 MiB)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        pytest.skip("needs /proc to see open files")
    folder = os.path.realpath(tempfile.gettempdir())
    targets = set()
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if os.path.dirname(target) == folder:
                targets.add(f"{fd.name} -> {target}")
    return targets


async def test_an_upload_over_the_limit_is_413_as_the_stream_passes_it(
    mlops_api: ApiCall, mlops_raw: Any, mlops_artifact_root: Path
) -> None:
    # Given a run with a file at the path the upload is aimed at
    info = (await create_run(mlops_api))["info"]
    run_id, folder = info["run_id"], mlops_artifact_root / info["artifact_uri"]
    fits = await mlops_api("PUT", f"runs/{run_id}/artifacts/big.bin", body=b"x" * 6 * MIB)
    assert fits.status == 201  # over ServerApp.max_body_size, under max_upload_bytes
    stored = await mlops_api("PUT", f"runs/{run_id}/artifacts/model.bin", body=b"v1")
    assert stored.status == 201
    spools = _open_temporary_files()
    path = f"mlops/api/runs/{run_id}/artifacts/model.bin"

    # When an upload announces more than the limit, it is refused on its head alone
    announced = await mlops_raw(
        "PUT", path, repeat(MIB, 64 * MIB), headers={"Content-Length": str(UPLOAD_CAP + 1)}
    )
    assert announced.status == 413
    assert announced.error["code"] == "REQUEST_TOO_LARGE"
    assert "max_upload_bytes" in announced.error["message"]
    assert announced.sent < IN_FLIGHT

    # When one streams past the limit (spooled to disk from 8 MiB on), it is refused there
    streamed = await mlops_raw("PUT", path, repeat(256 * 1024, 64 * MIB), chunked=True)
    assert streamed.status == 413, streamed.body
    assert UPLOAD_CAP <= streamed.sent < UPLOAD_CAP + IN_FLIGHT
    assert _open_temporary_files() <= spools  # the spool, on disk by then, is gone

    # Then the stored file is untouched, and no partial file is left, on disk or open
    download = await mlops_api("GET", f"runs/{run_id}/artifacts/model.bin")
    assert download.body == b"v1"
    assert sorted(p.name for p in folder.iterdir()) == ["big.bin", "model.bin"]


async def test_an_mlflow_upload_over_the_limit_is_413(
    mlops_api: ApiCall, mlops_raw: Any, mlops_artifact_root: Path
) -> None:
    info = (await create_run(mlops_api))["info"]
    path = f"mlops/mlflow/api/2.0/mlflow-artifacts/artifacts/{info['artifact_uri']}/m.bin"
    streamed = await mlops_raw("PUT", path, repeat(256 * 1024, 64 * MIB), chunked=True)
    assert streamed.status == 413, streamed.body
    assert streamed.error["error_code"] == "REQUEST_LIMIT_EXCEEDED"
    assert UPLOAD_CAP <= streamed.sent < UPLOAD_CAP + IN_FLIGHT
    assert not (mlops_artifact_root / info["artifact_uri"] / "m.bin").exists()


# -- full and read-only disks ----------------------------------------------------------------
@contextlib.contextmanager
def mounted_tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` at ``path`` (root only: skipped where mount is not permitted)."""
    path.mkdir(parents=True, exist_ok=True)
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mount.stderr.strip()}")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True, check=False).returncode:
            subprocess.run(["umount", "-l", str(path)], check=True)


def fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte with one file, returned (delete it to free the disk)."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as out:
        try:
            while out.write(b"\0" * 4096):
                pass
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


def remount_read_only(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)


def _assert_insufficient_storage(response: Any, cause: str, disk: Path) -> None:
    assert response.status == 507, response.body
    error = response.error
    if "code" in error:
        assert error["code"] == "INSUFFICIENT_STORAGE"
    else:
        assert error["error_code"] == "IO_ERROR"
    assert cause in error["message"]
    assert str(disk) not in error["message"]  # the server's paths stay in its log


@pytest.mark.parametrize("mlops_artifact_root", ["1m"], indirect=True)
async def test_an_upload_to_a_full_disk_is_507_and_keeps_what_was_stored(
    mlops_api: ApiCall, mlops_raw: Any, mlops_artifact_root: Path
) -> None:
    # Given a run with a stored file, on an artifact disk that is then filled up
    info = (await create_run(mlops_api))["info"]
    run_id, folder = info["run_id"], mlops_artifact_root / info["artifact_uri"]
    assert (await mlops_api("PUT", f"runs/{run_id}/artifacts/f.bin", body=b"v1")).status == 201
    filler = fill(mlops_artifact_root)

    # When files are uploaded there, through each API
    native = await mlops_api("PUT", f"runs/{run_id}/artifacts/f.bin", body=b"x" * 200_000)
    mlflow = await mlops_raw(
        "PUT",
        f"mlops/mlflow/api/2.0/mlflow-artifacts/artifacts/{info['artifact_uri']}/f.bin",
        [b"x" * 200_000],
        headers={"Content-Length": "200000"},
    )

    # Then each is a 507 that names the cause, and the stored file is as it was
    _assert_insufficient_storage(native, "no space left on device", mlops_artifact_root)
    _assert_insufficient_storage(mlflow, "no space left on device", mlops_artifact_root)
    assert (folder / "f.bin").read_bytes() == b"v1"
    assert sorted(p.name for p in folder.iterdir()) == ["f.bin"]
    # And once there is room again, uploads work
    filler.unlink()
    again = await mlops_api("PUT", f"runs/{run_id}/artifacts/f.bin", body=b"x" * 200_000)
    assert again.status == 201


@pytest.mark.parametrize("mlops_artifact_root", ["1m"], indirect=True)
async def test_an_upload_to_a_read_only_disk_is_507(
    mlops_api: ApiCall, mlops_artifact_root: Path
) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    remount_read_only(mlops_artifact_root)
    response = await mlops_api("PUT", f"runs/{run_id}/artifacts/f.bin", body=b"data")
    _assert_insufficient_storage(response, "read-only file system", mlops_artifact_root)
    created = await mlops_api("POST", "experiments/0/logged-models", json={"name": "m"})
    model_id = created.json()["logged_model"]["model_id"]
    model_file = await mlops_api("PUT", f"logged-models/{model_id}/artifacts/f.bin", body=b"d")
    _assert_insufficient_storage(model_file, "read-only file system", mlops_artifact_root)


def test_a_full_database_disk_is_507_and_the_store_recovers(tmp_path: Path) -> None:
    # Given a server whose SQLite store lives on a small disk, which then fills up
    with (
        mounted_tmpfs(tmp_path / "store-disk", "8m") as disk,
        run_mlops_server(tmp_path / "server", store_uri=f"sqlite:///{disk / 'mlops.db'}") as server,
    ):
        http = requests.Session()
        http.headers.update(server.headers)
        api = server.url + "mlops/api/"
        run = http.post(api + "runs", json={"experiment_id": "0"}, timeout=30).json()["run"]
        run_id = run["info"]["run_id"]
        filler = fill(disk)

        # When runs keep logging (the first batches may still fit in pages SQLite holds)
        batch: dict[str, Any] = {
            "metrics": [{"key": f"m{i}", "value": i, "step": 1} for i in range(1000)]
        }
        statuses = []
        for step in range(40):
            batch["metrics"][0]["step"] = step
            logged = http.post(api + f"runs/{run_id}/batch", json=batch, timeout=30)
            statuses.append(logged.status_code)
            if logged.status_code != 204:
                break

        # Then the store refuses with 507 naming the cause, never a 500
        assert statuses[-1] == 507, (statuses, logged.text, server.log_tail())
        assert logged.json()["error"]["code"] == "INSUFFICIENT_STORAGE"
        assert "database or disk is full" in logged.json()["error"]["message"]
        mlflow = http.post(
            server.url + "mlops/mlflow/api/2.0/mlflow/runs/log-batch",
            json={"run_id": run_id, "metrics": [{"key": "n", "value": 1, "timestamp": 1}]},
            timeout=30,
        )
        assert mlflow.status_code == 507, mlflow.text
        assert mlflow.json()["error_code"] == "IO_ERROR"

        # And with room again, the same store takes writes and has lost nothing it took
        filler.unlink()
        again = http.post(api + f"runs/{run_id}/batch", json=batch, timeout=30)
        assert again.status_code == 204, again.text
        history = http.get(api + f"runs/{run_id}/metrics/m0", timeout=30).json()
        assert len(history["points"]) == statuses.count(204) + 1


def test_a_read_only_database_is_recognised_as_storage(tmp_path: Path) -> None:
    # SQLite's own refusal, through SQLAlchemy as the store meets it.
    database = tmp_path / "store.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE t (x)")
    engine = sqlalchemy.create_engine(f"sqlite:///file:{database}?mode=ro&uri=true")
    with pytest.raises(sqlalchemy.exc.OperationalError) as raised, engine.begin() as conn:
        conn.execute(sqlalchemy.text("INSERT INTO t VALUES (1)"))
    engine.dispose()
    error = storage_error(raised.value)
    assert isinstance(error, InsufficientStorage)
    assert error.http_status == 507
    assert "read-only" in error.message
    # Other database errors stay what they are.
    with pytest.raises(sqlalchemy.exc.OperationalError) as other, engine.begin() as conn:
        conn.execute(sqlalchemy.text("SELECT * FROM missing"))
    engine.dispose()
    assert storage_error(other.value) is None
    assert storage_error(OSError(errno.EACCES, "Permission denied")) is None
    quota = storage_error(OSError(errno.EDQUOT, "Disk quota exceeded", "/srv/x"))
    assert quota is not None and "quota" in quota.message and "/srv" not in quota.message


# -- odd JSON in batches ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("metric", "field"),
    [
        ({"key": {"a": 1}, "value": 1}, "metrics[1].key"),
        ({"key": ["a"], "value": 1}, "metrics[1].key"),
        ({"key": "ok", "value": {"a": 1}}, "metrics[1].value"),
        ({"key": "ok", "value": 1, "step": [1]}, "metrics[1].step"),
        ({"key": "ok", "value": 1, "timestamp": {"t": 1}}, "metrics[1].timestamp"),
    ],
)
async def test_a_batch_with_an_object_or_array_where_a_key_goes_is_400(
    mlops_api: ApiCall, metric: dict[str, Any], field: str
) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    batch = {"metrics": [{"key": "fine", "value": 1}, metric]}
    response = await mlops_api("POST", f"runs/{run_id}/batch", json=batch)
    assert response.status == 400, response.body
    assert response.error["field"] == field
    run = await mlops_api("GET", f"runs/{run_id}")
    assert run.json()["run"]["metrics"] == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"metrics": [{"key": {"a": 1}, "value": 1, "timestamp": 1}]}, "metrics[0].key"),
        ({"metrics": [{"key": ["a"], "value": 1, "timestamp": 1}]}, "metrics[0].key"),
        ({"params": [{"key": {"a": 1}, "value": "v"}]}, "params[0]"),
        ({"tags": [{"key": ["a"], "value": "v"}]}, "tags[0].key"),
        ({"metrics": [{"key": "m", "value": 1, "timestamp": 1, "model_id": {"a": 1}}]}, "model_id"),
    ],
)
async def test_an_mlflow_batch_with_an_object_or_array_where_a_key_goes_is_400(
    mlops_api: ApiCall, mlops_raw: Any, body: dict[str, Any], field: str
) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    payload = json.dumps({"run_id": run_id, **body}).encode()
    response = await mlops_raw(
        "POST",
        "mlops/mlflow/api/2.0/mlflow/runs/log-batch",
        [payload],
        headers={"Content-Type": "application/json", "Content-Length": str(len(payload))},
    )
    assert response.status == 400, response.body
    assert response.error["error_code"] == "INVALID_PARAMETER_VALUE"
    assert field in response.error["message"]


# -- JSON nested too deeply ------------------------------------------------------------------
DEEP = "[" * 5000 + "]" * 5000  # the JSON decoder recurses per level: a RecursionError


async def test_a_body_nested_too_deeply_is_400(mlops_api: ApiCall, mlops_raw: Any) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    for path, body in [
        ("experiments", '{"name": ' + DEEP + "}"),
        (f"runs/{run_id}/batch", '{"params": {"a": ' + DEEP + "}}"),
        # A repeated member takes the decoder's second path, which keeps pairs.
        (f"runs/{run_id}/batch", '{"tags": {"a": "1", "a": ' + DEEP + "}}"),
    ]:
        response = await mlops_api("POST", path, body=body.encode(), validate=False)
        assert response.status == 400, (path, response.body)
        assert response.error["field"] == "body"
        assert "nested too deeply" in response.error["message"]
    for rpc, text in [
        ("experiments/create", '{"name": ' + DEEP + "}"),
        ("runs/log-model", json.dumps({"run_id": run_id, "model_json": DEEP})),
    ]:
        payload = text.encode()
        response = await mlops_raw(
            "POST",
            f"mlops/mlflow/api/2.0/mlflow/{rpc}",
            [payload],
            headers={"Content-Length": str(len(payload))},
        )
        assert response.status == 400, (rpc, response.body)
        assert response.error["error_code"] == "INVALID_PARAMETER_VALUE"


async def test_a_page_token_nested_too_deeply_is_400(mlops_raw: Any) -> None:
    token = base64.urlsafe_b64encode(("[" * 1400 + "]" * 1400).encode()).decode()
    for path in [
        "mlops/api/pipeline-runs",
        "mlops/mlflow/api/2.0/mlflow/experiments/search",
    ]:
        response = await mlops_raw("GET", f"{path}?page_token={token}")
        assert response.status == 400, (path, response.body)
