"""The tracking half of MLflow server parity (issue #19), learnt from MLflow's own server
and its REST tests, checked through MLflow's real client (and raw HTTP where the status,
code and message are the point) against a real jupyter server on SQLite and PostgreSQL.

The servers here allow one external object store, ``s3://team-bucket/mlflow/``, so that
experiments may keep their artifacts there; everything else stays refused.
"""

from __future__ import annotations

import getpass
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from jupyter_mlops.server.mlflow.search import sort_experiments
from jupyter_mlops.tracking.entities import Experiment, LifecycleStage
from tests.conftest import STORE_BACKENDS, MlopsServer, run_mlops_server
from tests.mlflow_compat.conftest import MlflowClientRunner
from tests.mlflow_compat.parity_support import EXTERNAL_STORE, external_store_server
from tests.mlflow_compat.parity_support import call_mlflow_api as _call
from tests.mlflow_compat.parity_support import client_script as _script
from tests.mlflow_compat.parity_support import error_of as _error

TESTS = Path(__file__).resolve().parent.parent

#: artifact_location values that must stay refused: other places, traversals in every
#: spelling MLflow's CVEs used (CVE-2023-1177, -2780, -6730, -6831, CVE-2024-1560), and
#: schemes the server would have to open.
HOSTILE_LOCATIONS = [
    "file:///etc/passwd",
    "/etc",
    "my_location",
    "../escape",
    "http://169.254.169.254/latest/meta-data",
    "s3://other-bucket/mlflow/x",
    "s3://team-bucket/other/x",
    "s3://team-bucket/mlflowx/x",
    "gs://team-bucket/mlflow/x",
    "s3://team-bucket/mlflow/../secret",
    "s3://team-bucket/mlflow/a/../../secret",
    "s3://team-bucket/mlflow/%2e%2e/secret",
    "s3://team-bucket/mlflow/%252e%252e/secret",
    "s3://team-bucket/mlflow/a\\..\\..\\secret",
    "s3://team-bucket/mlflow/a?versionId=1",
    "s3://team-bucket/mlflow/a#frag",
    "mlflow-artifacts:/../x",
    "mlflow-artifacts:/a/%2e%2e/b",
    "mlflow-artifacts://host/a/../../b",
    "mlflow-artifacts:/a?x=1",
    "mlflow-artifacts://other-host:5000/x",
]


@pytest.fixture(scope="module", params=STORE_BACKENDS)
def mlops_parity_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MlopsServer]:
    """A single-user server (its caller is the admin) with one external store allowed."""
    with external_store_server(request, tmp_path_factory, "parity") as server:
        yield server


@pytest.fixture
def mlops_parity(mlops_parity_server: MlopsServer, tmp_path: Path) -> MlflowClientRunner:
    return MlflowClientRunner(mlops_parity_server, tmp_path)


@pytest.fixture(scope="module")
def mlops_multi_user_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlopsServer]:
    """Several users (``token alice-token`` is alice; the server's token is "admin")."""
    root = tmp_path_factory.mktemp("parity_multi_user")
    path = os.pathsep.join(filter(None, [str(TESTS / "auth"), os.environ.get("PYTHONPATH")]))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", path)
        args = (
            "--ServerApp.identity_provider_class=users_identity.HeaderUsers",
            "--MlopsExtension.admin_users=admin",
        )
        with run_mlops_server(root, args) as server:
            yield server


