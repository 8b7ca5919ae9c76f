"""POST mlops/api/models/{name}/predict through a real jupyter server: a registered
scikit-learn model answers by alias, by version and by default (the newest), every
response checked against the OpenAPI document; bad payloads get a 400 that spells out
the mismatch.

The model is loaded by a scoring worker, never by the server: models that report their
pid, and a malicious pickle, show where they ran and with what environment; in
multi-user mode (as root, with a real OS account) the worker runs as the model's owner
and cannot read the server's files."""

from __future__ import annotations

import errno
import json
import os
import signal
import site
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from server_support import ApiCall, create_run

from jupyter_mlops.models import save_model
from jupyter_mlops.processes import OsAccount
from jupyter_mlops.server.handlers.base import SETTING_REGISTRY_SERVICE, SETTING_SCORING_POOL

TESTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TESTS / "models"))  # scoring_support: models that tell who runs them
sys.path.insert(0, str(TESTS / "auth"))  # users_identity: HeaderUsers, several users
from scoring_support import (  # noqa: E402
    TWO_ROWS,
    PidModel,
    ProbeModel,
    Tampered,
    eventually,
    process_alive,
    save,
)
from users_identity import HeaderUsers  # noqa: E402

FEATURES = pd.DataFrame({"sepal": [4.0, 5.5, 6.5, 7.0], "petals": [0, 1, 3, 4]})


def _classifier(flip: bool) -> Any:
    from sklearn.linear_model import LogisticRegression

    labels = np.array([0, 0, 1, 1]) if not flip else np.array([1, 1, 0, 0])
    return LogisticRegression().fit(FEATURES, labels)


async def _log_model(api: ApiCall, tmp_path: Path, model: Any, label: str) -> str:
    """A run holding ``model`` under ``model/`` (uploaded over the REST API)."""
    run = await create_run(api)
    run_id = run["info"]["run_id"]
    folder = tmp_path / label
    save_model(model, folder, input_example=FEATURES.head(2))
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            relative = path.relative_to(folder).as_posix()
            response = await api(
                "PUT", f"runs/{run_id}/artifacts/model/{relative}", body=path.read_bytes()
            )
            assert response.status == 201, response.body
    return run_id


async def register_iris(jp_serverapp: Any, mlops_api: ApiCall, tmp_path: Path) -> dict[str, Any]:
    """Model "iris": version 1 (champion) and version 2 (its predictions flipped).

    Registered through the server's own registry service (the same object its handlers
    use); the model files go in over the REST API."""
    registry = jp_serverapp.web_app.settings[SETTING_REGISTRY_SERVICE]
    registry.create_registered_model("owner", "iris")
    for flip in (False, True):
        run_id = await _log_model(mlops_api, tmp_path, _classifier(flip), f"v{int(flip)}")
        registry.create_model_version("owner", "iris", f"runs:/{run_id}/model", run_id=run_id)
    registry.set_registered_model_alias("owner", "iris", "champion", "1")
    return {"settings": jp_serverapp.web_app.settings}


