"""The pipeline store and the scheduler's policies, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.errors import InvalidParameter, NotFound
from jupyter_mlops.pipelines.server.schedules import next_fire_time
from jupyter_mlops.pipelines.server.store.sql_store import SqlPipelineStore
from jupyter_mlops.pipelines.spec import states
from jupyter_mlops.pipelines.spec.entities import PipelineRun, StepRun
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore


@mlops.step
def one() -> int:
    return 1


@mlops.pipeline
def tiny():
    one()


@pytest.fixture
def mlops_pipeline_store(mlops_store_uri: str) -> Iterator[SqlPipelineStore]:
    tracking = SqlTrackingStore(mlops_store_uri)
    yield SqlPipelineStore(tracking.database)
    tracking.close()


def _run(name: str, created: int) -> PipelineRun:
    return PipelineRun(
        run_id=uuid.uuid4().hex,
        name=name,
        owner="alice",
        spec=tiny.compile(),
        arguments={"a": [1, 2]},
        backend="local",
        state=states.PENDING,
        message="",
        loops={},
        outputs={},
        tracking_run_id=None,
        experiment_id="0",
        schedule_id=None,
        backend_ref=None,
        attempt=1,
        created_time=created,
        start_time=None,
        end_time=None,
        updated_time=created,
    )


def test_runs_steps_paging_and_cache_lookup(mlops_pipeline_store: SqlPipelineStore) -> None:
    store = mlops_pipeline_store
    name = f"p-{uuid.uuid4().hex[:8]}"
    runs = [_run(name, 1000 + i) for i in range(5)]
    for run in runs:
        store.create_run(run, [StepRun(run.run_id, "one", "one", None, states.PENDING)])

    page, token = store.list_runs(name=name, max_results=2)
    assert [r.run_id for r in page] == [runs[4].run_id, runs[3].run_id]
    rest, token2 = store.list_runs(name=name, max_results=10, page_token=token)
    assert [r.run_id for r in rest] == [r.run_id for r in reversed(runs[:3])]
    assert token2 is None
    with pytest.raises(InvalidParameter):
        store.list_runs(page_token="garbage")

    got = store.get_run(runs[0].run_id)
    assert got.arguments == {"a": [1, 2]} and got.spec["pipelineInfo"]["name"] == "tiny"
    assert [s.step_id for s in got.steps or []] == ["one"]
    # Compare-and-set: only from the expected states.
    assert (
        store.update_run(runs[0].run_id, expected_states=[states.RUNNING], state=states.FAILED)
        is False
    )
    assert (
        store.update_run(runs[0].run_id, expected_states=[states.PENDING], state=states.RUNNING)
        is True
    )
    store.update_step(
        runs[0].run_id, "one", state=states.SUCCEEDED, cache_key="k" * 64, outputs={"Output": 1}
    )
    store.update_step(runs[1].run_id, "one", state=states.FAILED, cache_key="k" * 64)
    hit = store.find_cached("k" * 64)
    assert hit is not None and hit.run_id == runs[0].run_id and hit.outputs == {"Output": 1}
    assert store.find_cached("x" * 64) is None
    with pytest.raises(NotFound):
        store.get_run("0" * 32)


def test_saved_pipelines_replace_by_owner_and_name(mlops_pipeline_store: SqlPipelineStore) -> None:
    store = mlops_pipeline_store
    name = f"p-{uuid.uuid4().hex[:8]}"
    first = store.save_pipeline("alice", name, "one", tiny.compile(), "a.py")
    second = store.save_pipeline("alice", name, "two", tiny.compile(), "b.py")
    assert first.pipeline_id == second.pipeline_id and second.description == "two"
    other = store.save_pipeline("bob", name, "", tiny.compile(), None)
    assert other.pipeline_id != first.pipeline_id


def test_schedules_due_and_next_fire_time(mlops_pipeline_store: SqlPipelineStore) -> None:
    store = mlops_pipeline_store
    schedule = store.create_schedule(
        name="nightly",
        owner="alice",
        cron="0 3 * * *",
        spec=tiny.compile(),
        arguments={},
        backend="local",
        experiment_id="0",
        policy="queue",
        enabled=True,
        next_fire_time=next_fire_time("0 3 * * *", 0),
    )
    assert schedule.next_fire_time == 3 * 3600 * 1000  # 03:00 UTC on 1970-01-01
    due = [s.schedule_id for s in store.due_schedules(4 * 3600 * 1000)]
    assert schedule.schedule_id in due
    assert schedule.schedule_id not in [s.schedule_id for s in store.due_schedules(3600 * 1000)]
    store.update_schedule(int(schedule.schedule_id), enabled=False)
    assert schedule.schedule_id not in [s.schedule_id for s in store.due_schedules(10**13)]