# -- 1. artifact_location ----------------------------------------------------------------------
def test_artifact_location_in_an_allowed_store_or_our_own_and_nothing_else(
    mlops_parity: MlflowClientRunner,
) -> None:
    out = mlops_parity.run(
        _script(
            """
        import mlflow
        from mlflow import MlflowClient
        c = MlflowClient()
        ext = c.create_experiment("loc-external", artifact_location="s3://team-bucket/mlflow/exp-a")
        ext_run = c.create_run(ext)
        own = c.create_experiment("loc-own", artifact_location="mlflow-artifacts:/anywhere/deep")
        own_run = c.create_run(own)
        hosted = c.create_experiment("loc-own-host", artifact_location="mlflow-artifacts://"
                                     + mlflow.get_tracking_uri().split("/")[2] + "/x")
        c.log_text(own_run.info.run_id, "hello", "notes/a.txt")
        loaded = mlflow.artifacts.load_text(own_run.info.artifact_uri + "/notes/a.txt")
        refused = {}
        for i, loc in enumerate(HOSTILE):
            name = f"loc-hostile-{i}"
            refused[loc] = [err(lambda: c.create_experiment(name, artifact_location=loc)),
                            c.get_experiment_by_name(name) is None]
        result({
            "ext": [ext, c.get_experiment(ext).artifact_location, ext_run.info.run_id,
                    c.get_run(ext_run.info.run_id).info.artifact_uri],
            "searched": [e.artifact_location for e in c.search_experiments(
                filter_string="name = 'loc-external'")],
            "own": [own, c.get_experiment(own).artifact_location, own_run.info.run_id,
                    own_run.info.artifact_uri, loaded],
            "hosted": [hosted, c.get_experiment(hosted).artifact_location],
            "refused": refused,
        })
        """.replace("HOSTILE", repr(HOSTILE_LOCATIONS))
        )
    )
    # Given an experiment in the allowed store, its runs' artifacts are under its location
    _, ext_location, ext_run, ext_run_uri = out["ext"]
    assert ext_location == "s3://team-bucket/mlflow/exp-a"
    assert ext_run_uri == f"s3://team-bucket/mlflow/exp-a/{ext_run}/artifacts"
    assert out["searched"] == ["s3://team-bucket/mlflow/exp-a"]
    # and this server never opens that store: asking it to list there is a clear 400
    listed = _call(mlops_parity.server, "GET", "artifacts/list", params={"run_id": ext_run})
    status, code, message = _error(listed)
    assert (status, code) == (400, "INVALID_PARAMETER_VALUE")
    assert "external object store" in message

    # An mlflow-artifacts location is this server's store: the experiment keeps its own
    # folder there (no experiment can name another's), and artifacts go through the server
    own, own_location, own_run, own_run_uri, loaded = out["own"]
    assert own_location == f"mlflow-artifacts:/{own}"
    assert own_run_uri == f"mlflow-artifacts:/{own}/{own_run}/artifacts"
    assert loaded == "hello"
    hosted, hosted_location = out["hosted"]  # naming this server by its host is the same
    assert hosted_location == f"mlflow-artifacts:/{hosted}"
    assert (
        mlops_parity.server.artifact_root / own / own_run / "artifacts" / "notes" / "a.txt"
    ).read_text() == "hello"

    # Everything else is refused, saying which stores are allowed, and creates nothing
    for location, (error, absent) in out["refused"].items():
        assert error is not None, location
        assert error[0] == "INVALID_PARAMETER_VALUE", (location, error)
        assert "artifact_location" in error[1] and EXTERNAL_STORE in error[1], (location, error)
        assert absent, location


