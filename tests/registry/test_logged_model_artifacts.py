"""A logged model's files: the service's rules (who may write, which paths, deleted
models), the native REST endpoints against a real jupyter server (every response checked
against the OpenAPI document), and the client's methods over both transports."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from server_support import ApiCall, TokenUsers, as_user

from jupyter_mlops.client.client import MlopsClient
from jupyter_mlops.errors import InvalidParameter, InvalidState, NotFound, PermissionDenied
from jupyter_mlops.registry.service import RegistryService

ALICE, BOB, ROOT = "alice", "bob", "root"
BINARY = bytes(range(256)) * 64

#: Paths that must never reach a file outside the model's folder: a 400 naming "path".
HOSTILE_PATHS = ["../x", "a/../../x", "/etc/passwd", "a\\..\\x", "a\x00b", "..", "./../x"]


# -- the service ---------------------------------------------------------------------------
def test_creator_writes_anyone_reads(mlops_registry_service: RegistryService) -> None:
    service = mlops_registry_service
    logged = service.logged_models.create_logged_model(ALICE, "0", "model")

    info = service.logged_models.write_logged_model_artifact(
        ALICE, logged.model_id, "MLmodel", b"flavors: {}"
    )
    assert (info.path, info.file_size) == ("MLmodel", 11)
    service.logged_models.write_logged_model_artifact(ROOT, logged.model_id, "data/w.bin", BINARY)

    root = service.artifacts.root
    assert (root / logged.artifact_location / "data" / "w.bin").read_bytes() == BINARY
    assert [
        (f.path, f.is_dir)
        for f in service.logged_models.list_logged_model_artifacts(BOB, logged.model_id)
    ] == [
        ("MLmodel", False),
        ("data", True),
    ]
    assert [
        f.path
        for f in service.logged_models.list_logged_model_artifacts(BOB, logged.model_id, "data")
    ] == ["data/w.bin"]
    assert service.logged_models.logged_model_artifact_file(
        BOB, logged.model_id, "data/w.bin"
    ).read_bytes() == (BINARY)
    with pytest.raises(PermissionDenied):
        service.logged_models.write_logged_model_artifact(
            BOB, logged.model_id, "MLmodel", b"mine now"
        )
    assert (root / logged.artifact_location / "MLmodel").read_bytes() == b"flavors: {}"


def test_paths_stay_inside_the_models_folder(
    mlops_registry_service: RegistryService, tmp_path: Path
) -> None:
    service = mlops_registry_service
    logged = service.logged_models.create_logged_model(ALICE, "0", "model")
    service.logged_models.write_logged_model_artifact(ALICE, logged.model_id, "ok.txt", b"ok")
    folder = service.artifacts.root / logged.artifact_location
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (folder / "escape").symlink_to(outside, target_is_directory=True)

    calls = [
        lambda p: service.logged_models.write_logged_model_artifact(
            ALICE, logged.model_id, p, b"pwned"
        ),
        lambda p: service.logged_models.logged_model_artifact_file(ALICE, logged.model_id, p),
        lambda p: service.logged_models.list_logged_model_artifacts(ALICE, logged.model_id, p),
    ]
    for path in [*HOSTILE_PATHS, "escape/secret.txt", "escape"]:
        for call in calls:
            with pytest.raises(InvalidParameter) as caught:
                call(path)
            assert caught.value.field == "path", path
    with pytest.raises(InvalidParameter) as no_file:
        service.logged_models.write_logged_model_artifact(ALICE, logged.model_id, "", b"x")
    assert no_file.value.field == "path"
    assert (outside / "secret.txt").read_text() == "secret"
    assert sorted(os.listdir(outside)) == ["secret.txt"]


def test_a_deleted_model_takes_no_files_but_keeps_its_own(
    mlops_registry_service: RegistryService,
) -> None:
    service = mlops_registry_service
    logged = service.logged_models.create_logged_model(ALICE, "0", "model")
    service.logged_models.write_logged_model_artifact(ALICE, logged.model_id, "MLmodel", b"x")
    service.logged_models.finalize_logged_model(ALICE, logged.model_id, "READY")
    # As in MLflow, a READY model still takes files (log_model(model_id=...) does so).
    service.logged_models.write_logged_model_artifact(ALICE, logged.model_id, "extra.txt", b"y")
    service.logged_models.delete_logged_model(ALICE, logged.model_id)

    for user in (ALICE, ROOT):
        with pytest.raises(NotFound):
            service.logged_models.write_logged_model_artifact(
                user, logged.model_id, "late.txt", b"z"
            )
    # Its files stay until garbage collection, and a registered version may point at them.
    assert (
        service.logged_models.logged_model_artifact_file(
            BOB, logged.model_id, "MLmodel"
        ).read_bytes()
        == b"x"
    )
    with pytest.raises(NotFound):
        service.logged_models.logged_model_artifact_file(BOB, logged.model_id, "late.txt")
    with pytest.raises(InvalidParameter) as bad_id:
        service.logged_models.list_logged_model_artifacts(BOB, "m.nope")
    assert bad_id.value.field == "model_id"


def test_a_version_of_a_logged_model_locates_that_model(
    mlops_registry_service: RegistryService,
) -> None:
    service = mlops_registry_service
    logged = service.logged_models.create_logged_model(ALICE, "0", "model")
    service.create_registered_model(ALICE, "churn")
    service.create_model_version(ALICE, "churn", f"models:/{logged.model_id}")
    location = service.locate_model_uri(BOB, "models:/churn/1")
    assert location.logged_model is not None
    assert location.logged_model.model_id == logged.model_id
    assert location.storage_location == logged.artifact_location


# -- native REST ---------------------------------------------------------------------------
@pytest.fixture
def mlops_identity_config() -> dict[str, Any]:
    return {"identity_provider_class": TokenUsers}


@pytest.fixture
def mlops_extension_config() -> dict[str, Any]:
    return {"admin_users": {"root"}}


async def _logged_model(api: ApiCall) -> dict[str, Any]:
    created = await api(
        "POST", "experiments/0/logged-models", json={"name": "model"}, headers=as_user(ALICE)
    )
    assert created.status == 201, created.body
    logged: dict[str, Any] = created.json()["logged_model"]
    return logged


# The file path travels as one segment ("/" as %2F), as the OpenAPI document says; the
# server takes a literal "/" too (the client sends that).
async def test_rest_upload_list_download(mlops_api: ApiCall, mlops_artifact_root: Path) -> None:
    logged = await _logged_model(mlops_api)
    base = f"logged-models/{logged['model_id']}/artifacts"

    put = await mlops_api("PUT", f"{base}/data%2Fw.bin", body=BINARY, headers=as_user(ALICE))
    assert put.status == 201, put.body
    assert put.json() == {"file": {"path": "data/w.bin", "is_dir": False, "file_size": len(BINARY)}}
    put = await mlops_api("PUT", f"{base}/MLmodel", body=b"flavors: {}", headers=as_user(ROOT))
    assert put.status == 201
    assert (mlops_artifact_root / logged["artifact_location"] / "data" / "w.bin").is_file()

    listing = await mlops_api("GET", base, headers=as_user(BOB))
    assert listing.status == 200
    assert listing.json() == {
        "files": [
            {"path": "MLmodel", "is_dir": False, "file_size": 11},
            {"path": "data", "is_dir": True, "file_size": None},
        ]
    }
    nested = await mlops_api("GET", base, params={"path": "data"}, headers=as_user(BOB))
    assert [f["path"] for f in nested.json()["files"]] == ["data/w.bin"]
    got = await mlops_api("GET", f"{base}/data%2Fw.bin", headers=as_user(BOB))
    assert (got.status, got.body) == (200, BINARY)
    assert "sandbox" in got.headers["Content-Security-Policy"]
    assert (await mlops_api("GET", f"{base}/nothing", headers=as_user(BOB))).status == 404


async def test_rest_refuses_other_writers_traversal_and_deleted_models(
    mlops_api: ApiCall, mlops_artifact_root: Path
) -> None:
    logged = await _logged_model(mlops_api)
    model_id = logged["model_id"]
    base = f"logged-models/{model_id}/artifacts"

    denied = await mlops_api("PUT", f"{base}/MLmodel", body=b"x", headers=as_user(BOB))
    assert denied.status == 403
    assert denied.error["code"] == "PERMISSION_DENIED"
    for path in ["..%2F..%2Fx", "a%2F%2e%2e%2F%2e%2e%2Fx", "a%5C..%5Cx", "%2Fetc%2Fpasswd"]:
        for method in ("GET", "PUT"):
            body = b"pwned" if method == "PUT" else None
            response = await mlops_api(method, f"{base}/{path}", body=body, headers=as_user(ALICE))
            assert response.status == 400, (method, path, response.body)
            assert response.error["field"] == "path"
    listing = await mlops_api("GET", base, params={"path": "../.."}, headers=as_user(ALICE))
    assert listing.status == 400
    assert listing.error["field"] == "path"
    bad_id = await mlops_api(
        "PUT", "logged-models/no.pe/artifacts/x", body=b"x", headers=as_user(ALICE)
    )
    assert bad_id.status == 400
    assert bad_id.error["field"] == "model_id"

    assert (
        await mlops_api("DELETE", f"logged-models/{model_id}", headers=as_user(ALICE))
    ).status == 204
    late = await mlops_api("PUT", f"{base}/late.txt", body=b"x", headers=as_user(ALICE))
    assert late.status == 404
    files = {p.name for p in mlops_artifact_root.rglob("*") if p.is_file()}
    assert not files & {"x", "passwd", "late.txt", "MLmodel"}


@pytest.mark.parametrize(
    "mlops_extension_config", [{"admin_users": {"root"}, "max_upload_bytes": 1000}]
)
async def test_rest_upload_over_the_limit_is_413(
    mlops_api: ApiCall, mlops_artifact_root: Path
) -> None:
    logged = await _logged_model(mlops_api)
    base = f"logged-models/{logged['model_id']}/artifacts"
    fits = await mlops_api("PUT", f"{base}/ok.bin", body=b"x" * 1000, headers=as_user(ALICE))
    assert fits.status == 201
    big = await mlops_api("PUT", f"{base}/big.bin", body=b"x" * 5000, headers=as_user(ALICE))
    assert big.status == 413
    assert big.error["code"] == "REQUEST_TOO_LARGE"
    assert not (mlops_artifact_root / logged["artifact_location"] / "big.bin").exists()


# -- the client, both transports -----------------------------------------------------------
def test_client_logs_lists_and_downloads_a_models_files(
    mlops_registry_client: MlopsClient, tmp_path: Path
) -> None:
    client = mlops_registry_client
    source = tmp_path / "source"
    (source / "data").mkdir(parents=True)
    (source / "MLmodel").write_text("flavors: {}\n")
    (source / "data" / "w.bin").write_bytes(BINARY)
    experiment = client.create_experiment(f"files-{uuid.uuid4().hex[:8]}").experiment_id
    logged = client.create_logged_model(experiment, "model")

    uploaded = client.log_logged_model_artifacts(logged.model_id, source)
    assert [f.path for f in uploaded] == ["MLmodel", "data/w.bin"]
    (tmp_path / "notes.md").write_text("# notes")
    one = client.log_logged_model_artifact(logged.model_id, tmp_path / "notes.md", "docs")
    assert one.path == "docs/notes.md"
    assert [f.path for f in client.list_logged_model_artifacts(logged.model_id)] == [
        "MLmodel",
        "data",
        "docs",
    ]
    assert [f.path for f in client.list_logged_model_artifacts(logged.model_id, "data")] == [
        "data/w.bin"
    ]

    everything = client.download_logged_model_artifacts(logged.model_id, "", tmp_path / "all")
    assert everything == tmp_path / "all"
    assert (everything / "data" / "w.bin").read_bytes() == BINARY
    assert (everything / "docs" / "notes.md").read_text() == "# notes"
    folder = client.download_logged_model_artifacts(logged.model_id, "data", tmp_path / "d")
    assert folder == tmp_path / "d" / "data"
    assert sorted(os.listdir(folder)) == ["w.bin"]
    single = client.download_logged_model_artifacts(logged.model_id, "MLmodel", tmp_path / "f")
    assert single.read_text() == "flavors: {}\n"

    with pytest.raises(NotFound):
        client.download_logged_model_artifacts(logged.model_id, "nothing", tmp_path / "n")
    with pytest.raises(InvalidParameter) as escape:
        client.download_logged_model_artifacts(logged.model_id, "../x", tmp_path / "e")
    assert escape.value.field == "path"
    with pytest.raises(InvalidParameter) as not_a_dir:
        client.log_logged_model_artifacts(logged.model_id, tmp_path / "notes.md")
    assert not_a_dir.value.field == "local_dir"


# -- run outputs -----------------------------------------------------------------------------
def test_run_outputs_link_models_to_the_run_that_made_them(
    mlops_registry_service: RegistryService,
) -> None:
    service = mlops_registry_service
    run = service.tracking.create_run(ALICE, "0")
    other = service.tracking.create_run(ALICE, "0")
    run_id = run.info.run_id
    made_inside = service.logged_models.create_logged_model(
        ALICE, "0", "inside", source_run_id=run_id
    )
    made_outside = service.logged_models.create_logged_model(ALICE, "0", "outside")
    unrelated = service.logged_models.create_logged_model(
        ALICE, "0", "other", source_run_id=other.info.run_id
    )

    assert [m.model_id for m in service.logged_models.run_logged_models(BOB, run_id).items] == [
        made_inside.model_id
    ]
    # MLflow's log_outputs: the model made without a run becomes this run's output.
    service.logged_models.log_run_outputs(
        ALICE, run_id, [made_outside.model_id, made_inside.model_id]
    )
    assert [m.model_id for m in service.logged_models.run_logged_models(BOB, run_id).items] == [
        made_inside.model_id,
        made_outside.model_id,
    ]
    page = service.logged_models.run_logged_models(BOB, run_id, max_results=1)
    assert len(page.items) == 1 and page.next_page_token

    with pytest.raises(PermissionDenied):
        service.logged_models.log_run_outputs(BOB, run_id, [made_outside.model_id])
    with pytest.raises(InvalidState) as taken:
        service.logged_models.log_run_outputs(
            ALICE, run_id, [made_outside.model_id, unrelated.model_id]
        )
    assert taken.value.field == "models[1].model_id"
    with pytest.raises(NotFound) as missing:
        service.logged_models.log_run_outputs(ALICE, run_id, ["m-" + "0" * 32])
    assert missing.value.field == "models[0].model_id"
    with pytest.raises(InvalidParameter) as bad:
        service.logged_models.log_run_outputs(ALICE, run_id, ["no pe"])
    assert bad.value.field == "models[0].model_id"
    with pytest.raises(NotFound) as no_run:
        service.logged_models.run_logged_models(BOB, "0" * 32)
    assert no_run.value.field == "run_id"


async def test_rest_lists_a_runs_logged_models(mlops_api: ApiCall) -> None:
    created = await mlops_api("POST", "runs", json={"experiment_id": "0"}, headers=as_user(ALICE))
    run_id = created.json()["run"]["info"]["run_id"]
    model = await mlops_api(
        "POST",
        "experiments/0/logged-models",
        json={"name": "model", "source_run_id": run_id},
        headers=as_user(ALICE),
    )
    await _logged_model(mlops_api)  # made by no run: not listed

    listing = await mlops_api("GET", f"runs/{run_id}/logged-models", headers=as_user(BOB))
    assert listing.status == 200
    assert [m["model_id"] for m in listing.json()["logged_models"]] == [
        model.json()["logged_model"]["model_id"]
    ]
    missing = await mlops_api("GET", f"runs/{'0' * 32}/logged-models", headers=as_user(BOB))
    assert missing.status == 404
    bad = await mlops_api("GET", "runs/nope/logged-models", headers=as_user(BOB))
    assert bad.status == 400
    assert bad.error["field"] == "run_id"