async def test_predict_by_alias_version_and_latest(
    jp_serverapp: Any, mlops_api: ApiCall, tmp_path: Path
) -> None:
    registered = await register_iris(jp_serverapp, mlops_api, tmp_path)
    expected = _classifier(False).predict(FEATURES).tolist()
    flipped = _classifier(True).predict(FEATURES).tolist()
    split = {"dataframe_split": FEATURES.to_dict(orient="split", index=False)}
    cases = [
        ({"alias": "champion"}, "1", expected),
        ({"version": "2"}, "2", flipped),
        ({}, "2", flipped),
    ]
    for params, version, predictions in cases:
        response = await mlops_api("POST", "models/iris/predict", params=params, json=split)
        assert response.status == 200, response.body
        assert response.json() == {
            "predictions": predictions,
            "model": {"name": "iris", "version": version},
        }
    records = await mlops_api(
        "POST",
        "models/iris/predict",
        params={"alias": "champion"},
        json={"dataframe_records": FEATURES.to_dict("records")},
    )
    assert records.json()["predictions"] == expected
    csv = await mlops_api(
        "POST",
        "models/iris/predict",
        params={"version": "1"},
        body=FEATURES.to_csv(index=False).encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert csv.status == 200, csv.body
    assert csv.json()["predictions"] == expected
    # each version was loaded once, by a worker of its own that is kept for the next request
    workers = registered["settings"][SETTING_SCORING_POOL].worker_pids()
    assert sorted((key[0], key[1]) for key in workers) == [("iris", "1"), ("iris", "2")]
    assert len(set(workers.values())) == 2 and os.getpid() not in workers.values()


@pytest.mark.parametrize(
    ("params", "payload", "status", "field", "words"),
    [
        (
            {"alias": "champion"},
            {"dataframe_records": [{"sepal": "tall", "petals": 1}]},
            400,
            "input",
            "column 'sepal': expected double",
        ),
        (
            {"alias": "champion"},
            {"dataframe_split": {"columns": ["sepal"], "data": [[1.0]]}},
            400,
            "input",
            "column 'petals' (long) is missing",
        ),
        ({"alias": "champion"}, {"rows": [1]}, 400, "body", "exactly one of dataframe_split"),
        ({"alias": "champion", "version": "1"}, {"inputs": [[1.0, 2]]}, 400, "alias", "not both"),
        ({"alias": "nobody"}, {"inputs": [[1.0, 2]]}, 404, None, ""),
        ({"version": "9"}, {"inputs": [[1.0, 2]]}, 404, None, ""),
    ],
)
async def test_bad_requests_name_what_to_fix(
    jp_serverapp: Any,
    mlops_api: ApiCall,
    tmp_path: Path,
    params: dict[str, str],
    payload: Any,
    status: int,
    field: str | None,
    words: str,
) -> None:
    await register_iris(jp_serverapp, mlops_api, tmp_path)
    response = await mlops_api("POST", "models/iris/predict", params=params, json=payload)
    assert response.status == status, response.body
    if field is not None:
        assert response.error["field"] == field
    assert words in response.error["message"]


async def test_unknown_model_and_content_type(
    jp_serverapp: Any, mlops_api: ApiCall, tmp_path: Path
) -> None:
    await register_iris(jp_serverapp, mlops_api, tmp_path)
    missing = await mlops_api("POST", "models/nothing/predict", json={"inputs": [[1.0, 2]]})
    assert missing.status == 404
    text = await mlops_api(
        "POST",
        "models/iris/predict",
        body=b"sepal petals",
        headers={"Content-Type": "text/plain"},
    )
    assert text.status == 415
    assert text.error["field"] == "Content-Type"


async def test_predict_needs_authentication(mlops_api: ApiCall) -> None:
    response = await mlops_api("POST", "models/iris/predict", json={"inputs": []}, auth=False)
    assert response.status == 403


# -- where the model runs -----------------------------------------------------------------
def _register(settings: dict[str, Any], owner: str, name: str, model: Any) -> Path:
    """``model`` saved straight into the artifact store and registered as version 1 of
    ``name``, owned by ``owner``; returns its folder."""
    registry = settings[SETTING_REGISTRY_SERVICE]
    folder = save(model, Path(registry.artifacts.root) / "test-models" / name)
    registry.create_registered_model(owner, name)
    registry.create_model_version(owner, name, f"test-models/{name}")
    return folder


async def _predict_pid(api: ApiCall, name: str) -> int:
    response = await api("POST", f"models/{name}/predict", json=TWO_ROWS)
    assert response.status == 200, response.body
    pids = response.json()["predictions"]
    assert len(set(pids)) == 1
    pid: int = pids[0]
    return pid


@pytest.mark.parametrize("mlops_extension_config", [{"Scoring": {"idle_timeout": 1.0}}])
async def test_a_worker_loads_the_model_is_reused_replaced_and_stopped_when_idle(
    jp_serverapp: Any, mlops_api: ApiCall
) -> None:
    settings = jp_serverapp.web_app.settings
    _register(settings, "owner", "pids", PidModel())
    first = await _predict_pid(mlops_api, "pids")
    assert first != os.getpid()  # not the server
    assert await _predict_pid(mlops_api, "pids") == first  # the same worker again
    os.kill(first, signal.SIGKILL)
    replacement = await _predict_pid(mlops_api, "pids")
    assert replacement not in (first, os.getpid())
    # scoring_idle_timeout is 1 s here: with no request, the worker goes
    await eventually(lambda: not process_alive(replacement))
    assert settings[SETTING_SCORING_POOL].worker_pids() == {}


async def test_a_malicious_pickle_runs_in_the_worker_and_finds_no_secret(
    jp_serverapp: Any, mlops_api: ApiCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = str(tmp_path / "store" / "mlops.db")  # see jp_server_config
    secrets = {
        "JUPYTER_TOKEN": "the-servers-jupyter-token",
        "JUPYTER_MLOPS_TOKEN": "the-servers-api-token",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    for name, value in secrets.items():  # the server's environment, as a worker starts
        monkeypatch.setenv(name, value)
    marker = tmp_path / "unpickled.json"
    _register(jp_serverapp.web_app.settings, "owner", "tampered", Tampered(str(marker)))
    assert not marker.exists()  # registering reads no model
    response = await mlops_api("POST", "models/tampered/predict", json=TWO_ROWS)
    assert response.status == 200, response.body
    found = json.loads(marker.read_text())
    assert found["pid"] == response.json()["predictions"][0] != os.getpid()
    environment = found["environ"]
    assert not set(environment) & {*secrets, "JUPYTER_MLOPS_TRACKING_URI"}
    values = "\n".join(environment.values())
    for secret in (*secrets.values(), database, jp_serverapp.identity_provider.token):
        assert secret not in values


# -- multi-user mode: the worker runs as the model owner's OS account ----------------------
ALICE = "mlops-alice"


@pytest.fixture(scope="session")
def mlops_alice(mlops_os_accounts: dict[str, OsAccount]) -> OsAccount:
    """The OS account of the user "alice" (``mlops-{username}``)."""
    return mlops_os_accounts[ALICE]


@pytest.fixture(scope="session")
def mlops_worker_python(mlops_alice: OsAccount) -> tuple[str, str]:
    """(interpreter, PYTHONPATH) that alice's account can run a scoring worker with.

    The server's own interpreter when alice can run it; else a system Python of the same
    version with this checkout and its packages on PYTHONPATH (an interpreter under
    /root, as pyenv installs it, is out of other accounts' reach: scoring_python exists
    for that)."""
    path = os.pathsep.join([str(TESTS.parent), *site.getsitepackages()])
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [sys.executable, f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"]
    for python in dict.fromkeys(candidates):
        try:
            check = subprocess.run(
                [python, "-c", "import jupyter_mlops.models.scoring.worker, sklearn"],
                env={"PYTHONPATH": path, "PATH": os.environ.get("PATH", "")},
                cwd="/",
                capture_output=True,
                timeout=120,
                check=False,
                **mlops_alice.popen_options(),
            )
        except OSError:
            continue
        if check.returncode == 0:
            return python, path
    pytest.skip(f"no Python that {ALICE} may run imports jupyter_mlops (tried {candidates})")


class TestMultiUser:
    @pytest.fixture
    def mlops_identity_config(self) -> dict[str, Any]:
        return {"identity_provider_class": HeaderUsers}

    @pytest.fixture
    def mlops_extension_config(
        self, mlops_worker_python: tuple[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> dict[str, Any]:
        python, path = mlops_worker_python
        monkeypatch.setenv("PYTHONPATH", path)  # workers inherit it (allowlisted)
        return {
            "user_mode": "multi-user",
            "local_account_template": "mlops-{username}",
            "admin_users": ["admin"],
            "Scoring": {"python": python},
        }

    async def test_the_worker_runs_as_the_owner_and_cannot_read_the_servers_files(
        self, jp_serverapp: Any, mlops_api: ApiCall, mlops_alice: OsAccount, tmp_path: Path
    ) -> None:
        settings = jp_serverapp.web_app.settings
        root = Path(settings[SETTING_REGISTRY_SERVICE].artifacts.root)
        secrets = {
            "artifacts": str(root / "test-models" / "probe" / "MLmodel"),
            "database": str(tmp_path / "store" / "mlops.db"),
            "server_info": jp_serverapp.info_file,  # in the runtime folder; holds the token
        }
        _register(settings, "alice", "probe", ProbeModel({**secrets, "own": "model/MLmodel"}))
        assert all(Path(path).is_file() for path in secrets.values())
        alice = {"Authorization": "token alice-token"}
        response = await mlops_api("POST", "models/probe/predict", json=TWO_ROWS, headers=alice)
        assert response.status == 200, response.body
        found = response.json()["predictions"]
        assert found["uid"] == mlops_alice.uid != os.getuid()
        assert found["own"] == 0  # its copy of the model's files is its own
        assert {name: found[name] for name in secrets} == dict.fromkeys(secrets, errno.EACCES)

    async def test_an_owner_without_an_os_account_is_refused_naming_kubernetes(
        self, jp_serverapp: Any, mlops_api: ApiCall
    ) -> None:
        _register(jp_serverapp.web_app.settings, "nobody-here", "orphan", PidModel())
        response = await mlops_api(
            "POST",
            "models/orphan/predict",
            json=TWO_ROWS,
            headers={"Authorization": "token alice-token"},
        )
        assert response.status == 403, response.body
        assert "mlops-nobody-here" in response.error["message"]
        assert "Kubernetes" in response.error["message"]
        assert jp_serverapp.web_app.settings[SETTING_SCORING_POOL].worker_pids() == {}
