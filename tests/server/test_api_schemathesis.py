"""Schemathesis against the OpenAPI document we ship, on a real ``jupyter server``: every
operation, with valid and invalid input, aimed at random ids and at real objects (an
experiment, a run with metrics, params, tags and a file, a logged model, a registered
model with a version and an alias, an API token). No answer may be a 5xx.

Bounded and repeatable: a few examples per operation and mode, derandomized. Deleting
operations run last, so that the real objects are there for the others.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from jupyter_mlops.server.extension import OPENAPI_PATH
from tests.conftest import MlopsServer, run_mlops_server

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a test extra")
hypothesis = pytest.importorskip("hypothesis")

from schemathesis import GenerationMode  # noqa: E402

EXAMPLES = 4


@pytest.fixture(scope="module")
def mlops_fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlopsServer]:
    # A server of its own: fuzzing leaves many objects behind. No notebook server may be
    # created (a valid random spec would start a real ``jupyter lab``).
    quota = '--NotebookServers.quotas={"default": {"servers": 0}}'
    with run_mlops_server(tmp_path_factory.mktemp("fuzzed_server"), (quota,)) as server:
        yield server


def _real_objects(server: MlopsServer) -> dict[str, str]:
    """Create one of each object and return their ids by path-parameter name."""
    http = requests.Session()
    http.headers.update(server.headers)
    api = server.url + "mlops/api/"

    def call(method: str, path: str, **kwargs: Any) -> Any:
        response = http.request(method, api + path, timeout=30, **kwargs)
        assert response.status_code < 300, (method, path, response.text)
        return response.json() if response.content else None

    user = call("GET", "me")["user"]
    experiment = call("POST", "experiments", json={"name": "fuzzed"})["experiment"]
    eid = experiment["experiment_id"]
    run = call("POST", "runs", json={"experiment_id": eid, "run_name": "real"})["run"]
    run_id = run["info"]["run_id"]
    call(
        "POST",
        f"runs/{run_id}/batch",
        json={
            "metrics": [{"key": "loss", "value": 0.5, "step": s} for s in range(3)],
            "params": {"lr": "0.1"},
            "tags": {"loss": "tag"},
        },
    )
    call("PUT", f"runs/{run_id}/artifacts/model/data.txt", data=b"weights")
    model = call("POST", f"experiments/{eid}/logged-models", json={"name": "m"})["logged_model"]
    model_id = model["model_id"]
    call("PUT", f"logged-models/{model_id}/artifacts/model/data.txt", data=b"weights")
    call("POST", "registered-models", json={"name": "fuzzed-model"})
    call(
        "POST",
        "registered-models/fuzzed-model/versions",
        json={"source": f"runs:/{run_id}/model", "run_id": run_id},
    )
    call("PUT", "registered-models/fuzzed-model/aliases/champion", json={"version": "1"})
    call("PUT", "registered-models/fuzzed-model/tags/loss", json={"value": "v"})
    token = call("POST", "tokens", json={"note": "fuzzed"})["api_token"]
    return {
        "experiment_id": eid,
        "run_id": run_id,
        "key": "loss",
        "path": "model/data.txt",
        "model_id": model_id,
        "name": "fuzzed-model",
        "version": "1",
        "alias": "champion",
        "token_id": token["id"],
        "owner": user,
    }


def _strategies(operation: Any, real: dict[str, str]) -> Iterator[tuple[str, Any]]:
    """(label, strategy) pairs for one operation: valid and invalid input, at random ids
    and at the real ones. Invalid input needs something besides the path to break (a
    path parameter cannot be made invalid and still name this operation)."""
    names = [p.name for p in operation.path_parameters]
    ids = {name: real[name] for name in names if name in real}
    breakable = bool(list(operation.query) or operation.body)
    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if breakable else [])
    for mode in modes:
        yield f"{mode.value}, random ids", operation.as_strategy(mode)
        if ids:
            yield f"{mode.value}, real ids", operation.as_strategy(mode, path_parameters=ids)


def _deleting_last(operation: Any) -> tuple[bool, str]:
    return operation.method.upper() == "DELETE", operation.label


def test_no_operation_answers_5xx(mlops_fuzzed_server: MlopsServer) -> None:
    server = mlops_fuzzed_server
    real = _real_objects(server)
    schema = schemathesis.openapi.from_path(str(OPENAPI_PATH))
    # Our token on every request: no generated or negated Authorization header.
    schema.config.generation.update(with_security_parameters=False)
    operations = sorted((r.ok() for r in schema.get_all_operations()), key=_deleting_last)
    assert len(operations) > 80  # the whole document, not a part of it

    session = requests.Session()
    base_url = server.url + "mlops/api"
    failures: list[str] = []
    calls = 0

    for operation in operations:
        for label, strategy in _strategies(operation, real):

            def check(case: Any, label: str = f"{operation.label} ({label})") -> None:
                nonlocal calls
                calls += 1
                response = case.call(
                    base_url=base_url, session=session, headers=server.headers, timeout=30
                )
                if response.status_code >= 500:
                    failures.append(
                        f"{response.status_code} {label}: {case.as_curl_command()[:1000]}\n"
                        f"  {response.text[:300]}"
                    )

            _run_examples(strategy, check)

    assert calls > len(operations) * EXAMPLES
    assert not failures, "\n".join(failures) + "\n\nserver log:\n" + server.log_tail(3000)
    tracebacks = re.findall(r"Uncaught exception.*", Path(server.log).read_text())
    assert not tracebacks, tracebacks


def _run_examples(strategy: Any, check: Callable[[Any], None]) -> None:
    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(strategy)
    def run(case: Any) -> None:
        check(case)

    # Unsatisfiable: no invalid value exists (an unconstrained string query parameter, say).
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        run()
