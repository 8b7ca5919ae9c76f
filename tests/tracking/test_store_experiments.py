"""Experiments in the SQL tracking store: create, read, list, update, tag, delete, restore."""

from __future__ import annotations

import pytest

from jupyter_mlops.errors import AlreadyExists, InvalidParameter, InvalidState, NotFound
from jupyter_mlops.tracking.entities import LifecycleStage, ViewType
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore


def test_default_experiment_exists_with_id_0(mlops_store: SqlTrackingStore) -> None:
    default = mlops_store.get_experiment("0")
    assert (default.name, default.owner, default.lifecycle_stage) == (
        "Default",
        "",
        LifecycleStage.ACTIVE,
    )
    assert mlops_store.get_experiment_by_name("Default").experiment_id == "0"


def test_create_and_get_experiment(mlops_store: SqlTrackingStore) -> None:
    created = mlops_store.create_experiment("churn", "alice", "predict churn", {"team": "ds"})

    assert created.experiment_id == "1"  # the first id after the Default experiment
    assert created.artifact_location == "1"
    fetched = mlops_store.get_experiment(created.experiment_id)
    assert fetched == created
    assert fetched.tags == {"team": "ds"}
    assert fetched.creation_time == fetched.last_update_time > 0
    assert mlops_store.get_experiment_by_name("churn") == created


def test_explicit_artifact_location_is_kept(mlops_store: SqlTrackingStore) -> None:
    created = mlops_store.create_experiment("e", "alice", artifact_location="shared/e")
    assert mlops_store.get_experiment(created.experiment_id).artifact_location == "shared/e"


def test_duplicate_name_is_refused_even_when_deleted(mlops_store: SqlTrackingStore) -> None:
    exp = mlops_store.create_experiment("churn", "alice")
    with pytest.raises(AlreadyExists, match="churn"):
        mlops_store.create_experiment("churn", "bob")
    mlops_store.delete_experiment(exp.experiment_id)
    with pytest.raises(AlreadyExists):
        mlops_store.create_experiment("churn", "bob")


@pytest.mark.parametrize("bad_id", ["999", "abc", "-1", ""])
def test_unknown_experiment_is_not_found_naming_the_id(
    mlops_store: SqlTrackingStore, bad_id: str
) -> None:
    with pytest.raises(NotFound) as info:
        mlops_store.get_experiment(bad_id)
    assert repr(bad_id) in info.value.message
    with pytest.raises(NotFound, match="nope"):
        mlops_store.get_experiment_by_name("nope")


def test_update_experiment_renames_and_redescribes(mlops_store: SqlTrackingStore) -> None:
    exp = mlops_store.create_experiment("a", "alice")
    mlops_store.create_experiment("taken", "alice")

    updated = mlops_store.update_experiment(exp.experiment_id, name="b", description="new")
    assert (updated.name, updated.description) == ("b", "new")
    assert updated.last_update_time >= exp.last_update_time
    assert mlops_store.get_experiment_by_name("b").experiment_id == exp.experiment_id
    # Renaming to its own name is fine; to another experiment's name is not.
    mlops_store.update_experiment(exp.experiment_id, name="b")
    with pytest.raises(AlreadyExists):
        mlops_store.update_experiment(exp.experiment_id, name="taken")


def test_experiment_tags_upsert_and_delete(mlops_store: SqlTrackingStore) -> None:
    eid = mlops_store.create_experiment("e", "alice", tags={"a": "1"}).experiment_id
    mlops_store.set_experiment_tags(eid, {"a": "2", "b": "3"})
    assert mlops_store.get_experiment(eid).tags == {"a": "2", "b": "3"}

    mlops_store.delete_experiment_tag(eid, "a")
    assert mlops_store.get_experiment(eid).tags == {"b": "3"}
    with pytest.raises(NotFound, match="'a'"):
        mlops_store.delete_experiment_tag(eid, "a")


def test_long_experiment_tag_value(mlops_store: SqlTrackingStore) -> None:
    eid = mlops_store.create_experiment("e", "alice").experiment_id
    note = "x" * 20_000
    mlops_store.set_experiment_tags(eid, {"note": note})
    assert mlops_store.get_experiment(eid).tags["note"] == note


