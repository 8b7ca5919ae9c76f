"""Run inputs and outputs in the SQL tracking store, on SQLite and PostgreSQL: datasets of
an experiment, the datasets and logged models a run used, the logged models it produced
(the last two as the tracking service reads them from the logged models' own store)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlops.errors import InvalidState, NotFound
from jupyter_mlops.registry.logged_models.store import SqlLoggedModelStore
from jupyter_mlops.tracking.artifacts import LocalArtifactRepository
from jupyter_mlops.tracking.entities import (
    Dataset,
    DatasetInput,
    DatasetSummary,
    LifecycleStage,
    LoggedModelRef,
    RunInputs,
    RunOutputs,
)
from jupyter_mlops.tracking.service import TrackingService
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore

TRAIN = Dataset("iris-train", "1a2b3c4d", "local", '{"uri": "/data/train.csv"}', '{"s": 1}', None)
EVAL = Dataset("iris-eval", "5e6f7a8b", "s3", '{"uri": "s3://b/eval.csv"}', None, '{"rows": 3}')


def _as(dataset: Dataset, context: str | None = None, **tags: str) -> DatasetInput:
    all_tags = dict(tags)
    if context is not None:
        all_tags["mlflow.data.context"] = context
    return DatasetInput(dataset, all_tags)


@pytest.fixture
def mlops_registry(mlops_store: SqlTrackingStore) -> SqlLoggedModelStore:
    return SqlLoggedModelStore(mlops_store.database)


@pytest.fixture
def mlops_tracking(
    mlops_store: SqlTrackingStore, mlops_registry: SqlLoggedModelStore, tmp_path: Path
) -> TrackingService:
    """Tracking as the server wires it: the logged models' store answers for them."""
    artifacts = LocalArtifactRepository(tmp_path / "artifacts")
    return TrackingService(mlops_store, artifacts, ("alice",), logged_models=mlops_registry)


def test_a_runs_datasets_come_back_with_their_tags_in_logged_order(
    mlops_store: SqlTrackingStore,
) -> None:
    run_id = mlops_store.create_run("0", "alice").info.run_id

    mlops_store.log_inputs(run_id, [_as(TRAIN, "training", split="80%")])
    mlops_store.log_inputs(run_id, [_as(EVAL, "eval")])

    inputs = mlops_store.get_run(run_id).inputs
    assert [d.dataset for d in inputs.datasets] == [TRAIN, EVAL]
    assert [d.context for d in inputs.datasets] == ["training", "eval"]
    assert inputs.datasets[0].tags == {"mlflow.data.context": "training", "split": "80%"}
    assert inputs.models == ()


def test_a_dataset_is_one_per_name_and_digest_in_an_experiment(
    mlops_store: SqlTrackingStore,
) -> None:
    """Given a dataset logged by one run, when another run of the experiment logs the same
    (name, digest) with another description, both use the first one; another experiment
    gets a dataset of its own."""
    first = mlops_store.create_run("0", "alice").info.run_id
    second = mlops_store.create_run("0", "alice").info.run_id
    other_experiment = mlops_store.create_experiment("other", "alice").experiment_id
    third = mlops_store.create_run(other_experiment, "alice").info.run_id
    redescribed = Dataset(TRAIN.name, TRAIN.digest, "http", '{"url": "https://x"}', None, None)

    mlops_store.log_inputs(first, [_as(TRAIN, "training")])
    mlops_store.log_inputs(second, [_as(redescribed, "eval")])
    mlops_store.log_inputs(third, [_as(redescribed, "training")])

    assert mlops_store.get_run(second).inputs.datasets[0].dataset == TRAIN
    assert mlops_store.get_run(second).inputs.datasets[0].context == "eval"
    assert mlops_store.get_run(third).inputs.datasets[0].dataset == redescribed
    assert mlops_store.search_datasets(["0", other_experiment]) == [
        DatasetSummary("0", TRAIN.name, TRAIN.digest, "eval"),
        DatasetSummary("0", TRAIN.name, TRAIN.digest, "training"),
        DatasetSummary(other_experiment, TRAIN.name, TRAIN.digest, "training"),
    ]
    assert mlops_store.search_datasets([other_experiment], max_results=1) == [
        DatasetSummary(other_experiment, TRAIN.name, TRAIN.digest, "training")
    ]


def test_logging_an_input_again_keeps_the_first(mlops_store: SqlTrackingStore) -> None:
    run_id = mlops_store.create_run("0", "alice").info.run_id
    mlops_store.log_inputs(run_id, [_as(TRAIN, "training")])

    mlops_store.log_inputs(run_id, [_as(TRAIN, "eval"), _as(EVAL)])

    datasets = mlops_store.get_run(run_id).inputs.datasets
    assert [(d.dataset.name, d.context) for d in datasets] == [
        ("iris-train", "training"),
        ("iris-eval", None),
    ]


