"""The registry and logged-model half of MLflow server parity (issue #19), learnt from
MLflow 3.18's server (``mlflow/server/handlers.py``, its registry store) and its REST
tests, checked through MLflow's real client (and raw HTTP where the status, code and
message are the point) against a real jupyter server on SQLite and PostgreSQL.

The servers here allow one external object store, ``s3://team-bucket/mlflow/``, so that
versions may be registered from there; everything else outside the artifact store stays
refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import STORE_BACKENDS, MlopsServer
from tests.mlflow_compat.conftest import MlflowClientRunner
from tests.mlflow_compat.parity_support import EXTERNAL_STORE, external_store_server
from tests.mlflow_compat.parity_support import call_mlflow_api as _call
from tests.mlflow_compat.parity_support import client_script as _script
from tests.mlflow_compat.parity_support import error_of as _error

#: Sources that must stay refused: traversals in every spelling MLflow's CVEs used
#: (CVE-2023-1177, -2780, -6730, -6831, CVE-2024-1560, CVE-2026-2614), another host, a
#: bucket or folder no admin allowed, and schemes the server would have to open.
HOSTILE_SOURCES = [
    "file:///etc/passwd",
    "file:/etc/passwd",
    "/etc/passwd",
    "../../x",
    "a/../../b",
    "runs:/abc/../../x",
    "runs:/../x",
    "runs://abc/x",
    "runs:/" + "a" * 33 + "/model",
    "models:/m/../x",
    "models://m/1",
    "models:/m/0",
    "mlflow-artifacts:/../x",
    "mlflow-artifacts://host:9000/models",
    "mlflow-artifacts://evil.example/x",
    "mlflow-artifacts://host:9000/models/../../../",
    "mlflow-artifacts://host:9000/models/..%2f..%2fartifacts",
    "mlflow-artifacts:/models/artifact%00",
    "%2e%2e%2f",
    "%252e%252e%252f",
    "..\\..\\x",
    "http://host:9000/models/../../../",
    "https://host/api/2.0/mlflow-artifacts/artifacts/x",
    "ftp://host:8888/x",
    "s3://other-bucket/x",
    "s3://team-bucket/other/x",
    "s3://team-bucket/mlflowx/x",
    "gs://team-bucket/mlflow/x",
    "s3://team-bucket/mlflow/../secret",
    "s3://team-bucket/mlflow/a/%2e%2e/b",
    "s3://team-bucket/mlflow/a?versionId=1",
    "C:/Windows",
    "~/.ssh",
    "a\x00b",
]


@pytest.fixture(scope="module", params=STORE_BACKENDS)
def mlops_registry_parity_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MlopsServer]:
    """A single-user server (its caller is the admin) with one external store allowed."""
    with external_store_server(request, tmp_path_factory, "registry_parity") as server:
        yield server


@pytest.fixture
def mlops_registry_parity(
    mlops_registry_parity_server: MlopsServer, tmp_path: Path
) -> MlflowClientRunner:
    return MlflowClientRunner(mlops_registry_parity_server, tmp_path)


def _host(server: MlopsServer) -> str:
    return server.url.split("://", 1)[1].rstrip("/")


# -- 1. sources ----------------------------------------------------------------------------
def test_run_sources_are_references_resolved_when_the_run_is_ours(
    mlops_registry_parity: MlflowClientRunner,
) -> None:
    out = mlops_registry_parity.run(
        _script(
            """
        import mlflow
        from mlflow import MlflowClient
        c = MlflowClient()
        c.create_registered_model("by-run")
        # A run id in MLflow's test style, of a run this server never saw
        dangling = c.create_model_version("by-run", "runs:/run_id/model", "run_id",
                                          tags={"k": 1})
        exp = c.create_experiment("by-run-exp")
        run = c.create_run(exp)
        c.log_text(run.info.run_id, "flavors: {}", "model/MLmodel")
        ours = c.create_model_version("by-run", f"runs:/{run.info.run_id}/model",
                                      run.info.run_id)
        result({
            "dangling": [dangling.version, dangling.source, dangling.run_id, dangling.tags,
                         dangling.status],
            "dangling_uri": c.get_model_version_download_uri("by-run", "1"),
            "by_run_id": [v.version for v in c.search_model_versions("run_id = 'run_id'")],
            "by_source": [v.version for v in c.search_model_versions(
                "source_path = 'runs:/run_id/model'")],
            "ours": [ours.version, ours.source, ours.run_id],
            "ours_uri": c.get_model_version_download_uri("by-run", "2"),
            "loaded": open(mlflow.artifacts.download_artifacts("models:/by-run/2")
                           + "/MLmodel").read(),
            "other_run": err(lambda: c.create_model_version(
                "by-run", "runs:/run_id/model", "run_id_1")),
            "load_dangling": err(lambda: mlflow.artifacts.download_artifacts("models:/by-run/1")),
            "exp": exp, "rid": run.info.run_id,
        })
        """
        )
    )
    # Given a run this server does not know, the version records the reference as given
    assert out["dangling"] == ["1", "runs:/run_id/model", "run_id", {"k": "1"}, "READY"]
    # and hands it back as the download URI, as MLflow does (its client resolves it)
    assert out["dangling_uri"] == "runs:/run_id/model"
    assert out["by_run_id"] == ["1"] and out["by_source"] == ["1"]
    # A run of ours resolves into our artifact store, and its files load back
    assert out["ours"] == ["2", f"runs:/{out['rid']}/model", out["rid"]]
    assert out["ours_uri"] == f"mlflow-artifacts:/{out['exp']}/{out['rid']}/artifacts/model"
    assert out["loaded"] == "flavors: {}"
    # A run_id that is not the source's is refused with MLflow's words
    assert out["other_run"] is not None and out["other_run"][0] == "INVALID_PARAMETER_VALUE"
    assert out["other_run"][1].startswith("Invalid model version source: 'runs:/run_id/model'.")
    # Loading the dangling version fails: its files are nowhere here
    assert out["load_dangling"] is not None
    # and the native API answers 404 saying so
    server = mlops_registry_parity.server
    resolved = requests.get(
        f"{server.url}mlops/api/model-uris/resolve",
        params={"uri": "models:/by-run/1"},
        headers=server.headers,
        timeout=30,
    )
    assert resolved.status_code == 404, resolved.text
    assert "runs:/run_id/model" in resolved.json()["error"]["message"]


def test_model_sources_name_registered_versions_as_mlflow_resolves_them(
    mlops_registry_parity: MlflowClientRunner,
) -> None:
    out = mlops_registry_parity.run(
        _script(
            """
        from mlflow import MlflowClient
        c = MlflowClient()
        c.create_registered_model("src")
        c.create_model_version("src", "runs:/run_id/model", "run_id", description="dummy",
                               tags={"hello": "world"})
        c.create_model_version("src", "s3://team-bucket/mlflow/m2")
        c.transition_model_version_stage("src", "1", "Staging")
        c.set_registered_model_alias("src", "champion", "1")
        c.create_registered_model("dst")
        made = {}
        for uri in ["models:/src/latest", "models:/src/Staging", "models:/src@champion",
                    "models:/src/2"]:
            v = c.create_model_version("dst", uri, run_id=None)
            made[uri] = [v.version, v.source, v.run_id or ""]
        copied = c.copy_model_version("models:/src@champion", "dst")
        copied = c.get_model_version("dst", copied.version)
        result({
            "made": made,
            "copied": [copied.source, copied.run_id, copied.description, copied.tags],
            "copied_uri": c.get_model_version_download_uri("dst", copied.version),
            "no_model": err(lambda: c.create_model_version("dst", "models:/nope/1")),
            "no_alias": err(lambda: c.create_model_version("dst", "models:/src@nobody")),
            "bad_run": err(lambda: c.create_model_version("dst", "models:/src/1", "other")),
        })
        """
        )
    )
    # Given models:/ sources by stage, alias, 'latest' or number, the version records the
    # version they resolve to, and its lineage (run) comes along
    assert out["made"] == {
        "models:/src/latest": ["1", "models:/src/2", ""],
        "models:/src/Staging": ["2", "models:/src/1", "run_id"],
        "models:/src@champion": ["3", "models:/src/1", "run_id"],
        "models:/src/2": ["4", "models:/src/2", ""],
    }
    # MLflow's copy_model_version works as in MLflow
    assert out["copied"] == ["models:/src/1", "run_id", "dummy", {"hello": "world"}]
    assert out["copied_uri"] == "runs:/run_id/model"
    # Unknown registered models and aliases are RESOURCE_DOES_NOT_EXIST with MLflow's words
    assert out["no_model"][0] == "RESOURCE_DOES_NOT_EXIST"
    assert out["no_model"][1].startswith("Registered Model with name=nope not found")
    assert out["no_alias"][0] == "RESOURCE_DOES_NOT_EXIST"
    assert out["no_alias"][1].startswith("Registered model alias nobody not found.")
    # and a run_id that is not the referenced version's is refused, as MLflow refuses it
    assert out["bad_run"][0] == "INVALID_PARAMETER_VALUE"
    assert "must match the referenced model version" in out["bad_run"][1]


def test_artifact_store_and_allowed_object_store_sources(
    mlops_registry_parity: MlflowClientRunner,
) -> None:
    server = mlops_registry_parity.server
    host = _host(server)
    out = mlops_registry_parity.run(
        _script(
            """
        from mlflow import MlflowClient
        c = MlflowClient()
        c.create_registered_model("stores")
        made = []
        for source in ["mlflow-artifacts:/models", "mlflow-artifacts:/models///",
                       "mlflow-artifacts:/models/foo///bar", "mlflow-artifacts:/models/a/..../",
                       "mlflow-artifacts://HOST/models/here", "s3://team-bucket/mlflow/m/1"]:
            v = c.create_model_version("stores", source)
            made.append([v.source, c.get_model_version_download_uri("stores", v.version)])
        result({
            "made": made,
            "outside": err(lambda: c.create_model_version("stores", "s3://other-bucket/m")),
        })
        """.replace("HOST", host)
        )
    )
    assert out["made"] == [
        ["mlflow-artifacts:/models", "mlflow-artifacts:/models"],
        ["mlflow-artifacts:/models", "mlflow-artifacts:/models"],
        ["mlflow-artifacts:/models/foo/bar", "mlflow-artifacts:/models/foo/bar"],
        ["mlflow-artifacts:/models/a/....", "mlflow-artifacts:/models/a/...."],
        # this server's own host names its own store
        ["mlflow-artifacts:/models/here", "mlflow-artifacts:/models/here"],
        # an allowed object store is recorded, never opened: the client reads it itself
        ["s3://team-bucket/mlflow/m/1", "s3://team-bucket/mlflow/m/1"],
    ]
    # A bucket no admin allowed is refused, saying which stores are
    code, message = out["outside"]
    assert code == "INVALID_PARAMETER_VALUE"
    assert "s3://other-bucket/m" in message and EXTERNAL_STORE in message
    assert "c.Tracking.external_artifact_stores" in message


def test_hostile_sources_stay_refused(mlops_registry_parity: MlflowClientRunner) -> None:
    server = mlops_registry_parity.server
    assert _call(server, "POST", "registered-models/create", json={"name": "hostile"}).ok
    for source in HOSTILE_SOURCES:
        response = _call(
            server,
            "POST",
            "model-versions/create",
            json={"name": "hostile", "source": source, "run_id": "abc"},
        )
        status, code, _message = _error(response)
        assert (status, code) == (400, "INVALID_PARAMETER_VALUE"), (source, response.text)
    listed = _call(server, "GET", "model-versions/search", params={"filter": "name='hostile'"})
    assert listed.json().get("model_versions", []) == []


# -- 2, 3. logged models ---------------------------------------------------------------------
def test_logged_models_get_generated_names_and_list_their_versions(
    mlops_registry_parity: MlflowClientRunner,
) -> None:
    out = mlops_registry_parity.run(
        _script(
            """
        import json
        from mlflow import MlflowClient
        c = MlflowClient()
        exp = c.create_experiment("logged-parity")
        unnamed = [c.create_logged_model(experiment_id=exp) for _ in range(5)]
        named = c.create_logged_model(experiment_id=exp, name="mine")
        ref = c.create_logged_model(experiment_id=exp, source_run_id="123")
        c.create_registered_model("model")
        model = unnamed[0]
        c.create_model_version(name="model", source=model.artifact_location,
                               model_id=model.model_id)
        first = c.get_logged_model(model.model_id).tags.get("mlflow.modelVersions")
        c.create_model_version(name="model", source=model.model_uri, model_id=model.model_id)
        second = c.get_logged_model(model.model_id).tags.get("mlflow.modelVersions")
        other = unnamed[1]
        v3 = c.create_model_version(name="model", source=f"models:/{other.model_id}")
        result({
            "names": [m.name for m in unnamed], "named": named.name,
            "ref": [ref.source_run_id, c.get_logged_model(ref.model_id).source_run_id],
            "first": first, "second": second,
            "other": other.model_id,
            "v3": [v3.version, v3.model_id,
                   c.get_logged_model(other.model_id).tags.get("mlflow.modelVersions")],
            "missing": err(lambda: c.get_logged_model("m-" + "0" * 32)),
            "unknown_id": err(lambda: c.get_logged_model("abc")),
        })
        """
        )
    )
    # Given unnamed logged models, each gets its own generated name of MLflow's shape
    names = out["names"]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z]+-[a-z]+-\d{1,3}", n) and len(n) <= 20 for n in names), names
    assert out["named"] == "mine"
    # A source run id of any format MLflow accepts is kept as a reference
    assert out["ref"] == ["123", "123"]
    # Registering versions from a logged model lists them in its mlflow.modelVersions tag
    assert out["first"] == '[{"name": "model", "version": 1}]'
    assert out["second"] == '[{"name": "model", "version": 1}, {"name": "model", "version": 2}]'
    # (also when the source alone names the logged model; MLflow's client does not read a
    # version's model_id back, so the tag is what shows it)
    assert out["v3"][0] == "3"
    assert json.loads(out["v3"][2]) == [{"name": "model", "version": 3}]
    # Unknown logged models are RESOURCE_DOES_NOT_EXIST, with MLflow's words
    assert out["missing"] == [
        "RESOURCE_DOES_NOT_EXIST",
        f"Logged model with ID 'm-{'0' * 32}' not found.",
    ]
    assert out["unknown_id"] == ["RESOURCE_DOES_NOT_EXIST", "Logged model with ID 'abc' not found."]


# -- 4. error texts, orders, paging -------------------------------------------------------------
def test_registry_errors_read_as_mlflows(mlops_registry_parity: MlflowClientRunner) -> None:
    out = mlops_registry_parity.run(
        _script(
            """
        from mlflow import MlflowClient
        c = MlflowClient()
        c.create_registered_model("errs")
        c.create_model_version("errs", "runs:/run_id/model", "run_id")
        result({
            "dup": err(lambda: c.create_registered_model("errs")),
            "missing": err(lambda: c.get_registered_model("nope")),
            "rename": err(lambda: c.rename_registered_model("nope", "x")),
            "version": err(lambda: c.get_model_version("errs", "9")),
            "bad_version": err(lambda: c.get_model_version("errs", "something not correct")),
            "stage": err(lambda: c.transition_model_version_stage("errs", "1", "Nope")),
            "latest_alias": err(lambda: c.set_registered_model_alias("errs", "latest", "1")),
            "v_alias": err(lambda: c.set_registered_model_alias("errs", "v1", "1")),
            "untag": err(lambda: c.delete_registered_model_tag("errs", "never")),
            "untag_version": err(lambda: c.delete_model_version_tag("errs", "1", "never")),
            "unalias": err(lambda: c.delete_registered_model_alias("errs", "never")),
            "untag_missing_model": err(lambda: c.delete_registered_model_tag("nope", "k")),
            "untag_missing_version": err(lambda: c.delete_model_version_tag("errs", "9", "k")),
        })
        """
        )
    )
    assert out["dup"] == ["RESOURCE_ALREADY_EXISTS", "Registered Model (name=errs) already exists."]
    assert out["missing"] == [
        "RESOURCE_DOES_NOT_EXIST",
        "Registered Model with name=nope not found",
    ]
    assert out["rename"] == out["missing"]
    assert out["version"] == [
        "RESOURCE_DOES_NOT_EXIST",
        "Model Version (name=errs, version=9) not found",
    ]
    assert out["bad_version"][0] == "INVALID_PARAMETER_VALUE"
    assert out["bad_version"][1].startswith(
        "Parameter 'version' must be an integer, got 'something not correct'."
    )
    assert out["stage"][1].startswith(
        "Invalid Model Version stage: Nope. Value must be one of None, Staging, Production, "
        "Archived."
    )
    assert out["latest_alias"][1].startswith("'latest' alias name (case insensitive) is reserved.")
    assert out["v_alias"][1].startswith("Version alias name 'v1' is reserved.")
    # Deleting a tag or alias that is not there is done, as in MLflow...
    assert [out["untag"], out["untag_version"], out["unalias"]] == [None, None, None]
    # ...but on a model or version that is not there it is a 404
    assert out["untag_missing_model"][0] == "RESOURCE_DOES_NOT_EXIST"
    assert out["untag_missing_version"][0] == "RESOURCE_DOES_NOT_EXIST"


def test_default_orders_and_paging_are_mlflows(mlops_registry_parity: MlflowClientRunner) -> None:
    out = mlops_registry_parity.run(
        _script(
            """
        import time
        from mlflow import MlflowClient
        c = MlflowClient()
        names = ["order-c", "order-a", "order-b"]
        for n in names:
            c.create_registered_model(n)
        made = []
        for n in names + names[:2]:
            time.sleep(0.002)  # distinct update times, for a deterministic expectation
            made.append([n, c.create_model_version(n, "runs:/run_id/model", "run_id").version])
        def walk(fetch):
            seen, token = [], None
            while True:
                page = fetch(token)
                seen.extend(page)
                token = page.token
                if not token:
                    return seen
        models = walk(lambda t: c.search_registered_models(
            "name LIKE 'order-%'", max_results=1, page_token=t))
        versions = walk(lambda t: c.search_model_versions(
            "name LIKE 'order-%'", max_results=2, page_token=t))
        exp = c.create_experiment("order-logged")
        logged = [c.create_logged_model(experiment_id=exp).model_id for _ in range(3)]
        found = walk(lambda t: c.search_logged_models(
            experiment_ids=[exp], max_results=1, page_token=t))
        result({
            "models": [m.name for m in models],
            "versions": [[v.name, v.version] for v in versions],
            "made": made,
            "logged": logged, "found": [m.model_id for m in found],
        })
        """
        )
    )
    # Registered models: by name; versions: newest change first; logged models: newest
    # first; every page followed to the end
    assert out["models"] == ["order-a", "order-b", "order-c"]
    assert out["versions"] == list(reversed(out["made"]))
    assert out["found"] == list(reversed(out["logged"]))
    # An invalid page token is a 400, as in MLflow (its logged-model search even answers 500)
    server = mlops_registry_parity.server
    searches: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "registered-models/search", {"params": {"page_token": "garbage"}}),
        ("GET", "model-versions/search", {"params": {"page_token": "garbage"}}),
        ("POST", "logged-models/search", {"json": {"experiment_ids": ["0"], "page_token": "x"}}),
    ]
    for method, path, kw in searches:
        status, code, _ = _error(_call(server, method, path, **kw))
        assert (status, code) == (400, "INVALID_PARAMETER_VALUE"), path


# -- 5. logged-model metrics and run outputs ------------------------------------------------
def test_logged_model_metrics_keep_their_model_run_and_dataset(
    mlops_registry_parity: MlflowClientRunner,
) -> None:
    out = mlops_registry_parity.run(
        """
        import mlflow
        from mlflow import MlflowClient
        from mlflow.entities import Dataset
        c = MlflowClient()
        exp = c.create_experiment("logged-metrics")
        rid = c.create_run(exp).info.run_id
        model = c.create_logged_model(experiment_id=exp, name="scored")
        ds = Dataset(name="eval-set", digest="d1g3st", source_type="code", source="{}")
        with mlflow.start_run(run_id=rid):
            mlflow.log_metric("acc", 0.9, step=2, model_id=model.model_id, dataset=ds)
            mlflow.log_metrics({"f1": 0.5}, model_id=model.model_id, dataset=ds)
            c.log_metric(rid, "plain", 1.0, model_id=model.model_id)
        def points(metrics):
            return sorted([m.key, m.step, m.run_id, m.model_id, m.dataset_name, m.dataset_digest]
                          for m in metrics)
        [found] = c.search_logged_models(experiment_ids=[exp])
        run = c.get_run(rid)
        result({
            "model": model.model_id, "run": rid,
            "got": points(c.get_logged_model(model.model_id).metrics),
            "found": points(found.metrics),
            "run_metrics": sorted(run.data.metrics),
            "history": [[m.model_id, m.dataset_name] for m in c.get_metric_history(rid, "acc")],
            "inputs": [[d.dataset.name, d.dataset.digest] for d in run.inputs.dataset_inputs],
        })
        """
    )
    model, run = out["model"], out["run"]
    # Given metrics logged with a model and a dataset (log-metric and log-batch) and one
    # with a model only, the logged model gives each back with its run, model and dataset
    expected = [
        ["acc", 2, run, model, "eval-set", "d1g3st"],
        ["f1", 0, run, model, "eval-set", "d1g3st"],
        ["plain", 0, run, model, None, None],
    ]
    assert out["got"] == expected
    assert out["found"] == expected
    # The run keeps them as plain run metrics, as MLflow's server gives them
    assert out["run_metrics"] == ["acc", "f1", "plain"]
    assert out["history"] == [[None, None]]
    # and MLflow's client logged the dataset as the run's input once
    assert out["inputs"] == [["eval-set", "d1g3st"]]

    # A dataset name or digest longer than MLflow's columns is a 400 naming it, and is not kept
    server = mlops_registry_parity.server
    live = _call(server, "POST", "runs/create", json={"experiment_id": "0"}).json()
    too_long = {
        "run_id": live["run"]["info"]["run_id"],
        "key": "long",
        "value": 1.0,
        "timestamp": 1,
        "model_id": model,
        "dataset_name": "eval-set",
        "dataset_digest": "d" * 37,
    }
    status, code, message = _error(_call(server, "POST", "runs/log-metric", json=too_long))
    assert (status, code) == (400, "INVALID_PARAMETER_VALUE")
    assert "dataset_digest" in message
    got = _call(server, "GET", "logged-models/" + model).json()
    assert "long" not in [m["key"] for m in got["model"]["data"]["metrics"]]


def test_run_outputs_keep_their_steps(mlops_registry_parity: MlflowClientRunner) -> None:
    out = mlops_registry_parity.run(
        """
        import mlflow
        from mlflow import MlflowClient
        from mlflow.entities import LoggedModelOutput
        c = MlflowClient()
        exp = c.create_experiment("output-steps")
        rid = c.create_run(exp).info.run_id
        a = c.create_logged_model(experiment_id=exp, name="a").model_id
        b = c.create_logged_model(experiment_id=exp, name="b").model_id
        made = c.create_logged_model(experiment_id=exp, name="made", source_run_id=rid).model_id
        def steps(run):
            return {o.model_id: o.step for o in run.outputs.model_outputs}
        c.log_outputs(rid, [LoggedModelOutput(a, step=3), LoggedModelOutput(b, step=7)])
        first = steps(c.get_run(rid))
        c.log_outputs(rid, [LoggedModelOutput(a, step=5)])
        again = steps(c.get_run(rid))
        [searched] = c.search_runs([exp])
        # MLflow's client sends a metric logged without model_id at an output's step to that
        # model: it reads the steps from the run's outputs
        with mlflow.start_run(run_id=rid):
            mlflow.log_metric("acc", 0.8, step=7)
            mlflow.log_metric("acc", 0.6, step=5)
            mlflow.log_metric("loss", 0.1, step=1)
        def keys(model_id):
            return [[m.key, m.step] for m in c.get_logged_model(model_id).metrics]
        result({
            "a": a, "b": b, "made": made,
            "first": first, "again": again, "searched": steps(searched),
            "metrics": {"a": keys(a), "b": keys(b), "made": keys(made)},
        })
        """
    )
    a, b, made = out["a"], out["b"], out["made"]
    # Each output comes back at the step log_outputs gave it; a model made in the run is its
    # output at step 0; logging an output again records its new step
    assert out["first"] == {a: 3, b: 7, made: 0}
    assert out["again"] == {a: 5, b: 7, made: 0}
    assert out["searched"] == out["again"]
    # Metrics logged at an output's step land on that model, and only there
    assert out["metrics"] == {"a": [["acc", 5]], "b": [["acc", 7]], "made": []}

    # Raw: a step left out is 0; a step that is no integer is a 400 naming it
    server = mlops_registry_parity.server
    run_id = _call(server, "POST", "runs/create", json={"experiment_id": "0"}).json()["run"][
        "info"
    ]["run_id"]
    model_id = _call(server, "POST", "logged-models", json={"experiment_id": "0"}).json()["model"][
        "info"
    ]["model_id"]
    ok = _call(
        server, "POST", "runs/outputs", json={"run_id": run_id, "models": [{"model_id": model_id}]}
    )
    assert ok.status_code == 200, ok.text
    outputs = _call(server, "GET", "runs/get", params={"run_id": run_id}).json()["run"]["outputs"]
    assert outputs == {"model_outputs": [{"model_id": model_id, "step": 0}]}
    bad = {"run_id": run_id, "models": [{"model_id": model_id, "step": "soon"}]}
    status, code, message = _error(_call(server, "POST", "runs/outputs", json=bad))
    assert (status, code) == (400, "INVALID_PARAMETER_VALUE")
    assert "models[0].step" in message


def test_an_explicit_version_order_breaks_ties_as_mlflow(
    mlops_registry_parity: MlflowClientRunner,
) -> None:
    out = mlops_registry_parity.run(
        _script(
            """
        from mlflow import MlflowClient
        c = MlflowClient()
        for n in ["ties-b", "ties-a"]:
            c.create_registered_model(n)
            for _ in range(3):
                c.create_model_version(n, "runs:/run_id/model", "run_id")
        def walk(order_by, size):
            seen, token = [], None
            while True:
                page = c.search_model_versions(
                    "name LIKE 'ties-%'", order_by=order_by, max_results=size, page_token=token
                )
                seen.extend([v.name, v.version] for v in page)
                token = page.token
                if not token:
                    return seen
        result({
            "name_desc": walk(["name DESC"], 2),
            "name_asc": walk(["name ASC"], 4),
            "version": walk(["version_number ASC"], 3),
        })
        """
        )
    )
    # Given an order, ties keep MLflow's: by name, then the highest version first, on every
    # page
    assert out["name_desc"] == [["ties-b", v] for v in "321"] + [["ties-a", v] for v in "321"]
    assert out["name_asc"] == [["ties-a", v] for v in "321"] + [["ties-b", v] for v in "321"]
    # A key that ties only across models is broken by name
    assert out["version"] == [
        ["ties-a", "1"],
        ["ties-b", "1"],
        ["ties-a", "2"],
        ["ties-b", "2"],
        ["ties-a", "3"],
        ["ties-b", "3"],
    ]