def test_delete_and_restore_experiment(mlops_store: SqlTrackingStore) -> None:
    eid = mlops_store.create_experiment("e", "alice").experiment_id
    mlops_store.delete_experiment(eid)

    deleted = mlops_store.get_experiment(eid)
    assert deleted.lifecycle_stage is LifecycleStage.DELETED
    with pytest.raises(InvalidState):
        mlops_store.update_experiment(eid, name="x")
    with pytest.raises(InvalidState):
        mlops_store.set_experiment_tags(eid, {"a": "b"})
    with pytest.raises(InvalidState):
        mlops_store.create_run(eid, "alice")

    mlops_store.restore_experiment(eid)
    assert mlops_store.get_experiment(eid).lifecycle_stage is LifecycleStage.ACTIVE
    mlops_store.create_run(eid, "alice")


def test_deleting_an_experiment_deletes_its_runs_and_restore_brings_back_those(
    mlops_store: SqlTrackingStore,
) -> None:
    eid = mlops_store.create_experiment("e", "alice").experiment_id
    kept = mlops_store.create_run(eid, "alice").info.run_id
    deleted_before = mlops_store.create_run(eid, "alice").info.run_id
    mlops_store.set_run_lifecycle(deleted_before, LifecycleStage.DELETED)

    mlops_store.delete_experiment(eid)
    assert mlops_store.get_run(kept).info.lifecycle_stage is LifecycleStage.DELETED
    assert mlops_store.count_runs([eid]) == 0

    mlops_store.restore_experiment(eid)
    assert mlops_store.get_run(kept).info.lifecycle_stage is LifecycleStage.ACTIVE
    assert mlops_store.get_run(deleted_before).info.lifecycle_stage is LifecycleStage.DELETED


def test_default_experiment_cannot_be_deleted(mlops_store: SqlTrackingStore) -> None:
    with pytest.raises(InvalidState):
        mlops_store.delete_experiment("0")


def test_search_experiments_views_and_name_like(mlops_store: SqlTrackingStore) -> None:
    a = mlops_store.create_experiment("Churn-A", "alice").experiment_id
    b = mlops_store.create_experiment("churn-b", "alice").experiment_id
    c = mlops_store.create_experiment("fraud", "alice").experiment_id
    mlops_store.delete_experiment(c)

    def ids(**kwargs: object) -> list[str]:
        page = mlops_store.search_experiments(**kwargs)  # type: ignore[arg-type]
        return [e.experiment_id for e in page.items]

    assert ids() == [b, a, "0"]  # newest first
    assert ids(view=ViewType.DELETED_ONLY) == [c]
    assert ids(view=ViewType.ALL) == [c, b, a, "0"]
    assert ids(name_like="CHURN%") == [b, a]  # case-insensitive


def test_search_experiments_pages_through_everything(mlops_store: SqlTrackingStore) -> None:
    created = [mlops_store.create_experiment(f"e{i}", "alice").experiment_id for i in range(7)]
    seen: list[str] = []
    token = None
    while True:
        page = mlops_store.search_experiments(max_results=3, page_token=token)
        seen += [e.experiment_id for e in page.items]
        token = page.next_page_token
        if token is None:
            break
    assert seen == [*reversed(created), "0"]

    first = mlops_store.search_experiments(max_results=3)
    with pytest.raises(InvalidParameter) as info:
        mlops_store.search_experiments(
            max_results=3, page_token=first.next_page_token, name_like="e%"
        )
    assert info.value.field == "page_token"
    with pytest.raises(InvalidParameter):
        mlops_store.search_experiments(max_results=0)


def test_count_runs_by_experiment(mlops_store: SqlTrackingStore) -> None:
    a = mlops_store.create_experiment("a", "alice").experiment_id
    b = mlops_store.create_experiment("b", "alice").experiment_id
    for _ in range(3):
        mlops_store.create_run(a, "alice")
    gone = mlops_store.create_run(a, "alice").info.run_id
    mlops_store.set_run_lifecycle(gone, LifecycleStage.DELETED)

    assert mlops_store.count_runs_by_experiment([a, b, "0"]) == {a: 3, b: 0, "0": 0}