# -- 2, 3, 6. ids, tags, the run's user, metrics of models --------------------------------------
def test_run_ids_as_references_tags_user_and_model_metrics(
    mlops_parity: MlflowClientRunner,
) -> None:
    out = mlops_parity.run(
        _script(
            """
        import mlflow
        from mlflow import MlflowClient
        c = MlflowClient()
        exp = c.create_experiment("ids-and-tags")
        parent = c.create_run(exp)
        pid = parent.info.run_id
        r7 = c.create_run(exp, start_time=456, run_name="my name",
                          tags={"mlflow.parentRunId": "7", "my": "tag", "mlflow.user": "username"})
        dangling = c.create_run(exp, tags={"mlflow.parentRunId": "f" * 32})
        child = c.create_run(exp, tags={"mlflow.parentRunId": pid})
        late = c.create_run(exp)
        c.set_tag(late.info.run_id, "mlflow.parentRunId", "abc")
        plain = c.create_run(exp)
        c.log_param(r7.info.run_id, "still", "writable")  # by the admin who created it
        got7 = c.get_run(r7.info.run_id)
        model = c.create_logged_model(exp, name="scored")
        c.log_metric(pid, "acc", 0.9, step=2, model_id=model.model_id)
        history = [[m.key, m.value, m.step, m.model_id, m.dataset_name]
                   for m in c.get_metric_history(pid, "acc")]
        with mlflow.start_run(experiment_id=exp) as fluent:
            pass
        result({
            "r7": [got7.info.start_time, got7.info.run_name, got7.data.tags, got7.info.user_id,
                   got7.data.params, r7.info.user_id],
            "searched": [r.info.run_id for r in c.search_runs([exp], "tags.my = 'tag'")],
            "r7_id": r7.info.run_id, "pid": pid,
            "dangling": c.get_run(dangling.info.run_id).data.tags.get("mlflow.parentRunId"),
            "child": c.get_run(child.info.run_id).data.tags.get("mlflow.parentRunId"),
            "child_id": child.info.run_id,
            "late": c.get_run(late.info.run_id).data.tags.get("mlflow.parentRunId"),
            "plain_user": [plain.info.user_id, c.get_run(plain.info.run_id).data.tags.get(
                "mlflow.user")],
            "fluent_user": c.get_run(fluent.info.run_id).info.user_id,
            "run_metric": c.get_run(pid).data.metrics.get("acc"),
            "history": history,
            "model_metrics": [[m.key, m.value, m.step, m.run_id]
                              for m in c.get_logged_model(model.model_id).metrics],
            "errors": {
                "get_7": err(lambda: c.get_run("7")),
                "get_unknown": err(lambda: c.get_run("0" * 32)),
                "get_malformed": err(lambda: c.get_run("../x")),
                "delete_tag_fake": err(lambda: c.delete_tag("fake_run_id", "k")),
                "delete_tag_unknown": err(lambda: c.delete_tag("0" * 32, "k")),
                "delete_tag_missing": err(lambda: c.delete_tag(pid, "nope")),
                "set_tag_fake": err(lambda: c.set_tag("fake_run_id", "k", "v")),
                "history_fake": err(lambda: c.get_metric_history("fake_run_id", "m")),
                "delete_run_name_tag": err(lambda: c.delete_tag(pid, "mlflow.runName")),
            },
        })
        """
        )
    )
    # A parent that is no run of ours ("7", an unknown id) is a plain tag, as in MLflow
    start_time, name, tags, user, params, created_user = out["r7"]
    assert (start_time, name) == (456, "my name")
    assert tags["mlflow.parentRunId"] == "7" and tags["my"] == "tag"
    assert out["searched"] == [out["r7_id"]]
    assert out["dangling"] == "f" * 32
    assert out["late"] == "abc"
    # while a parent of ours is the run's parent, shown in our own API too
    assert out["child"] == out["pid"]
    native = requests.get(
        f"{mlops_parity.server.url}mlops/api/runs/{out['child_id']}",
        headers=mlops_parity.server.headers,
        timeout=10,
    ).json()["run"]
    assert native["info"]["parent_run_id"] == out["pid"]

    # The user the client names is recorded: the caller (the single user) is an admin
    assert user == created_user == "username" and tags["mlflow.user"] == "username"
    assert params == {"still": "writable"}
    # and without one (MLflow's client then sends "unknown") the caller is the run's user
    assert out["plain_user"] == [getpass.getuser(), getpass.getuser()]
    assert out["fluent_user"] == getpass.getuser()

    # A metric logged for a logged model: the run's metric and history as MLflow's server
    # gives them (no model or dataset there), the model's metric names the run
    assert out["run_metric"] == 0.9
    assert out["history"] == [["acc", 0.9, 2, None, None]]
    assert out["model_metrics"] == [["acc", 0.9, 2, out["pid"]]]

    errors = out["errors"]
    assert errors["get_7"] == ["RESOURCE_DOES_NOT_EXIST", "Run with id=7 not found"]
    assert errors["get_unknown"] == ["RESOURCE_DOES_NOT_EXIST", f"Run with id={'0' * 32} not found"]
    assert errors["get_malformed"][0] == "INVALID_PARAMETER_VALUE"
    assert "'run_id'" in errors["get_malformed"][1]
    for case in ("delete_tag_fake", "delete_tag_unknown", "set_tag_fake", "history_fake"):
        assert errors[case][0] == "RESOURCE_DOES_NOT_EXIST", (case, errors[case])
        assert errors[case][1].startswith("Run with id=") and "not found" in errors[case][1]
    assert errors["delete_tag_missing"] == [
        "RESOURCE_DOES_NOT_EXIST",
        f"No tag with name: nope in run with id {out['pid']}",
    ]
    assert errors["delete_run_name_tag"][0] == "INVALID_PARAMETER_VALUE"


