"""The rules of run inputs in the tracking service: MLflow's limits with errors naming the
field, nothing stored on bad input, and who may record inputs on which runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlops.errors import InvalidParameter, InvalidState, PermissionDenied
from jupyter_mlops.tracking.artifacts import LocalArtifactRepository
from jupyter_mlops.tracking.entities import Dataset, DatasetInput, RunInputs, RunStatus
from jupyter_mlops.tracking.service import TrackingService
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore

GOOD = Dataset("train", "0123abcd", "local", '{"uri": "train.csv"}')


@pytest.fixture
def mlops_service(tmp_path: Path) -> Iterator[TrackingService]:
    store = SqlTrackingStore(f"sqlite:///{tmp_path / 'mlops.db'}")
    yield TrackingService(store, LocalArtifactRepository(tmp_path / "artifacts"), ("root",))
    store.close()


@pytest.fixture
def mlops_run_id(mlops_service: TrackingService) -> str:
    return mlops_service.create_run("alice").info.run_id


BAD_DATASETS: list[tuple[Any, str]] = [
    (DatasetInput(replace(GOOD, name=None)), "datasets[1].dataset.name"),  # type: ignore[arg-type]
    (DatasetInput(replace(GOOD, name="")), "datasets[1].dataset.name"),
    (DatasetInput(replace(GOOD, name="n" * 501)), "datasets[1].dataset.name"),
    (DatasetInput(replace(GOOD, digest="d" * 37)), "datasets[1].dataset.digest"),
    (DatasetInput(replace(GOOD, digest=None)), "datasets[1].dataset.digest"),  # type: ignore[arg-type]
    (DatasetInput(replace(GOOD, source_type="t" * 37)), "datasets[1].dataset.source_type"),
    (DatasetInput(replace(GOOD, source="s" * 65_536)), "datasets[1].dataset.source"),
    (DatasetInput(replace(GOOD, schema="s" * 1_048_576)), "datasets[1].dataset.schema"),
    (DatasetInput(replace(GOOD, schema=3)), "datasets[1].dataset.schema"),  # type: ignore[arg-type]
    (DatasetInput(replace(GOOD, name="a\x00b")), "datasets[1].dataset.name"),
    (DatasetInput(GOOD, {"k" * 256: "v"}), "datasets[1].tags." + "k" * 256),
    (
        DatasetInput(GOOD, {"mlflow.data.context": "v" * 501}),
        "datasets[1].tags.mlflow.data.context",
    ),
    (DatasetInput(GOOD, {"k": 1}), "datasets[1].tags.k"),  # type: ignore[dict-item]
    (DatasetInput(None), "datasets[1].dataset"),  # type: ignore[arg-type]
    (GOOD, "datasets[1]"),
]


@pytest.mark.parametrize(("bad", "field"), BAD_DATASETS)
def test_bad_datasets_name_the_field_and_store_nothing(
    mlops_service: TrackingService, mlops_run_id: str, bad: Any, field: str
) -> None:
    with pytest.raises(InvalidParameter) as raised:
        mlops_service.log_inputs("alice", mlops_run_id, [DatasetInput(GOOD), bad])

    assert raised.value.field == field
    assert mlops_service.get_run("alice", mlops_run_id).inputs == RunInputs()


@pytest.mark.parametrize(
    ("models", "field"),
    [(["m-" + "a" * 32, "m-XYZ"], "models[1].model_id"), ([None], "models[0].model_id")],
)
def test_bad_model_ids_name_the_field(
    mlops_service: TrackingService, mlops_run_id: str, models: list[Any], field: str
) -> None:
    with pytest.raises(InvalidParameter) as raised:
        mlops_service.log_inputs("alice", mlops_run_id, [DatasetInput(GOOD)], models)
    assert raised.value.field == field
    assert mlops_service.get_run("alice", mlops_run_id).inputs == RunInputs()


def test_the_limits_themselves_are_accepted(
    mlops_service: TrackingService, mlops_run_id: str
) -> None:
    widest = Dataset("n" * 500, "d" * 36, "t" * 36, "s" * 65_535, "c" * 1_048_575, "p" * 1000)
    many = [DatasetInput(replace(GOOD, digest=f"{i:08x}")) for i in range(999)]

    mlops_service.log_inputs("alice", mlops_run_id, [DatasetInput(widest), *many])

    assert len(mlops_service.get_run("alice", mlops_run_id).inputs.datasets) == 1000
    with pytest.raises(InvalidParameter) as raised:
        mlops_service.log_inputs("alice", mlops_run_id, [DatasetInput(GOOD)] * 1001)
    assert raised.value.field == "datasets"


def test_a_repeated_name_and_digest_counts_once(
    mlops_service: TrackingService, mlops_run_id: str
) -> None:
    mlops_service.log_inputs(
        "alice",
        mlops_run_id,
        [DatasetInput(GOOD, {"mlflow.data.context": "training"}), DatasetInput(GOOD)],
    )
    (only,) = mlops_service.get_run("alice", mlops_run_id).inputs.datasets
    assert only.context == "training"


def test_only_the_runs_user_or_an_admin_records_inputs(
    mlops_service: TrackingService, mlops_run_id: str
) -> None:
    with pytest.raises(PermissionDenied):
        mlops_service.log_inputs("bob", mlops_run_id, [DatasetInput(GOOD)])
    assert mlops_service.get_run("bob", mlops_run_id).inputs == RunInputs()

    mlops_service.log_inputs("root", mlops_run_id, [DatasetInput(GOOD)])
    assert len(mlops_service.get_run("bob", mlops_run_id).inputs.datasets) == 1


def test_a_finished_run_takes_inputs_a_deleted_one_does_not(
    mlops_service: TrackingService, mlops_run_id: str
) -> None:
    """Inputs describe a run, like tags: MLflow's evaluate and autologging may log them as
    the run ends, so a finished run takes them (it takes no more metrics)."""
    mlops_service.update_run("alice", mlops_run_id, status=RunStatus.FINISHED)
    mlops_service.log_inputs("alice", mlops_run_id, [DatasetInput(GOOD)])
    assert len(mlops_service.get_run("alice", mlops_run_id).inputs.datasets) == 1

    mlops_service.delete_run("alice", mlops_run_id)
    with pytest.raises(InvalidState):
        mlops_service.log_inputs("alice", mlops_run_id, [DatasetInput(replace(GOOD, digest="2"))])


def test_search_datasets_asks_for_1_to_20_experiments(mlops_service: TrackingService) -> None:
    for ids in ([], [str(i) for i in range(21)]):
        with pytest.raises(InvalidParameter) as raised:
            mlops_service.search_datasets("alice", ids)
        assert raised.value.field == "experiment_ids"
    with pytest.raises(InvalidParameter) as raised:
        mlops_service.search_datasets("alice", ["x"])
    assert raised.value.field == "experiment_ids[0]"
