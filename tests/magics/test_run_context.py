"""Run context: what a notebook run is tagged with (git, notebook path, switches)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from jupyter_mlops.client import context


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(repo), *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def mlops_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "model.py").write_text("depth = 3\n")
    _git(repo, "add", "model.py")
    _git(repo, "commit", "-q", "-m", "first")
    return repo


def test_a_clean_repository_gives_commit_branch_and_no_diff(mlops_repo: Path) -> None:
    (mlops_repo / "notebooks").mkdir()
    tags, diff = context.git_state(mlops_repo / "notebooks")  # from a sub-folder too
    assert len(tags[context.GIT_COMMIT]) == 40
    assert tags[context.GIT_BRANCH] == "main"
    assert tags[context.GIT_DIRTY] == "false"
    assert context.GIT_REPO_URL not in tags
    assert diff is None


def test_a_dirty_tree_gives_the_diff_and_a_remote_without_credentials(mlops_repo: Path) -> None:
    (mlops_repo / "model.py").write_text("depth = 5\n")
    _git(mlops_repo, "remote", "add", "origin", "https://alice:s3cret@git.example.org/ml.git")
    tags, diff = context.git_state(mlops_repo)
    assert tags[context.GIT_DIRTY] == "true"
    assert diff is not None and "-depth = 3" in diff and "+depth = 5" in diff
    assert tags[context.GIT_REPO_URL] == "https://git.example.org/ml.git"


def test_a_detached_head_has_no_branch(mlops_repo: Path) -> None:
    _git(mlops_repo, "checkout", "-q", "--detach")
    tags, _ = context.git_state(mlops_repo)
    assert context.GIT_BRANCH not in tags and context.GIT_COMMIT in tags


def test_outside_a_repository_there_are_no_git_tags(tmp_path: Path) -> None:
    assert context.git_state(tmp_path) == ({}, None)


def test_the_notebook_path_is_relative_to_the_server_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(context.ENV_SERVER_ROOT, str(tmp_path))
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "project" / "train.ipynb"))
    assert context.notebook_path() == "project/train.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", "/elsewhere/train.ipynb")
    assert context.notebook_path() == "/elsewhere/train.ipynb"
    monkeypatch.delenv("JPY_SESSION_NAME")
    assert context.notebook_path() is None


def test_static_tags_name_python_host_and_installed_libraries() -> None:
    found = context.capture()
    assert found.tags[context.PYTHON_VERSION].count(".") == 2
    assert found.tags[context.HOST]
    assert found.tags[context.LIBRARY_PREFIX + "scikit-learn"]
    assert context.LIBRARY_PREFIX + "tensorflow-not-a-real-lib" not in found.tags


def test_capture_is_for_kernels_and_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # A plain pytest process is no Jupyter kernel: scripts and tests get no context.
    assert context.capture_enabled() is False
    monkeypatch.setenv(context.ENV_CAPTURE, "0")
    assert context.capture_enabled() is False