def test_the_user_a_client_names_is_recorded_only_where_the_caller_may_act_for_them(
    mlops_multi_user_server: MlopsServer,
) -> None:
    server = mlops_multi_user_server
    alice, bob = {"Authorization": "token alice-token"}, {"Authorization": "token bob-token"}
    as_bob = {
        "experiment_id": "0",
        "user_id": "bob",
        "tags": [{"key": "mlflow.user", "value": "bob"}],
    }

    # Given alice names bob as the run's user, the run is hers: she may not act for him
    by_alice = _call(server, "POST", "runs/create", alice, json=as_bob).json()["run"]
    assert by_alice["info"]["user_id"] == "alice"
    assert {"key": "mlflow.user", "value": "alice"} in by_alice["data"]["tags"]
    # An admin may: the run is bob's, bob may log to it, alice may not
    by_admin = _call(server, "POST", "runs/create", json=as_bob).json()["run"]
    assert by_admin["info"]["user_id"] == "bob"
    run_id = by_admin["info"]["run_id"]
    param = {"run_id": run_id, "key": "p", "value": "1"}
    assert _call(server, "POST", "runs/log-parameter", bob, json=param).status_code == 200
    refused = _call(server, "POST", "runs/log-parameter", alice, json=param)
    assert _error(refused)[:2] == (403, "PERMISSION_DENIED")
    # Without a user, or with MLflow's "unknown", the caller is the run's user
    for body in ({"experiment_id": "0"}, {"experiment_id": "0", "user_id": "unknown"}):
        created = _call(server, "POST", "runs/create", bob, json=body).json()["run"]
        assert created["info"]["user_id"] == "bob"


# -- 4. search_experiments' order and paging --------------------------------------------------
def test_search_experiments_newest_created_first_and_pages(
    mlops_parity: MlflowClientRunner,
) -> None:
    out = mlops_parity.run(
        _script(
            """
        import time
        from mlflow import MlflowClient
        from mlflow.entities import ViewType
        c = MlflowClient()
        ids = []
        for i in range(3):
            ids.append(c.create_experiment(f"order-{i}"))
            time.sleep(0.01)
        c.rename_experiment(ids[0], "order-0-renamed")  # the oldest is now the latest updated
        c.set_experiment_tag(ids[0], "k", "v")
        listed = [[e.experiment_id, e.creation_time] for e in c.search_experiments()]
        pages, token = [], None
        while True:
            page = c.search_experiments(max_results=2, page_token=token)
            pages.append([e.experiment_id for e in page])
            token = page.token
            if not token:
                break
        result({
            "ids": ids, "listed": listed, "pages": pages,
            "all": [e.experiment_id for e in c.search_experiments(view_type=ViewType.ALL)],
            "by_name": [e.name for e in c.search_experiments(
                filter_string="name LIKE 'order-%'", order_by=["name DESC"])],
            "bad_token": err(lambda: c.search_experiments(page_token="not-a-token")),
        })
        """
        )
    )
    ids, listed = out["ids"], out["listed"]
    # Newest created first (renaming the oldest does not move it), then by id
    assert listed == sorted(listed, key=lambda e: (-e[1], int(e[0])))
    assert [e[0] for e in listed[:3]] == list(reversed(ids))
    assert listed[-1][0] == "0"  # the Default experiment, made first
    # Pages of two follow the same order and add up to the whole listing
    assert [i for page in out["pages"] for i in page] == [e[0] for e in listed]
    assert all(len(page) == 2 for page in out["pages"][:-1])
    assert out["by_name"] == ["order-2", "order-1", "order-0-renamed"]
    assert out["bad_token"][0] == "INVALID_PARAMETER_VALUE"
    assert "page token" in out["bad_token"][1].lower()


