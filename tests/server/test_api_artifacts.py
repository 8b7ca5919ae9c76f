"""Artifacts over REST: upload, list, download; and every way out of the run's folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from server_support import ApiCall, create_run

BINARY = bytes(range(256)) * 64  # every byte value, NUL and 0xff included


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() and "store" not in p.parts}


async def _run(mlops_api: ApiCall, artifact_root: Path) -> tuple[str, Path]:
    info = (await create_run(mlops_api))["info"]
    return info["run_id"], artifact_root / info["artifact_uri"]


async def test_upload_list_and_download_nested_binary_files(
    mlops_api: ApiCall, mlops_artifact_root: Path
) -> None:
    run_id, _ = await _run(mlops_api, mlops_artifact_root)

    put = await mlops_api("PUT", f"runs/{run_id}/artifacts/models/v1/weights.bin", body=BINARY)
    assert put.status == 201
    assert put.json() == {
        "file": {"path": "models/v1/weights.bin", "is_dir": False, "file_size": len(BINARY)}
    }
    await mlops_api("PUT", f"runs/{run_id}/artifacts/plots/loss.png", body=b"\x89PNG\r\n")
    await mlops_api("PUT", f"runs/{run_id}/artifacts/notes.txt", body=b"hello")

    root = await mlops_api("GET", f"runs/{run_id}/artifacts")
    assert root.status == 200
    assert root.json() == {
        "files": [
            {"path": "models", "is_dir": True, "file_size": None},
            {"path": "notes.txt", "is_dir": False, "file_size": 5},
            {"path": "plots", "is_dir": True, "file_size": None},
        ]
    }
    nested = await mlops_api("GET", f"runs/{run_id}/artifacts", params={"path": "models/v1"})
    assert nested.json() == {
        "files": [{"path": "models/v1/weights.bin", "is_dir": False, "file_size": len(BINARY)}]
    }

    weights = await mlops_api("GET", f"runs/{run_id}/artifacts/models/v1/weights.bin")
    assert weights.status == 200
    assert weights.body == BINARY
    assert weights.headers["Content-Type"] == "application/octet-stream"
    assert "sandbox" in weights.headers["Content-Security-Policy"]
    png = await mlops_api("GET", f"runs/{run_id}/artifacts/plots%2Floss.png")
    assert png.headers["Content-Type"] == "image/png"
    assert png.body == b"\x89PNG\r\n"


async def test_a_large_file_streams_both_ways(
    mlops_api: ApiCall, mlops_artifact_root: Path
) -> None:
    run_id, folder = await _run(mlops_api, mlops_artifact_root)
    payload = os.urandom(5 * 1024 * 1024 + 17)  # spills the upload spool to disk, several chunks

    put = await mlops_api("PUT", f"runs/{run_id}/artifacts/big.bin", body=payload)
    assert put.status == 201
    assert (folder / "big.bin").read_bytes() == payload
    get = await mlops_api("GET", f"runs/{run_id}/artifacts/big.bin")
    assert get.body == payload
    assert int(get.headers["Content-Length"]) == len(payload)


async def test_an_upload_replaces_the_file_whole(
    mlops_api: ApiCall, mlops_artifact_root: Path
) -> None:
    run_id, folder = await _run(mlops_api, mlops_artifact_root)
    await mlops_api("PUT", f"runs/{run_id}/artifacts/a.txt", body=b"first version")
    await mlops_api("PUT", f"runs/{run_id}/artifacts/a.txt", body=b"2nd")
    assert (await mlops_api("GET", f"runs/{run_id}/artifacts/a.txt")).body == b"2nd"
    # No temporary files are left behind next to it.
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt"]


async def test_empty_files_are_files(mlops_api: ApiCall, mlops_artifact_root: Path) -> None:
    run_id, _ = await _run(mlops_api, mlops_artifact_root)
    put = await mlops_api("PUT", f"runs/{run_id}/artifacts/empty", body=b"")
    assert put.json()["file"]["file_size"] == 0
    assert (await mlops_api("GET", f"runs/{run_id}/artifacts/empty")).body == b""


async def test_a_percent_sequence_that_arrives_decoded_once_is_just_a_name(
    mlops_api: ApiCall, mlops_artifact_root: Path
) -> None:
    run_id, folder = await _run(mlops_api, mlops_artifact_root)
    # %25 is "%": the server sees the literal name "%2e%2e", which is not "..".
    put = await mlops_api("PUT", f"runs/{run_id}/artifacts/%252e%252e", body=b"x")
    assert put.status == 201
    assert put.json()["file"]["path"] == "%2e%2e"
    assert (folder / "%2e%2e").read_bytes() == b"x"


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("../x", id="dot-dot"),
        pytest.param("a/../../x", id="dot-dot-inside"),
        pytest.param("%2e%2e/x", id="encoded-dots"),
        pytest.param("..%2fx", id="encoded-slash"),
        pytest.param("%2E%2E%2F%2E%2E%2Fx", id="all-encoded"),
        pytest.param("/etc/passwd", id="absolute"),
        pytest.param("%2Fetc%2Fpasswd", id="encoded-absolute"),
        pytest.param("..%5Cx", id="backslash"),
        pytest.param("a%5Cb", id="backslash-name"),
        pytest.param("a%00b", id="nul"),
    ],
)
async def test_traversal_attempts_are_refused_and_write_nothing(
    mlops_api: ApiCall, mlops_artifact_root: Path, tmp_path: Path, path: str
) -> None:
    run_id, _ = await _run(mlops_api, mlops_artifact_root)
    before = _files_under(tmp_path)

    put = await mlops_api("PUT", f"runs/{run_id}/artifacts/{path}", body=b"pwned")
    get = await mlops_api("GET", f"runs/{run_id}/artifacts/{path}")

    for response in (put, get):
        assert response.status == 400, response.body
        assert response.error["field"] == "path"
    assert _files_under(tmp_path) == before


@pytest.mark.parametrize("path", ["..", "../..", "/", "a/../.."])
async def test_listing_outside_the_run_is_refused(
    mlops_api: ApiCall, mlops_artifact_root: Path, path: str
) -> None:
    run_id, _ = await _run(mlops_api, mlops_artifact_root)
    response = await mlops_api("GET", f"runs/{run_id}/artifacts", params={"path": path})
    assert response.status == 400
    assert response.error["field"] == "path"


async def test_symlinks_leading_outside_are_refused(
    mlops_api: ApiCall, mlops_artifact_root: Path, tmp_path: Path
) -> None:
    run_id, folder = await _run(mlops_api, mlops_artifact_root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    folder.mkdir(parents=True)
    (folder / "escape").symlink_to(outside, target_is_directory=True)
    (folder / "secret-link.txt").symlink_to(outside / "secret.txt")
    before = _files_under(tmp_path)

    for method, path in [
        ("GET", "escape/secret.txt"),
        ("GET", "secret-link.txt"),
        ("PUT", "escape/new.txt"),
        ("PUT", "secret-link.txt"),
        ("PUT", "escape/deeper/new.txt"),
    ]:
        body = b"pwned" if method == "PUT" else None
        response = await mlops_api(method, f"runs/{run_id}/artifacts/{path}", body=body)
        assert response.status == 400, (method, path, response.body)
        assert response.error["field"] == "path"
    listing = await mlops_api("GET", f"runs/{run_id}/artifacts", params={"path": "escape"})
    assert listing.status == 400
    root = await mlops_api("GET", f"runs/{run_id}/artifacts")
    assert root.json() == {"files": []}  # links out are not shown

    assert _files_under(tmp_path) == before
    assert (outside / "secret.txt").read_text() == "secret"


async def test_a_symlink_inside_the_run_folder_is_followed(
    mlops_api: ApiCall, mlops_artifact_root: Path
) -> None:
    run_id, folder = await _run(mlops_api, mlops_artifact_root)
    await mlops_api("PUT", f"runs/{run_id}/artifacts/real/data.csv", body=b"a,b\n")
    (folder / "alias").symlink_to(folder / "real", target_is_directory=True)

    response = await mlops_api("GET", f"runs/{run_id}/artifacts/alias/data.csv")
    assert response.status == 200
    assert response.body == b"a,b\n"


async def test_folders_and_missing_files(mlops_api: ApiCall, mlops_artifact_root: Path) -> None:
    run_id, _ = await _run(mlops_api, mlops_artifact_root)
    await mlops_api("PUT", f"runs/{run_id}/artifacts/dir/file.txt", body=b"x")

    assert (await mlops_api("GET", f"runs/{run_id}/artifacts/dir")).status == 404
    assert (await mlops_api("GET", f"runs/{run_id}/artifacts/nothing.txt")).status == 404
    missing_dir = await mlops_api("GET", f"runs/{run_id}/artifacts", params={"path": "nope"})
    assert missing_dir.json() == {"files": []}

    onto_folder = await mlops_api("PUT", f"runs/{run_id}/artifacts/dir", body=b"x")
    assert onto_folder.status == 400
    through_file = await mlops_api("PUT", f"runs/{run_id}/artifacts/dir/file.txt/x", body=b"x")
    assert through_file.status == 400
    assert onto_folder.error["field"] == through_file.error["field"] == "path"


@pytest.mark.parametrize("mlops_extension_config", [{"max_upload_bytes": 1000}])
async def test_an_upload_over_the_limit_is_413_and_stores_nothing(
    mlops_api: ApiCall, mlops_artifact_root: Path
) -> None:
    run_id, folder = await _run(mlops_api, mlops_artifact_root)
    fits = await mlops_api("PUT", f"runs/{run_id}/artifacts/ok.bin", body=b"x" * 1000)
    assert fits.status == 201

    response = await mlops_api("PUT", f"runs/{run_id}/artifacts/big.bin", body=b"x" * 5000)
    assert response.status == 413
    assert response.error["code"] == "REQUEST_TOO_LARGE"
    assert not (folder / "big.bin").exists()
