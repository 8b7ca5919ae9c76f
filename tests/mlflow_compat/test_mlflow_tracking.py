"""MLflow's own client, unchanged, against our MLflow-compatible API: experiments, runs,
params, metrics, tags, search and errors. Each test runs one client script."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import STORE_BACKENDS
from tests.mlflow_compat.conftest import MlflowClientRunner


def test_experiments_create_get_search_rename_delete_restore(
    mlops_mlflow: MlflowClientRunner,
) -> None:
    # Given a client with three new experiments
    out = mlops_mlflow.run(
        """
        import mlflow
        from mlflow import MlflowClient
        from mlflow.entities import ViewType
        from mlflow.exceptions import MlflowException
        c = MlflowClient()
        ids = [c.create_experiment(n, tags={"team": t}) for n, t in
               [("exp-alpha", "a"), ("exp-beta", "b"), ("exp-gamma", "a")]]
        got = c.get_experiment(ids[0])
        by_name = c.get_experiment_by_name("exp-beta")
        missing = c.get_experiment_by_name("no-such-experiment")
        like = [e.name for e in c.search_experiments(filter_string="name LIKE 'exp-%'",
                                                     order_by=["name DESC"])]
        tagged = sorted(e.name for e in c.search_experiments(filter_string="tags.team = 'a'"))
        page1 = c.search_experiments(max_results=2, filter_string="name LIKE 'exp-%'",
                                     order_by=["name ASC"])
        page2 = c.search_experiments(max_results=2, filter_string="name LIKE 'exp-%'",
                                     order_by=["name ASC"], page_token=page1.token)
        c.rename_experiment(ids[1], "exp-beta-renamed")
        renamed = c.get_experiment(ids[1]).name
        c.set_experiment_tag(ids[2], "stage", "dev")
        c.delete_experiment(ids[2])
        deleted = c.get_experiment(ids[2]).lifecycle_stage
        active = [e.name for e in c.search_experiments(filter_string="name LIKE 'exp-%'")]
        only_deleted = [e.name for e in c.search_experiments(view_type=ViewType.DELETED_ONLY)]
        c.restore_experiment(ids[2])
        restored = c.get_experiment(ids[2])
        try:
            c.create_experiment("exp-alpha")
            duplicate = None
        except MlflowException as e:
            duplicate = e.error_code
        mlflow.set_experiment("exp-set-by-fluent")
        fluent = mlflow.get_experiment_by_name("exp-set-by-fluent")
        result({
            "ids": ids, "got": [got.name, got.tags, got.lifecycle_stage, got.artifact_location],
            "by_name": by_name.experiment_id, "missing": missing, "like": like, "tagged": tagged,
            "pages": [[e.name for e in page1], page1.token is not None, [e.name for e in page2],
                      page2.token],
            "renamed": renamed, "deleted": deleted, "active": active,
            "only_deleted": only_deleted,
            "restored": [restored.lifecycle_stage, restored.tags.get("stage")],
            "duplicate": duplicate, "fluent": fluent is not None,
        })
        """
    )
    ids = out["ids"]
    assert len(set(ids)) == 3
    assert out["got"][0] == "exp-alpha"
    assert out["got"][1]["team"] == "a"
    assert out["got"][2] == "active"
    assert out["got"][3] == f"mlflow-artifacts:/{ids[0]}"
    assert out["by_name"] == ids[1]
    assert out["missing"] is None  # RESOURCE_DOES_NOT_EXIST maps to None in the client
    assert out["like"] == ["exp-gamma", "exp-beta", "exp-alpha"]
    assert out["tagged"] == ["exp-alpha", "exp-gamma"]
    assert out["pages"] == [["exp-alpha", "exp-beta"], True, ["exp-gamma"], None]
    assert out["renamed"] == "exp-beta-renamed"
    assert out["deleted"] == "deleted"
    assert "exp-gamma" not in out["active"]
    assert "exp-gamma" in out["only_deleted"]
    assert out["restored"] == ["active", "dev"]
    assert out["duplicate"] == "RESOURCE_ALREADY_EXISTS"
    assert out["fluent"] is True


@pytest.mark.parametrize("mlflow_store_backend", STORE_BACKENDS, indirect=True)
def test_runs_params_metrics_tags_nested_and_end(mlops_mlflow: MlflowClientRunner) -> None:
    out = mlops_mlflow.run(
        """
        import time
        import mlflow
        from mlflow import MlflowClient
        from mlflow.entities import Metric, Param, RunTag
        with mlflow.start_run() as default_run:  # no experiment set: MLflow's Default, "0"
            mlflow.log_metric("x", 1)
        mlflow.set_experiment("runs-basic")
        with mlflow.start_run(run_name="parent-run") as parent:
            mlflow.log_param("lr", 0.01)
            mlflow.log_params({"depth": 5, "opt": "adam"})
            for step in range(5):
                mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
            mlflow.log_metrics({"acc": 0.5, "f1": 0.25}, step=3)
            mlflow.set_tag("team", "ds")
            mlflow.set_tags({"phase": "train", "gone": "soon"})
            mlflow.delete_tag("gone")
            MlflowClient().log_batch(
                parent.info.run_id,
                metrics=[Metric("batch_m", float(i), int(time.time() * 1000), i) for i in range(3)],
                params=[Param("batch_p", "x")],
                tags=[RunTag("batch_t", "y")],
            )
            with mlflow.start_run(run_name="child-run", nested=True) as child:
                mlflow.log_metric("child_metric", 7)
        c = MlflowClient()
        p = c.get_run(parent.info.run_id)
        ch = c.get_run(child.info.run_id)
        history = [(m.step, m.value) for m in c.get_metric_history(parent.info.run_id, "loss")]
        failed = mlflow.start_run(run_name="will-fail")
        mlflow.end_run(status="FAILED")
        result({
            "parent_id": parent.info.run_id, "child_id": child.info.run_id,
            "status": p.info.status, "end": p.info.end_time is not None,
            "name": p.info.run_name, "params": p.data.params, "metrics": p.data.metrics,
            "tags": p.data.tags, "child_tags": ch.data.tags, "child_name": ch.info.run_name,
            "history": history, "failed": c.get_run(failed.info.run_id).info.status,
            "artifact_uri": p.info.artifact_uri, "experiment_id": p.info.experiment_id,
            "default_experiment": default_run.info.experiment_id,
        })
        """
    )
    assert out["default_experiment"] == "0"
    assert out["status"] == "FINISHED" and out["end"]
    assert out["name"] == "parent-run"
    assert out["params"] == {"lr": "0.01", "depth": "5", "opt": "adam", "batch_p": "x"}
    assert out["metrics"]["loss"] == 0.2  # the latest step's value
    assert out["metrics"]["acc"] == 0.5 and out["metrics"]["batch_m"] == 2.0
    tags = out["tags"]
    assert tags["team"] == "ds" and tags["phase"] == "train" and tags["batch_t"] == "y"
    assert "gone" not in tags
    assert tags["mlflow.runName"] == "parent-run"
    assert tags["mlflow.user"]
    assert out["child_tags"]["mlflow.parentRunId"] == out["parent_id"]
    assert out["child_name"] == "child-run"
    assert out["history"] == [[s, 1.0 / (s + 1)] for s in range(5)]
    assert out["failed"] == "FAILED"
    assert out["artifact_uri"] == (
        f"mlflow-artifacts:/{out['experiment_id']}/{out['parent_id']}/artifacts"
    )

    # Then our native API shows the name, user and nesting from MLflow's system tags
    server = mlops_mlflow.server
    child = requests.get(
        f"{server.url}mlops/api/runs/{out['child_id']}", headers=server.headers, timeout=10
    ).json()["run"]
    assert child["info"]["run_name"] == "child-run"
    assert child["info"]["parent_run_id"] == out["parent_id"]
    assert "mlflow.parentRunId" not in child.get("tags", {})
    assert "mlflow.runName" not in child.get("tags", {})


@pytest.mark.parametrize("mlflow_store_backend", STORE_BACKENDS, indirect=True)
def test_search_runs_filter_order_and_paging(mlops_mlflow: MlflowClientRunner) -> None:
    out = mlops_mlflow.run(
        """
        import mlflow
        from mlflow import MlflowClient
        from mlflow.exceptions import MlflowException
        exp = mlflow.set_experiment("runs-search")
        ids = {}
        for i in range(7):
            with mlflow.start_run(run_name=f"run-{i}") as r:
                mlflow.log_param("model", "xgb" if i % 2 else "rf")
                mlflow.log_metric("rmse", 10 - i)
                mlflow.set_tag("parity", "odd" if i % 2 else "even")
                ids[i] = r.info.run_id
        c = MlflowClient()
        e = [exp.experiment_id]
        filtered = c.search_runs(e, "params.model = 'xgb' and metrics.rmse < 9",
                                 order_by=["metrics.rmse ASC"])
        by_name = c.search_runs(e, "tags.mlflow.runName = 'run-3'")
        by_attr = c.search_runs(e, "attributes.run_name LIKE 'run-%' AND run_name != 'run-0'")
        by_id = c.search_runs(e, f"attributes.run_id IN ('{ids[1]}', '{ids[2]}')")
        backtick = c.search_runs(e, "tags.`parity` = 'even'")
        pages, token = [], None
        while True:
            page = c.search_runs(e, max_results=3, order_by=["metrics.rmse DESC"],
                                 page_token=token)
            pages.append([r.info.run_name for r in page])
            token = page.token
            if not token:
                break
        df = mlflow.search_runs(experiment_ids=e, filter_string="metrics.rmse >= 7",
                                order_by=["params.model ASC", "metrics.rmse DESC"])
        listed = mlflow.search_runs(experiment_ids=e, output_format="list", max_results=4)
        try:
            c.search_runs(e, "datasets.name = 'x'")
            datasets = None
        except MlflowException as err:
            datasets = [err.error_code, str(err.message)]
        try:
            c.search_runs(e, "metrics.rmse <")
            broken = None
        except MlflowException as err:
            broken = err.error_code
        result({
            "filtered": [r.info.run_name for r in filtered],
            "by_name": [r.info.run_id for r in by_name], "id3": ids[3],
            "by_attr": len(by_attr), "by_id": sorted(r.info.run_id for r in by_id),
            "ids12": sorted([ids[1], ids[2]]), "backtick": len(backtick), "pages": pages,
            "df_names": list(df["tags.mlflow.runName"]), "df_columns": list(df.columns),
            "listed": [r.info.run_name for r in listed], "datasets": datasets,
            "broken": broken,
        })
        """
    )
    assert out["filtered"] == ["run-5", "run-3"]
    assert out["by_name"] == [out["id3"]]
    assert out["by_attr"] == 6
    assert out["by_id"] == out["ids12"]
    assert out["backtick"] == 4
    assert out["pages"] == [["run-0", "run-1", "run-2"], ["run-3", "run-4", "run-5"], ["run-6"]]
    assert out["df_names"] == ["run-0", "run-2", "run-1", "run-3"]
    assert {"metrics.rmse", "params.model", "tags.parity", "run_id", "status"} <= set(
        out["df_columns"]
    )
    assert out["listed"] == ["run-6", "run-5", "run-4", "run-3"]
    assert out["datasets"][0] == "INVALID_PARAMETER_VALUE"
    assert "datasets.name" in out["datasets"][1]
    assert out["broken"] == "INVALID_PARAMETER_VALUE"


def test_errors_carry_mlflow_codes_and_never_5xx(mlops_mlflow: MlflowClientRunner) -> None:
    out = mlops_mlflow.run(
        """
        import mlflow
        from mlflow import MlflowClient
        from mlflow.exceptions import MlflowException
        c = MlflowClient()
        def code(fn):
            try:
                fn()
            except MlflowException as e:
                return e.error_code
            return None
        exp = c.create_experiment("errors-exp")
        run = c.create_run(exp)
        rid = run.info.run_id
        c.log_param(rid, "p", "1")
        codes = {
            "missing_run": code(lambda: c.get_run("0" * 32)),
            "malformed_run": code(lambda: c.get_run("not-a-run")),
            "param_changed": code(lambda: c.log_param(rid, "p", "2")),
            "bad_key": code(lambda: c.log_metric(rid, "../x", 1.0)),
            "duplicate_experiment": code(lambda: c.create_experiment("errors-exp")),
            "missing_experiment": code(lambda: c.get_experiment("987654")),
            "missing_metric_run": code(lambda: c.get_metric_history("f" * 32, "m")),
        }
        c.set_terminated(rid)
        codes["finished_write"] = code(lambda: c.log_metric(rid, "late", 1.0))
        with mlflow.start_run(run_id=rid):  # resuming makes it writable again
            mlflow.log_metric("late", 2.0)
        resumed = c.get_run(rid)
        codes["resumed"] = [resumed.data.metrics.get("late"), resumed.info.status]
        result(codes)
        """
    )
    assert out.pop("finished_write") == "INVALID_STATE"
    assert out.pop("resumed") == [2.0, "FINISHED"]
    assert out == {
        "missing_run": "RESOURCE_DOES_NOT_EXIST",
        "malformed_run": "RESOURCE_DOES_NOT_EXIST",  # MLflow's id format, no such run
        "param_changed": "INVALID_PARAMETER_VALUE",
        "bad_key": "INVALID_PARAMETER_VALUE",
        "duplicate_experiment": "RESOURCE_ALREADY_EXISTS",
        "missing_experiment": "RESOURCE_DOES_NOT_EXIST",
        "missing_metric_run": "RESOURCE_DOES_NOT_EXIST",
    }


def test_error_statuses_and_bodies_over_http(mlops_mlflow: MlflowClientRunner) -> None:
    server = mlops_mlflow.server
    api = f"{server.url}mlops/mlflow/api/2.0/mlflow/"
    cases = [
        ("GET", "runs/get", {"run_id": "0" * 32}, None, 404, "RESOURCE_DOES_NOT_EXIST"),
        ("GET", "runs/get", {"run_id": "x"}, None, 404, "RESOURCE_DOES_NOT_EXIST"),
        ("GET", "runs/get", {"run_id": "../x"}, None, 400, "INVALID_PARAMETER_VALUE"),
        (
            "POST",
            "runs/log-metric",
            None,
            {"run_id": "0" * 32, "key": "m"},
            400,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "POST",
            "runs/log-batch",
            None,
            {"run_id": "0" * 32, "metrics": "nope"},
            400,
            "INVALID_PARAMETER_VALUE",
        ),
        ("POST", "experiments/create", None, {}, 400, "INVALID_PARAMETER_VALUE"),
        (
            "POST",
            "experiments/create",
            None,
            {"name": "x", "artifact_location": "/etc"},
            400,
            "INVALID_PARAMETER_VALUE",
        ),
        ("POST", "runs/search", None, {"filter": "metrics.a <"}, 400, "INVALID_PARAMETER_VALUE"),
        ("POST", "runs/search", None, {"max_results": "many"}, 400, "INVALID_PARAMETER_VALUE"),
        ("GET", "no/such/endpoint", None, None, 404, "ENDPOINT_NOT_FOUND"),
        ("PATCH", "runs/create", None, {}, 404, "ENDPOINT_NOT_FOUND"),
    ]
    for method, path, params, body, status, code in cases:
        response = requests.request(
            method, api + path, params=params, json=body, headers=server.headers, timeout=10
        )
        assert response.status_code == status, (path, response.text)
        assert response.json()["error_code"] == code, (path, response.text)
        assert response.json()["message"]
    raw = requests.post(
        api + "experiments/create", data=b"{not json", headers=server.headers, timeout=10
    )
    assert raw.status_code == 400 and raw.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    base = f"{server.url}mlops/mlflow/"
    ajax = requests.get(
        base + "ajax-api/2.0/mlflow/experiments/get",
        params={"experiment_id": "0"},
        headers=server.headers,
        timeout=10,
    )
    assert ajax.status_code == 200 and ajax.json()["experiment"]["name"] == "Default"
    info = requests.get(base + "api/3.0/mlflow/server-info", headers=server.headers, timeout=10)
    assert info.json()["multipart_uploads_enabled"] is False
    anonymous = requests.get(api + "experiments/get", params={"experiment_id": "0"}, timeout=10)
    assert anonymous.status_code == 403
    assert anonymous.json()["error_code"] == "PERMISSION_DENIED"