def _experiment(experiment_id: str, created: int, updated: int, name: str = "") -> Experiment:
    return Experiment(
        experiment_id, name or f"e{experiment_id}", "", "", experiment_id,
        LifecycleStage.ACTIVE, created, updated,
    )  # fmt: skip


def test_experiment_order_ties_break_on_the_id_as_mlflow_does() -> None:
    # Given experiments created in the same millisecond
    same = [_experiment("12", 5, 9), _experiment("3", 5, 1), _experiment("7", 9, 2)]
    # By default: creation time DESC, then id ASC (numerically)
    assert [e.experiment_id for e in sort_experiments(same, [])] == ["7", "3", "12"]
    # With an order of the caller's, ties go by id DESC
    ordered = sort_experiments(same, ["creation_time ASC"])
    assert [e.experiment_id for e in ordered] == ["12", "3", "7"]


# -- 5. page tokens -------------------------------------------------------------------------
def test_invalid_page_tokens_are_400_on_every_paged_tracking_endpoint(
    mlops_parity_server: MlopsServer,
) -> None:
    server = mlops_parity_server
    run = _call(server, "POST", "runs/create", json={"experiment_id": "0"}).json()["run"]
    run_id = run["info"]["run_id"]
    points = [
        {"key": "loss", "value": 1.0 / (s + 1), "timestamp": 1000 + s, "step": s} for s in range(5)
    ]
    assert _call(server, "POST", "runs/log-batch", json={"run_id": run_id, "metrics": points}).ok

    history = {"run_id": run_id, "metric_key": "loss"}
    for params in ({"page_token": "garbage"}, {"page_token": "garbage", "max_results": 2}):
        refused = _call(server, "GET", "metrics/get-history", params={**history, **params})
        assert _error(refused)[:2] == (400, "INVALID_PARAMETER_VALUE"), refused.text
    for path, body in [
        ("runs/search", {"experiment_ids": ["0"], "page_token": "garbage"}),
        ("experiments/search", {"max_results": 10, "page_token": "garbage"}),
    ]:
        refused = _call(server, "POST", path, json=body)
        assert _error(refused)[:2] == (400, "INVALID_PARAMETER_VALUE"), (path, refused.text)
    zero = _call(server, "GET", "metrics/get-history", params={**history, "max_results": 0})
    assert _error(zero) == (
        400,
        "INVALID_PARAMETER_VALUE",
        "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer.",
    )

    # Valid tokens page through the history in step order; without max_results, all of it
    steps, token = [], None
    while True:
        page = _call(
            server,
            "GET",
            "metrics/get-history",
            params={**history, "max_results": 2, **({"page_token": token} if token else {})},
        ).json()
        steps.append([m["step"] for m in page["metrics"]])
        token = page.get("next_page_token")
        if not token:
            break
    assert steps == [[0, 1], [2, 3], [4]]
    whole = _call(server, "GET", "metrics/get-history", params=history).json()
    assert [m["step"] for m in whole["metrics"]] == [0, 1, 2, 3, 4]
    assert "next_page_token" not in whole


