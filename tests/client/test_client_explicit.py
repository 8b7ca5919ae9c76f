"""MlopsClient: the explicit API, its errors (the same on both transports) and its URI."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from client_support import Tracking

import jupyter_mlops as mlops
from jupyter_mlops import paths
from jupyter_mlops.client.rest_transport import RestTransport
from jupyter_mlops.client.store_transport import StoreTransport
from jupyter_mlops.errors import (
    AlreadyExists,
    InvalidParameter,
    InvalidState,
    NotFound,
    PermissionDenied,
)
from jupyter_mlops.tracking.entities import (
    LifecycleStage,
    Metric,
    MetricBucket,
    RunStatus,
    ViewType,
)

UNKNOWN_RUN = "0" * 32


def test_experiment_life_cycle(mlops_tracking: Tracking) -> None:
    client = mlops_tracking.client
    name = mlops_tracking.experiment_name()

    created = client.create_experiment(name, description="churn model", tags={"team": "ds"})
    renamed = client.rename_experiment(created.experiment_id, name + "-v2")
    client.set_experiment_tag(created.experiment_id, "stage", 2)
    client.delete_experiment_tag(created.experiment_id, "team")
    client.delete_experiment(created.experiment_id)
    deleted = client.get_experiment(created.experiment_id)
    listed_deleted = client.search_experiments(ViewType.DELETED_ONLY, name_like=name + "%")
    restored = client.restore_experiment(created.experiment_id)

    assert renamed.name == name + "-v2"
    assert client.get_experiment_by_name(name + "-v2").experiment_id == created.experiment_id
    assert deleted.lifecycle_stage == LifecycleStage.DELETED
    assert [e.experiment_id for e in listed_deleted.items] == [created.experiment_id]
    assert restored.lifecycle_stage == LifecycleStage.ACTIVE
    assert restored.tags == {"stage": "2"}
    assert restored.description == "churn model"


def test_run_life_cycle_and_history(mlops_tracking: Tracking) -> None:
    client = mlops_tracking.client
    experiment = client.create_experiment(mlops_tracking.experiment_name())

    run = client.create_run(experiment.experiment_id, run_name="explicit", tags={"k": "v"})
    client.log_batch(
        run.info.run_id,
        metrics=[Metric("loss", 1.0 / (s + 1), 1_000 + s, s) for s in range(2_500)],
        params={"lr": 0.1},
    )
    client.log_metric(run.info.run_id, "acc", 0.5, step=3)
    finished = client.set_terminated(run.info.run_id, "FINISHED")
    history = client.get_metric_history(run.info.run_id, "loss")
    buckets = client.get_metric_history(run.info.run_id, "loss", max_points=100)
    client.delete_run(run.info.run_id)
    after_delete = client.search_runs([experiment.experiment_id])
    restored = client.restore_run(run.info.run_id)

    assert run.info.status == RunStatus.RUNNING
    assert finished.info.status == RunStatus.FINISHED and finished.info.end_time
    assert len(history) == 2_500 and history[-1] == Metric("loss", 1 / 2_500, 3_499, 2_499)
    assert 0 < len(buckets) <= 100
    assert all(isinstance(b, MetricBucket) for b in buckets)
    assert max(b.max or 0 for b in buckets if isinstance(b, MetricBucket)) == 1.0
    assert after_delete.items == []
    assert restored.info.lifecycle_stage == LifecycleStage.ACTIVE
    assert restored.params == {"lr": "0.1"}
    assert restored.metrics["acc"].step == 3


def test_history_of_an_unknown_key_is_empty(mlops_tracking: Tracking) -> None:
    run = mlops_tracking.client.create_run()
    mlops_tracking.client.log_metric(run.info.run_id, "nan", math.nan)

    assert mlops_tracking.client.get_metric_history(run.info.run_id, "nothing") == []
    assert math.isnan(mlops_tracking.client.get_metric_history(run.info.run_id, "nan")[0].value)


def test_errors_are_the_same_classes_on_both_transports(mlops_tracking: Tracking) -> None:
    client = mlops_tracking.client
    name = mlops_tracking.experiment_name()
    client.create_experiment(name)
    run = client.create_run(tags={"present": "yes"})
    client.log_param(run.info.run_id, "lr", "0.1")
    client.set_terminated(run.info.run_id)

    with pytest.raises(NotFound):
        client.get_run(UNKNOWN_RUN)
    with pytest.raises(NotFound):
        client.get_experiment("987654321")
    with pytest.raises(NotFound):
        client.get_experiment_by_name(name + "-missing")
    with pytest.raises(AlreadyExists):
        client.create_experiment(name)
    with pytest.raises(InvalidState):  # finished: resume it first
        client.log_metric(run.info.run_id, "loss", 1.0)
    client.update_run(run.info.run_id, status=RunStatus.RUNNING)
    with pytest.raises(NotFound):
        client.delete_tag(run.info.run_id, "absent")
    with pytest.raises(InvalidParameter) as changed_param:
        client.log_param(run.info.run_id, "lr", "0.2")
    with pytest.raises(InvalidParameter) as bad_filter:
        client.search_runs(filter_string="metrics.loss <<< 1")
    with pytest.raises(InvalidParameter) as bad_key:
        client.log_metric(run.info.run_id, "a\x00b", 1.0)

    assert changed_param.value.field == "params.lr"
    assert bad_filter.value.field == "filter"
    assert bad_key.value.field is not None and "key" in bad_key.value.field


def test_rest_with_a_wrong_token_is_refused(mlops_server: Any) -> None:
    with mlops.MlopsClient(mlops_server.url, token="wrong") as client:
        assert isinstance(client.transport, RestTransport)
        with pytest.raises(PermissionDenied, match="token"):
            client.search_experiments()


def test_uri_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing set: the embedded default store under the Jupyter data dir.
    monkeypatch.delenv("JUPYTER_MLOPS_TRACKING_URI", raising=False)
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JUPYTER_MLOPS_ARTIFACT_ROOT", str(tmp_path / "artifacts"))
    mlops.set_tracking_uri(None)
    try:
        with mlops.MlopsClient() as client:
            assert client.tracking_uri == paths.default_store_uri()
            assert isinstance(client.transport, StoreTransport)
        assert mlops.get_tracking_uri() == paths.default_store_uri()

        env_uri = f"sqlite:///{tmp_path / 'env.db'}"
        monkeypatch.setenv("JUPYTER_MLOPS_TRACKING_URI", env_uri)
        assert mlops.get_tracking_uri() == env_uri

        set_uri = f"sqlite:///{tmp_path / 'set.db'}"
        mlops.set_tracking_uri(set_uri)
        assert mlops.get_tracking_uri() == set_uri

        explicit = f"sqlite:///{tmp_path / 'explicit.db'}"
        with mlops.MlopsClient(explicit) as client:
            assert client.tracking_uri == explicit
    finally:
        mlops.set_tracking_uri(None)

    with pytest.raises(InvalidParameter) as raised:
        mlops.set_tracking_uri("ftp://example.com/")
    assert raised.value.field == "tracking_uri"


@pytest.mark.postgres
def test_direct_transport_on_postgresql(
    mlops_postgres_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_MLOPS_ARTIFACT_ROOT", str(tmp_path / "artifacts"))
    mlops.set_tracking_uri(mlops_postgres_uri)
    try:
        with mlops.start_run(experiment=f"pg-{tmp_path.name}") as run:
            mlops.log_param("db", "postgresql")
            for step in range(1_200):
                mlops.log_metric("loss", step / 10, step=step)
            mlops.log_text("hello", "hello.txt")
        with mlops.MlopsClient(mlops_postgres_uri) as client:
            stored = client.get_run(run.run_id)
            assert stored.info.status == RunStatus.FINISHED
            assert len(client.get_metric_history(run.run_id, "loss")) == 1_200
            downloaded = client.download_artifacts(run.run_id, "hello.txt", tmp_path / "dl")
            assert downloaded.read_text() == "hello"
    finally:
        mlops.set_tracking_uri(None)
