"""Run life cycle through the fluent API, on the direct store and over REST."""

from __future__ import annotations

import threading

import pytest
from client_support import Tracking

import jupyter_mlops as mlops
from jupyter_mlops.errors import InvalidParameter, InvalidState
from jupyter_mlops.tracking.entities import RunStatus


def test_with_block_finishes_the_run(mlops_tracking: Tracking) -> None:
    name = mlops_tracking.experiment_name()

    with mlops.start_run(experiment=name, run_name="first", tags={"team": "ml"}) as run:
        assert mlops.active_run() is run
        assert run.info.status == RunStatus.RUNNING
        mlops.log_param("lr", 0.01)

    assert mlops.active_run() is None
    stored = mlops_tracking.client.get_run(run.run_id)
    assert stored.info.status == RunStatus.FINISHED
    assert stored.info.end_time is not None
    assert stored.info.run_name == "first"
    assert stored.tags["team"] == "ml"
    assert stored.params == {"lr": "0.01"}
    experiment = mlops_tracking.client.get_experiment_by_name(name)
    assert stored.info.experiment_id == experiment.experiment_id


def test_block_that_raises_fails_the_run_and_the_error_propagates(
    mlops_tracking: Tracking,
) -> None:
    error = ValueError("diverged")

    with pytest.raises(ValueError) as raised, mlops.start_run() as run:
        raise error

    assert raised.value is error
    assert mlops.active_run() is None
    assert mlops_tracking.client.get_run(run.run_id).info.status == RunStatus.FAILED


def test_keyboard_interrupt_kills_the_run(mlops_tracking: Tracking) -> None:
    with pytest.raises(KeyboardInterrupt), mlops.start_run() as run:
        raise KeyboardInterrupt

    assert mlops_tracking.client.get_run(run.run_id).info.status == RunStatus.KILLED


def test_start_run_inside_a_run_needs_nested(mlops_tracking: Tracking) -> None:
    with mlops.start_run() as outer:
        with pytest.raises(InvalidState, match="nested=True"):
            mlops.start_run()
        assert mlops.active_run() is outer

        with mlops.start_run(nested=True, run_name="child") as child:
            assert mlops.active_run() is child
            mlops.log_metric("loss", 0.5)
        assert mlops.active_run() is outer

    stored_child = mlops_tracking.client.get_run(child.run_id)
    assert stored_child.info.parent_run_id == outer.run_id
    assert stored_child.info.experiment_id == outer.info.experiment_id
    assert stored_child.info.status == RunStatus.FINISHED
    assert stored_child.metrics["loss"].value == 0.5
    assert mlops_tracking.client.get_run(outer.run_id).info.parent_run_id is None


def test_leaving_an_outer_block_ends_children_left_open(mlops_tracking: Tracking) -> None:
    with mlops.start_run() as outer:
        child = mlops.start_run(nested=True)

    assert mlops.active_run() is None
    assert mlops_tracking.client.get_run(child.run_id).info.status == RunStatus.FINISHED
    assert mlops_tracking.client.get_run(outer.run_id).info.status == RunStatus.FINISHED


def test_resume_by_id_runs_again_then_finishes(mlops_tracking: Tracking) -> None:
    with mlops.start_run() as run:
        mlops.log_metric("loss", 1.0, step=0)
    assert mlops_tracking.client.get_run(run.run_id).info.status == RunStatus.FINISHED

    with mlops.start_run(run_id=run.run_id, tags={"resumed": True}) as resumed:
        assert resumed.run_id == run.run_id
        assert mlops_tracking.client.get_run(run.run_id).info.status == RunStatus.RUNNING
        assert mlops_tracking.client.get_run(run.run_id).info.end_time is None
        mlops.log_metric("loss", 0.5, step=1)

    stored = mlops_tracking.client.get_run(run.run_id)
    assert stored.info.status == RunStatus.FINISHED
    assert stored.tags["resumed"] == "True"
    history = mlops_tracking.client.get_metric_history(run.run_id, "loss")
    assert [(p.step, p.value) for p in history] == [(0, 1.0), (1, 0.5)]


def test_resume_with_the_wrong_experiment_is_refused(mlops_tracking: Tracking) -> None:
    with mlops.start_run(experiment=mlops_tracking.experiment_name()) as run:
        pass
    other = mlops_tracking.experiment_name("other")
    mlops_tracking.client.create_experiment(other)

    with pytest.raises(InvalidParameter) as raised:
        mlops.start_run(run_id=run.run_id, experiment=other)
    assert raised.value.field == "experiment"
    assert mlops.active_run() is None


def test_end_run_with_a_status_and_without_a_run(mlops_tracking: Tracking) -> None:
    mlops.end_run()  # nothing active: a no-op, as in MLflow

    run = mlops.start_run()
    mlops.end_run("KILLED")

    assert mlops.active_run() is None
    assert mlops_tracking.client.get_run(run.run_id).info.status == RunStatus.KILLED


def test_set_experiment_is_the_default_for_new_runs(mlops_tracking: Tracking) -> None:
    name = mlops_tracking.experiment_name()

    experiment = mlops.set_experiment(name)
    again = mlops.set_experiment(name)  # existing: reused, not re-created
    with mlops.start_run() as run:
        pass

    assert again.experiment_id == experiment.experiment_id
    stored = mlops_tracking.client.get_run(run.run_id)
    assert stored.info.experiment_id == experiment.experiment_id


def test_logging_without_a_run_starts_one(mlops_tracking: Tracking) -> None:
    mlops.log_param("batch_size", 32)

    run = mlops.active_run()
    assert run is not None
    mlops.end_run()
    assert mlops_tracking.client.get_run(run.run_id).params == {"batch_size": "32"}


def test_params_and_tags_are_stringified_and_split_into_batches(
    mlops_tracking: Tracking,
) -> None:
    params = {f"p{i:03d}": i for i in range(150)}
    tags = {f"t{i:03d}": i / 2 for i in range(120)}

    with mlops.start_run() as run:
        assert mlops.log_param("optimizer", {"name": "adam"}) == {"name": "adam"}
        mlops.log_params(params)
        mlops.set_tags(tags)
        mlops.set_tag("stage", None)
        mlops.set_tag("note", "delete me")
        mlops.delete_tag("note")

    stored = mlops_tracking.client.get_run(run.run_id)
    assert stored.params == {
        "optimizer": "{'name': 'adam'}",
        **{k: str(v) for k, v in params.items()},
    }
    assert {k: v for k, v in stored.tags.items() if k.startswith("t")} == {
        k: str(v) for k, v in tags.items()
    }
    assert stored.tags["stage"] == "None"
    assert "note" not in stored.tags


def test_changing_a_param_raises_at_the_call(mlops_tracking: Tracking) -> None:
    with mlops.start_run():
        mlops.log_param("lr", 0.1)
        mlops.log_param("lr", 0.1)  # the same value again is fine
        with pytest.raises(InvalidParameter) as raised:
            mlops.log_param("lr", 0.2)
    assert raised.value.field == "params.lr"


def test_each_thread_has_its_own_active_run(mlops_tracking: Tracking) -> None:
    seen: list[object] = []

    def worker() -> None:
        seen.append(mlops.active_run())
        with mlops.start_run() as run:  # not nested: this thread has no active run
            seen.append(run.run_id)

    with mlops.start_run() as main_run:
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        assert mlops.active_run() is main_run

    assert seen[0] is None
    assert mlops_tracking.client.get_run(str(seen[1])).info.status == RunStatus.FINISHED