# -- 7. messages ----------------------------------------------------------------------------
def test_error_messages_in_mlflows_words(mlops_parity_server: MlopsServer) -> None:
    server = mlops_parity_server
    name = f"messages-{uuid.uuid4().hex[:8]}"
    eid = _call(server, "POST", "experiments/create", json={"name": name}).json()["experiment_id"]
    run_id = _call(server, "POST", "runs/create", json={"experiment_id": eid}).json()["run"][
        "info"
    ]["run_id"]
    param = {"run_id": run_id, "key": "p", "value": "1"}
    assert _call(server, "POST", "runs/log-parameter", json=param).ok

    expected = [
        (
            ("GET", "experiments/get", {"params": {"experiment_id": "987654"}}),
            (404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=987654 exists"),
        ),
        (
            ("GET", "experiments/get", {"params": {"experiment_id": "abc"}}),
            (
                400,
                "INVALID_PARAMETER_VALUE",
                "Invalid experiment ID 'abc'. Experiment ID must be a valid integer.",
            ),
        ),
        (
            ("GET", "experiments/get-by-name", {"params": {"experiment_name": "no-such-x"}}),
            (404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name 'no-such-x'"),
        ),
        (
            ("POST", "experiments/create", {"json": {"name": name}}),
            (400, "RESOURCE_ALREADY_EXISTS", f"Experiment(name={name}) already exists."),
        ),
        (
            ("POST", "runs/log-parameter", {"json": {**param, "value": "2"}}),
            (
                400,
                "INVALID_PARAMETER_VALUE",
                "Changing param values is not allowed. Param with key='p' was already logged "
                f"with value='1' for run ID='{run_id}'. Attempted logging new value '2'.",
            ),
        ),
        (
            (
                "POST",
                "experiments/delete-experiment-tag",
                {"json": {"experiment_id": eid, "key": "nope"}},
            ),
            (404, "RESOURCE_DOES_NOT_EXIST", f"No tag with name: nope in experiment with id {eid}"),
        ),
        (
            ("GET", "runs/get", {"params": {"run_id": "a" * 32}}),
            (404, "RESOURCE_DOES_NOT_EXIST", f"Run with id={'a' * 32} not found"),
        ),
    ]
    for path, size, limit in [
        ("runs/search", 0, "a positive integer"),
        ("runs/search", 50_001, "at most 50000"),
        ("experiments/search", 0, "a positive integer"),
    ]:
        answer = (
            400,
            "INVALID_PARAMETER_VALUE",
            f"Invalid value {size} for parameter 'max_results' supplied. It must be {limit}",
        )
        expected.append((("POST", path, {"json": {"max_results": size}}), answer))
    for (method, path, kwargs), answer in expected:
        assert _error(_call(server, method, path, **kwargs)) == answer, path

    # Writes to a deleted run or into a deleted experiment: MLflow's words and code
    assert _call(server, "POST", "runs/delete", json={"run_id": run_id}).ok
    tagged = _call(
        server, "POST", "runs/set-tag", json={"run_id": run_id, "key": "k", "value": "v"}
    )
    assert _error(tagged) == (
        400,
        "INVALID_PARAMETER_VALUE",
        f"The run {run_id} must be in the 'active' state. Current state is deleted.",
    )
    assert _call(server, "POST", "experiments/delete", json={"experiment_id": eid}).ok
    created = _call(server, "POST", "runs/create", json={"experiment_id": eid})
    assert _error(created) == (
        400,
        "INVALID_PARAMETER_VALUE",
        f"The experiment {eid} must be in the 'active' state. Current state is deleted.",
    )


def test_a_field_of_the_wrong_type_is_refused_in_mlflows_words(
    mlops_parity_server: MlopsServer,
) -> None:
    server = mlops_parity_server
    hint = "See the API docs for more information about request parameters."
    cases = [
        ("experiments/create", {"name": 123}, "name", "123", "int"),
        ("runs/log-metric", {"run_id": "a" * 32, "key": "k", "value": "x1"}, "value", "x1", "str"),
        (
            "runs/log-batch",
            {"run_id": "a" * 32, "metrics": {"k": 1}},
            "metrics",
            "{'k': 1}",
            "dict",
        ),
        ("runs/set-tag", {"run_id": "a" * 32, "key": ["k"], "value": "v"}, "key", "['k']", "list"),
    ]
    for path, body, field, shown, kind in cases:
        status, code, message = _error(_call(server, "POST", path, json=body))

        assert (status, code) == (400, "INVALID_PARAMETER_VALUE"), (path, message)
        assert message == (
            f"Invalid value {shown} for parameter '{field}' supplied. Hint: Value was of "
            f"type '{kind}'. {hint}"
        ), path
