"""In a kernel that our server starts for a notebook, %track works without %load_ext and
runs carry their context (notebook path, versions, git, host)."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
import requests
from kernel_support import execute_in_notebook_session

from jupyter_mlops.client import context

CELL = """
%%track --experiment autoload --name from-notebook
import jupyter_mlops as mlops
mlops.log_metric("loss", 0.5, step=1)
print("RUN", mlops.active_run().run_id)
"""


@pytest.mark.slow
def test_a_notebook_kernel_has_the_magics_and_tags_runs_with_their_context(
    mlops_server: Any,
) -> None:
    # Given a notebook in a git repository with an uncommitted change, under the server root
    root = mlops_server.log.parent / "notebooks"
    repo = root / "project"
    repo.mkdir(parents=True, exist_ok=True)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(repo)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    (repo / "train.py").write_text("lr = 0.1\n")
    subprocess.run([*git, "add", "train.py"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "first"], check=True)
    (repo / "train.py").write_text("lr = 0.2\n")

    # When its kernel (started by the server for the notebook) runs a %%track cell
    out, errors = execute_in_notebook_session(
        mlops_server.url, mlops_server.token, "project/train.ipynb", CELL
    )

    # Then the magic was there and the run carries the notebook's context
    assert not errors, errors
    run_id = out.split("RUN", 1)[1].split()[0]
    answer = requests.get(
        mlops_server.url + f"mlops/api/runs/{run_id}", headers=mlops_server.headers, timeout=30
    )
    run = answer.json()["run"]
    tags = run["tags"]
    assert run["info"]["status"] == "FINISHED"
    assert tags[context.SOURCE_NAME] == "project/train.ipynb"
    assert tags[context.NOTEBOOK] == "project/train.ipynb"
    assert tags[context.SOURCE_TYPE] == "NOTEBOOK"
    assert tags[context.GIT_BRANCH] == "main"
    assert len(tags[context.GIT_COMMIT]) == 40
    assert tags[context.GIT_DIRTY] == "true"
    assert tags[context.KERNEL].startswith("ipykernel ")
    assert tags[context.PYTHON_VERSION].count(".") == 2
    assert tags[context.HOST]
    assert tags[context.LIBRARY_PREFIX + "numpy"]
    diff = requests.get(
        mlops_server.url + f"mlops/api/runs/{run_id}/artifacts/{context.GIT_DIFF_ARTIFACT}",
        headers=mlops_server.headers,
        timeout=30,
    )
    assert diff.status_code == 200
    assert "-lr = 0.1" in diff.text and "+lr = 0.2" in diff.text


def test_the_startup_file_chains_the_users_own(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jupyter_mlops.magics.autoload import ENV_USER_STARTUP, STARTUP_FILE
    from jupyter_mlops.server.extension import _kernel_magics_environment

    monkeypatch.setenv("PYTHONSTARTUP", str(tmp_path / "mine.py"))
    values = _kernel_magics_environment(str(tmp_path), load_magics=True)
    assert values["PYTHONSTARTUP"] == str(STARTUP_FILE)
    assert values[ENV_USER_STARTUP] == str(tmp_path / "mine.py")
    assert values[context.ENV_SERVER_ROOT] == str(tmp_path)

    off = _kernel_magics_environment(str(tmp_path), load_magics=False)
    assert "PYTHONSTARTUP" not in off and context.ENV_SERVER_ROOT in off

    # The file registers nothing outside IPython and runs the user's file in its namespace.
    (tmp_path / "mine.py").write_text("users_own = 42\n")
    monkeypatch.setenv(ENV_USER_STARTUP, str(tmp_path / "mine.py"))
    namespace: dict[str, Any] = {}
    exec(compile(STARTUP_FILE.read_text(), str(STARTUP_FILE), "exec"), namespace)
    assert namespace["users_own"] == 42
    assert not [k for k in namespace if not k.startswith("__") and k != "users_own"]
