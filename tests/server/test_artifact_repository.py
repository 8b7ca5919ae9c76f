"""LocalArtifactRepository on a real file system: confinement and atomic writes."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from jupyter_mlops.errors import InvalidParameter, NotFound
from jupyter_mlops.tracking.artifacts import LocalArtifactRepository, split_artifact_path
from jupyter_mlops.tracking.entities import FileInfo

RUN = "1/0123456789abcdef0123456789abcdef/artifacts"


@pytest.fixture
def mlops_repo(tmp_path: Path) -> LocalArtifactRepository:
    return LocalArtifactRepository(tmp_path / "root")


@pytest.mark.parametrize(
    ("path", "segments"),
    [("", ()), (".", ()), ("a/", ("a",)), ("a//b/./c", ("a", "b", "c")), ("%2e%2e", ("%2e%2e",))],
)
def test_paths_are_normalised(path: str, segments: tuple[str, ...]) -> None:
    assert split_artifact_path(path) == segments


@pytest.mark.parametrize(
    "path", ["..", "a/../..", "/etc", "a\\b", "a\x00b", "a\nb", "x" * 256, "a/" * 600]
)
def test_dangerous_paths_are_refused(path: str) -> None:
    with pytest.raises(InvalidParameter) as raised:
        split_artifact_path(path)
    assert raised.value.field == "path"


def test_write_list_read(mlops_repo: LocalArtifactRepository) -> None:
    info = mlops_repo.write(RUN, "d/e/f.bin", io.BytesIO(b"\x00\xff" * 10))
    assert info == FileInfo("d/e/f.bin", False, 20)
    mlops_repo.write(RUN, "top.txt", b"x")
    assert mlops_repo.list(RUN) == [FileInfo("d", True, None), FileInfo("top.txt", False, 1)]
    assert mlops_repo.list(RUN, "d/e") == [FileInfo("d/e/f.bin", False, 20)]
    assert mlops_repo.resolve_for_read(RUN, "d/e/f.bin").read_bytes() == b"\x00\xff" * 10
    with pytest.raises(NotFound):
        mlops_repo.resolve_for_read(RUN, "d")


def test_readers_never_see_half_a_file(mlops_repo: LocalArtifactRepository) -> None:
    old, new = b"a" * 1_000_000, b"b" * 3_000_000
    mlops_repo.write(RUN, "f", old)
    target = mlops_repo.resolve_for_read(RUN, "f")
    seen: set[bytes] = set()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.add(target.read_bytes())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(5):
            mlops_repo.write(RUN, "f", new)
            mlops_repo.write(RUN, "f", old)
    finally:
        done.set()
        reader.join()
    assert seen <= {old, new}


def test_a_failed_write_leaves_nothing_behind(mlops_repo: LocalArtifactRepository) -> None:
    class Broken(io.RawIOBase):
        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            raise OSError("disk on fire")

    mlops_repo.write(RUN, "keep", b"old")
    with pytest.raises(OSError, match="disk on fire"):
        mlops_repo.write(RUN, "keep", Broken())  # type: ignore[arg-type]
    assert mlops_repo.resolve_for_read(RUN, "keep").read_bytes() == b"old"
    assert [f.path for f in mlops_repo.list(RUN)] == ["keep"]
    assert len(list(mlops_repo.run_folder(RUN).iterdir())) == 1


def test_symlinks_out_of_the_run_folder_are_refused_and_hidden(
    mlops_repo: LocalArtifactRepository, tmp_path: Path
) -> None:
    folder = mlops_repo.run_folder(RUN)
    folder.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "s").write_text("secret")
    (folder / "out").symlink_to(outside, target_is_directory=True)
    (folder / "other-run").symlink_to(folder.parent.parent, target_is_directory=True)

    for call in (
        lambda: mlops_repo.resolve_for_read(RUN, "out/s"),
        lambda: mlops_repo.write(RUN, "out/new", b"x"),
        lambda: mlops_repo.list(RUN, "out"),
        lambda: mlops_repo.list(RUN, "other-run"),
    ):
        with pytest.raises(InvalidParameter):
            call()
    assert mlops_repo.list(RUN) == []
    assert sorted(p.name for p in outside.iterdir()) == ["s"]


def test_the_run_location_itself_is_confined(mlops_repo: LocalArtifactRepository) -> None:
    for location in ("", "../x", "/abs"):
        with pytest.raises(InvalidParameter):
            mlops_repo.list(location)
