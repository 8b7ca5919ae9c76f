"""The registry store on SQLite and PostgreSQL: numbering, aliases, tags, search, paging,
deletion and logged models (through the service, whose owner here is always allowed)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from jupyter_mlops.errors import AlreadyExists, InvalidParameter, NotFound
from jupyter_mlops.registry.service import RegistryService

OWNER = "alice"


def _run_id(service: RegistryService) -> str:
    return service.tracking.create_run(OWNER, "0").info.run_id


def test_versions_are_numbered_per_model_and_never_reused(
    mlops_registry_service: RegistryService,
) -> None:
    service = mlops_registry_service
    run_id = _run_id(service)
    service.create_registered_model(OWNER, "a")
    service.create_registered_model(OWNER, "b")
    numbers = [
        service.create_model_version(OWNER, name, f"runs:/{run_id}/model").version
        for name in ("a", "a", "b", "a")
    ]
    assert numbers == ["1", "2", "1", "3"]
    service.delete_model_version(OWNER, "a", "3")
    assert service.create_model_version(OWNER, "a", f"runs:/{run_id}/m").version == "4"


def test_concurrent_registrations_get_distinct_numbers(
    mlops_registry_service: RegistryService,
) -> None:
    service = mlops_registry_service
    run_id = _run_id(service)
    service.create_registered_model(OWNER, "busy")
    with ThreadPoolExecutor(4) as pool:
        versions = list(
            pool.map(
                lambda i: service.create_model_version(OWNER, "busy", f"runs:/{run_id}/m{i}"),
                range(12),
            )
        )
    assert sorted(int(v.version) for v in versions) == list(range(1, 13))


def test_a_version_from_a_run_is_stored_in_the_runs_artifact_folder(
    mlops_registry_service: RegistryService,
) -> None:
    service = mlops_registry_service
    run = service.tracking.create_run(OWNER, "0")
    service.create_registered_model(OWNER, "churn")
    version = service.create_model_version(
        OWNER, "churn", f"runs:/{run.info.run_id}/model/", description="first", tags={"k": "v"}
    )
    assert version.source == f"runs:/{run.info.run_id}/model"
    assert version.run_id == run.info.run_id
    assert version.storage_location == f"{run.info.artifact_uri}/model"
    assert version.status == "READY"
    assert version.current_stage == "None"
    assert version.user_id == OWNER
    assert version.tags == {"k": "v"}
    assert service.get_model_version(OWNER, "churn", 1) == version
    assert service.get_model_version_download_uri("bob", "churn", "1") == version.storage_location


def test_names_are_unique_and_renames_keep_versions(
    mlops_registry_service: RegistryService,
) -> None:
    service = mlops_registry_service
    run_id = _run_id(service)
    service.create_registered_model(OWNER, "old", description="d", tags={"team": "ds"})
    with pytest.raises(AlreadyExists):
        service.create_registered_model("bob", "old")
    service.create_model_version(OWNER, "old", f"runs:/{run_id}/m")
    service.create_registered_model(OWNER, "taken")
    with pytest.raises(AlreadyExists):
        service.rename_registered_model(OWNER, "old", "taken")
    renamed = service.rename_registered_model(OWNER, "old", "new")
    assert renamed.name == "new" and renamed.tags == {"team": "ds"}
    assert service.get_model_version(OWNER, "new", "1").name == "new"
    with pytest.raises(NotFound):
        service.get_registered_model(OWNER, "old")


def test_an_alias_moves_atomically_and_dies_with_its_version(
    mlops_registry_service: RegistryService,
) -> None:
    service = mlops_registry_service
    run_id = _run_id(service)
    service.create_registered_model(OWNER, "m")
    for _ in range(3):
        service.create_model_version(OWNER, "m", f"runs:/{run_id}/m")
    service.set_registered_model_alias(OWNER, "m", "champion", "1")
    service.set_registered_model_alias(OWNER, "m", "challenger", "2")
    service.set_registered_model_alias(OWNER, "m", "champion", "2")  # moves from v1
    assert service.get_model_version_by_alias(OWNER, "m", "champion").version == "2"
    assert service.get_model_version(OWNER, "m", "1").aliases == []
    assert service.get_model_version(OWNER, "m", "2").aliases == ["challenger", "champion"]
    assert service.get_registered_model(OWNER, "m").aliases == {
        "challenger": "2",
        "champion": "2",
    }
    service.delete_model_version(OWNER, "m", "2")
    assert service.get_registered_model(OWNER, "m").aliases == {}
    with pytest.raises(NotFound):
        service.get_model_version_by_alias(OWNER, "m", "champion")
    with pytest.raises(NotFound):
        service.set_registered_model_alias(OWNER, "m", "champion", "2")  # deleted version
    service.set_registered_model_alias(OWNER, "m", "champion", "3")
    service.delete_registered_model_alias(OWNER, "m", "champion")
    with pytest.raises(NotFound):
        service.delete_registered_model_alias(OWNER, "m", "champion")


def test_tags_are_set_replaced_and_deleted(mlops_registry_service: RegistryService) -> None:
    service = mlops_registry_service
    run_id = _run_id(service)
    service.create_registered_model(OWNER, "m")
    service.create_model_version(OWNER, "m", f"runs:/{run_id}/m")
    service.set_registered_model_tag(OWNER, "m", "team", "a")
    service.set_registered_model_tag(OWNER, "m", "team", "b")
    service.set_model_version_tag(OWNER, "m", "1", "validated", "yes")
    assert service.get_registered_model(OWNER, "m").tags == {"team": "b"}
    assert service.get_model_version(OWNER, "m", "1").tags == {"validated": "yes"}
    service.delete_registered_model_tag(OWNER, "m", "team")
    service.delete_model_version_tag(OWNER, "m", "1", "validated")
    assert service.get_registered_model(OWNER, "m").tags == {}
    assert service.get_model_version(OWNER, "m", "1").tags == {}
    with pytest.raises(NotFound):
        service.delete_registered_model_tag(OWNER, "m", "team")


def test_deleting_a_model_deletes_its_versions(mlops_registry_service: RegistryService) -> None:
    service = mlops_registry_service
    run_id = _run_id(service)
    service.create_registered_model(OWNER, "m", tags={"a": "b"})
    service.create_model_version(OWNER, "m", f"runs:/{run_id}/m", tags={"x": "y"})
    service.set_registered_model_alias(OWNER, "m", "prod", "1")
    service.delete_registered_model(OWNER, "m")
    with pytest.raises(NotFound):
        service.get_registered_model(OWNER, "m")
    assert service.search_model_versions(OWNER, "name = 'm'").items == []
    # The name is free again, and numbering starts over for the new model.
    service.create_registered_model(OWNER, "m")
    assert service.create_model_version(OWNER, "m", f"runs:/{run_id}/m").version == "1"


def test_stages_latest_versions_and_archiving(mlops_registry_service: RegistryService) -> None:
    service = mlops_registry_service
    run_id = _run_id(service)
    service.create_registered_model(OWNER, "m")
    for _ in range(4):
        service.create_model_version(OWNER, "m", f"runs:/{run_id}/m")
    service.transition_model_version_stage(OWNER, "m", "1", "production")
    service.transition_model_version_stage(OWNER, "m", "2", "Staging")
    moved = service.transition_model_version_stage(
        OWNER, "m", "3", "Production", archive_existing=True
    )
    assert moved.current_stage == "Production"
    assert service.get_model_version(OWNER, "m", "1").current_stage == "Archived"
    latest = {v.current_stage: v.version for v in service.get_latest_versions(OWNER, "m")}
    assert latest == {"Archived": "1", "Staging": "2", "Production": "3", "None": "4"}
    only = service.get_latest_versions(OWNER, "m", ["Production"])
    assert [v.version for v in only] == ["3"]
    assert service.resolve_model_uri(OWNER, "models:/m/Production").endswith("/m")
    assert service.locate_model_uri(OWNER, "models:/m/latest").model_version.version == "4"  # type: ignore[union-attr]
    with pytest.raises(InvalidParameter) as error:
        service.transition_model_version_stage(OWNER, "m", "1", "Prod")
    assert error.value.field == "stage"


def _names(page: object) -> list[str]:
    return [item.name for item in page.items]  # type: ignore[attr-defined]


def test_search_registered_models_filters_orders_and_pages(
    mlops_registry_service: RegistryService,
) -> None:
    service = mlops_registry_service
    for name, team in [("churn-a", "ds"), ("churn-b", "ml"), ("Churn-c", "ds"), ("fraud", "ds")]:
        service.create_registered_model(OWNER, name, tags={"team": team})
    # Default order: by name (the database's collation decides where "Churn-c" falls).
    everyone = _names(service.search_registered_models(OWNER))
    assert set(everyone) == {"churn-a", "churn-b", "Churn-c", "fraud"}
    assert everyone.index("churn-a") < everyone.index("churn-b") < everyone.index("fraud")
    assert _names(service.search_registered_models(OWNER, "name LIKE 'churn%'")) == [
        "churn-a",
        "churn-b",
    ]
    assert set(_names(service.search_registered_models(OWNER, "name ILIKE 'churn%'"))) == {
        "churn-a",
        "churn-b",
        "Churn-c",
    }
    assert _names(service.search_registered_models(OWNER, "name = 'fraud'")) == ["fraud"]
    found = service.search_registered_models(OWNER, "tags.team = 'ds' AND name != 'fraud'")
    assert set(_names(found)) == {"churn-a", "Churn-c"}
    # != and NOT IN on a tag keep models without it: the mlflow client appends
    # `tag.mlflow.prompt.is_prompt != 'true'` to every search.
    service.create_registered_model(OWNER, "untagged")
    service.create_registered_model(OWNER, "prompt", tags={"mlflow.prompt.is_prompt": "true"})
    found = service.search_registered_models(
        OWNER, "name LIKE '%t%' AND tag.`mlflow.prompt.is_prompt` != 'true'"
    )
    assert _names(found) == ["untagged"]
    found = service.search_registered_models(OWNER, "tags.team NOT IN ('ds')")
    assert set(_names(found)) == {"churn-b", "untagged", "prompt"}
    service.delete_registered_model(OWNER, "untagged")
    service.delete_registered_model(OWNER, "prompt")
    seen: list[str] = []
    token = None
    while True:
        page = service.search_registered_models(
            OWNER, "name LIKE '%r%'", max_results=1, order_by=["name DESC"], page_token=token
        )
        seen += _names(page)
        token = page.next_page_token
        if token is None:
            break
    everything = _names(service.search_registered_models(OWNER, order_by=["name DESC"]))
    assert seen == [n for n in everything if "r" in n]
    assert len(seen) == 4
    with pytest.raises(InvalidParameter) as error:
        service.search_registered_models(OWNER, "name LIKE 'x%'", page_token=token or "bad")
    assert error.value.field == "page_token"


def test_search_model_versions_by_run_name_and_tags(
    mlops_registry_service: RegistryService,
) -> None:
    service = mlops_registry_service
    first, second = _run_id(service), _run_id(service)
    service.create_registered_model(OWNER, "a")
    service.create_registered_model(OWNER, "b")
    service.create_model_version(OWNER, "a", f"runs:/{first}/m", tags={"ok": "1"})
    service.create_model_version(OWNER, "a", f"runs:/{second}/m")
    service.create_model_version(OWNER, "b", f"runs:/{first}/m")

    def found(text: str, **kwargs: object) -> list[tuple[str, str]]:
        page = service.search_model_versions(OWNER, text, **kwargs)  # type: ignore[arg-type]
        return [(v.name, v.version) for v in page.items]

    assert found(f"run_id = '{first}'", order_by=["name", "version_number"]) == [
        ("a", "1"),
        ("b", "1"),
    ]
    assert found(f"run_id IN ('{second}')") == [("a", "2")]
    assert found("name = 'a'", order_by=["version_number DESC"]) == [("a", "2"), ("a", "1")]
    assert found("tags.ok = '1'") == [("a", "1")]
    assert found("version_number >= 2") == [("a", "2")]
    assert found(f"source_path LIKE 'runs:/{first}%' AND name = 'b'") == [("b", "1")]
    pages, token = [], None
    for _ in range(5):
        page = service.search_model_versions(OWNER, max_results=2, page_token=token)
        pages.append([(v.name, v.version) for v in page.items])
        token = page.next_page_token
        if token is None:
            break
    assert [len(p) for p in pages] == [2, 1]
    with pytest.raises(InvalidParameter) as error:
        service.search_model_versions(OWNER, "nonsense = 'x'")
    assert error.value.field == "filter"
    with pytest.raises(InvalidParameter) as error:
        service.search_model_versions(OWNER, order_by=["run_id"])
    assert error.value.field == "order_by[0]"


def test_logged_models_lifecycle_and_registration(
    mlops_registry_service: RegistryService,
) -> None:
    service = mlops_registry_service
    run_id = _run_id(service)
    logged = service.logged_models.create_logged_model(
        OWNER, "0", "model", source_run_id=run_id, params={"lr": "0.1"}, model_type="sklearn"
    )
    assert logged.model_id.startswith("m-") and len(logged.model_id) == 34
    assert logged.status == "PENDING"
    assert logged.artifact_location == f"0/models/{logged.model_id}/artifacts"
    ready = service.logged_models.finalize_logged_model(
        OWNER, logged.model_id, "LOGGED_MODEL_READY"
    )
    assert ready.status == "READY"
    service.logged_models.set_logged_model_tags(OWNER, logged.model_id, {"stage": "dev"})
    service.logged_models.log_logged_model_params(
        OWNER, logged.model_id, {"lr": "0.1", "depth": "3"}
    )
    with pytest.raises(InvalidParameter):
        service.logged_models.log_logged_model_params(OWNER, logged.model_id, {"lr": "0.2"})
    again = service.logged_models.get_logged_model("bob", logged.model_id)
    assert again.tags == {"stage": "dev"} and again.params == {"lr": "0.1", "depth": "3"}
    page = service.logged_models.search_logged_models(
        "bob", ["0"], "params.depth = '3' AND status = 'READY'"
    )
    assert [m.model_id for m in page.items] == [logged.model_id]

    service.create_registered_model(OWNER, "reg")
    version = service.create_model_version(OWNER, "reg", f"models:/{logged.model_id}")
    assert version.model_id == logged.model_id
    assert version.run_id == run_id
    assert version.storage_location == logged.artifact_location
    assert service.resolve_model_uri("bob", "models:/reg/1") == logged.artifact_location
    assert service.resolve_model_uri("bob", f"models:/{logged.model_id}") == (
        logged.artifact_location
    )

    service.logged_models.delete_logged_model(OWNER, logged.model_id)
    with pytest.raises(NotFound):
        service.logged_models.get_logged_model(OWNER, logged.model_id)
    assert service.logged_models.search_logged_models(OWNER, ["0"]).items == []


def test_readers_never_see_a_moving_alias_missing(
    mlops_registry_service: RegistryService,
) -> None:
    """Given an alias flipped between two versions again and again, a reader at any
    moment finds it on one of them: the move is one statement, not a delete and a set."""
    import threading

    service = mlops_registry_service
    run_id = _run_id(service)
    service.create_registered_model(OWNER, "m")
    service.create_model_version(OWNER, "m", f"runs:/{run_id}/a")
    service.create_model_version(OWNER, "m", f"runs:/{run_id}/b")
    service.set_registered_model_alias(OWNER, "m", "champion", "1")
    done = threading.Event()

    def flip() -> None:
        try:
            for i in range(40):
                service.set_registered_model_alias(OWNER, "m", "champion", str(1 + i % 2))
        finally:
            done.set()

    writer = threading.Thread(target=flip)
    writer.start()
    seen = set()
    while not done.is_set():
        seen.add(service.get_model_version_by_alias(OWNER, "m", "champion").version)
    writer.join()
    assert seen <= {"1", "2"} and seen


def test_logged_model_metrics_keep_order_and_nan(
    mlops_registry_service: RegistryService,
) -> None:
    import math

    from jupyter_mlops.registry.entities import LoggedModelMetric

    service = mlops_registry_service
    logged = service.logged_models.create_logged_model(OWNER, "0", "model")
    service.logged_models.log_logged_model_metrics(
        OWNER,
        logged.model_id,
        [LoggedModelMetric("acc", 0.5, 1, 1), LoggedModelMetric("acc", math.nan, 2, 2)],
    )
    metrics = service.logged_models.get_logged_model(OWNER, logged.model_id).metrics
    assert [(m.key, m.step) for m in metrics] == [("acc", 1), ("acc", 2)]
    assert metrics[0].value == 0.5 and math.isnan(metrics[1].value)
    with pytest.raises(InvalidParameter) as error:
        service.logged_models.log_logged_model_metrics(
            OWNER, logged.model_id, [LoggedModelMetric("", 1.0, 1, 0)]
        )
    assert error.value.field == "metrics[0].key"