def test_model_inputs_and_outputs(
    mlops_store: SqlTrackingStore,
    mlops_registry: SqlLoggedModelStore,
    mlops_tracking: TrackingService,
) -> None:
    """A run's model inputs are what it logged; its outputs are the live logged models
    whose source_run_id is the run (one source of truth: the logged model)."""
    producer = mlops_store.create_run("0", "alice").info.run_id
    consumer = mlops_store.create_run("0", "alice").info.run_id
    made = mlops_registry.create_logged_model("0", "0", "clf", "alice", source_run_id=producer)
    dropped = mlops_registry.create_logged_model("0", "0", "old", "alice", source_run_id=producer)
    mlops_registry.delete_logged_model(dropped.model_id)

    mlops_tracking.log_inputs("alice", consumer, model_ids=[made.model_id, made.model_id])

    assert mlops_tracking.get_run("alice", producer).outputs == RunOutputs(
        (LoggedModelRef(made.model_id, "clf"),)
    )
    assert mlops_tracking.get_run("alice", producer).inputs == RunInputs()
    consumed = mlops_tracking.get_run("alice", consumer)
    assert consumed.inputs.models == (LoggedModelRef(made.model_id, "clf"),)
    assert consumed.outputs == RunOutputs()
    # The store alone knows the ids of the models a run used, not the logged models' names.
    assert mlops_store.get_run(consumer).inputs.models == (LoggedModelRef(made.model_id),)


def test_an_unknown_model_stores_nothing(
    mlops_store: SqlTrackingStore,
    mlops_registry: SqlLoggedModelStore,
    mlops_tracking: TrackingService,
) -> None:
    run_id = mlops_store.create_run("0", "alice").info.run_id
    known = mlops_registry.create_logged_model("0", "0", "clf", "alice").model_id

    with pytest.raises(NotFound) as raised:
        mlops_tracking.log_inputs("alice", run_id, [_as(TRAIN)], model_ids=[known, "m-" + "0" * 32])

    assert raised.value.field == "models[1].model_id"
    assert mlops_store.get_run(run_id).inputs == RunInputs()
    assert mlops_store.search_datasets(["0"]) == []


def test_inputs_of_unknown_or_deleted_runs_are_refused(mlops_store: SqlTrackingStore) -> None:
    run_id = mlops_store.create_run("0", "alice").info.run_id
    mlops_store.set_run_lifecycle(run_id, LifecycleStage.DELETED)

    with pytest.raises(InvalidState):
        mlops_store.log_inputs(run_id, [_as(TRAIN)])
    with pytest.raises(NotFound):
        mlops_store.log_inputs("f" * 32, [_as(TRAIN)])
    mlops_store.set_run_lifecycle(run_id, LifecycleStage.ACTIVE)
    assert mlops_store.get_run(run_id).inputs == RunInputs()


def test_a_search_page_carries_each_runs_own_inputs_and_outputs(
    mlops_store: SqlTrackingStore,
    mlops_registry: SqlLoggedModelStore,
    mlops_tracking: TrackingService,
) -> None:
    eid = mlops_store.create_experiment("page", "alice").experiment_id
    runs = [mlops_store.create_run(eid, "alice", start_time=i).info.run_id for i in range(4)]
    mlops_store.log_inputs(runs[0], [_as(TRAIN, "training")])
    mlops_store.log_inputs(runs[1], [_as(TRAIN, "training"), _as(EVAL, "eval")])
    model = mlops_registry.create_logged_model(eid, eid, "m", "alice", source_run_id=runs[2])
    mlops_tracking.log_inputs("alice", runs[3], model_ids=[model.model_id])

    page = mlops_tracking.search_runs("alice", [eid], order_by=["attributes.start_time ASC"])

    by_id = {r.info.run_id: r for r in page.items}
    assert [d.dataset.name for d in by_id[runs[0]].inputs.datasets] == ["iris-train"]
    assert [d.dataset.name for d in by_id[runs[1]].inputs.datasets] == ["iris-train", "iris-eval"]
    assert by_id[runs[2]].inputs == RunInputs()
    assert [m.model_id for m in by_id[runs[2]].outputs.models] == [model.model_id]
    assert [m.model_id for m in by_id[runs[3]].inputs.models] == [model.model_id]
    assert all(by_id[r].outputs == RunOutputs() for r in (runs[0], runs[1], runs[3]))


def test_text_round_trips_exactly(mlops_store: SqlTrackingStore) -> None:
    """Unicode, newlines in JSON and the limits' longest values come back unchanged."""
    run_id = mlops_store.create_run("0", "alice").info.run_id
    wide = Dataset(
        "données-é" * 50,
        "d" * 36,
        "s" * 36,
        '{\n  "uri": "/tmp/ü"\n}',
        "x" * 200_000,
        '{"n": 1}',
    )
    mlops_store.log_inputs(run_id, [_as(wide, "c" * 500, **{"k" * 255: "v" * 500})])

    (got,) = mlops_store.get_run(run_id).inputs.datasets
    assert got.dataset == wide
    assert got.tags == {"mlflow.data.context": "c" * 500, "k" * 255: "v" * 500}
