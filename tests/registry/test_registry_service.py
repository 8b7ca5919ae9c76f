"""Registry rules of the service: who may do what, and which sources are refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jupyter_mlops.errors import InvalidParameter, InvalidState, NotFound, PermissionDenied
from jupyter_mlops.registry.service import RegistryService
from jupyter_mlops.registry.sources import parse_source

ALICE, BOB, ROOT = "alice", "bob", "root"
RUN = "0123456789abcdef0123456789abcdef"
MODEL = "m-0123456789abcdef0123456789abcdef"

#: Every way we know to point a version outside the artifact store (MLflow's CVEs and
#: their encodings); each must be a 400 naming the field "source".
HOSTILE_SOURCES = [
    "file:///etc/passwd",
    "/etc/passwd",
    "../../x",
    f"runs:/{RUN}/../../..",
    "%2e%2e%2f",
    "%252e%252e%252f",
    "..\\..\\x",
    "mlflow-artifacts:/../x",
    "s3://bucket/x",
    f"models:/{MODEL}/../x",
    "file:/etc/passwd",
    "FILE:///etc/passwd",
    "http://evil.example/x",
    "mlflow-artifacts://evil.example/x",
    "runs:/../x",
    f"runs://{RUN}/x",
    "1/%2E%2E/%2E%2E/x",
    "C:\\Windows",
    "C:/Windows",
    "~/.ssh",
    "a/../../b",
    "",
    "models:/name/../x",
    "models:/name/0",
    "models://m/1",
    "a\x00b",
]


@pytest.mark.parametrize("source", HOSTILE_SOURCES)
def test_hostile_sources_are_refused_by_the_parser(source: str) -> None:
    with pytest.raises(InvalidParameter) as error:
        parse_source(source)
    assert error.value.field == "source"


@pytest.mark.parametrize(
    ("source", "kind", "normalised", "path"),
    [
        (f"runs:/{RUN}/model", "run", f"runs:/{RUN}/model", "model"),
        (f"runs:/{RUN}/a/./b/", "run", f"runs:/{RUN}/a/b", "a/b"),
        (f"models:/{MODEL}", "logged_model", f"models:/{MODEL}", ""),
        ("models:/churn/12", "model_version", "models:/churn/12", "12"),
        (
            "mlflow-artifacts:/1/x/artifacts/m",
            "artifact",
            "mlflow-artifacts:/1/x/artifacts/m",
            "1/x/artifacts/m",
        ),
        ("mlflow-artifacts:///1/m", "artifact", "mlflow-artifacts:/1/m", "1/m"),
        ("1/x/artifacts/model", "artifact", "1/x/artifacts/model", "1/x/artifacts/model"),
    ],
)
def test_accepted_sources_are_normalised(
    source: str, kind: str, normalised: str, path: str
) -> None:
    parsed = parse_source(source)
    assert (parsed.kind, parsed.source, parsed.path) == (kind, normalised, path)


STORES = ("s3://team-bucket/mlflow/",)
HOST = "mlops.example:8888"


@pytest.mark.parametrize(
    ("source", "kind", "normalised"),
    [
        ("runs:/run_id/model", "run", "runs:/run_id/model"),
        ("runs:/run-id_2/a/b/c", "run", "runs:/run-id_2/a/b/c"),
        ("models:/123", "logged_model", "models:/123"),
        ("models:/churn/latest", "model_version", "models:/churn/latest"),
        ("models:/churn/staging", "model_version", "models:/churn/staging"),
        ("models:/churn@champion", "model_version", "models:/churn@champion"),
        (f"mlflow-artifacts://{HOST}/1/m", "artifact", "mlflow-artifacts:/1/m"),
        ("mlflow-artifacts://MLOPS.example:8888/1/m", "artifact", "mlflow-artifacts:/1/m"),
        ("s3://team-bucket/mlflow/m/1", "external", "s3://team-bucket/mlflow/m/1"),
        ("s3://team-bucket/mlflow", "external", "s3://team-bucket/mlflow"),
    ],
)
def test_references_this_server_and_allowed_stores_are_accepted(
    source: str, kind: str, normalised: str
) -> None:
    parsed = parse_source(source, (HOST,), STORES)
    assert (parsed.kind, parsed.source) == (kind, normalised)


@pytest.mark.parametrize(
    "source",
    [
        *HOSTILE_SOURCES,
        "mlflow-artifacts://other.example:8888/1/m",
        "mlflow-artifacts://mlops.example:9999/1/m",
        f"mlflow-artifacts://{HOST}/../x",
        "s3://other-bucket/mlflow/m",
        "s3://team-bucket/mlflowx/m",
        "s3://team-bucket/mlflow/../x",
        "s3://team-bucket/mlflow/a/./b",
        "s3://team-bucket/mlflow/a?versionId=1",
        "s3://team-bucket/mlflow/a#b",
        "s3://team-bucket/mlflow/a\tb",
        "gs://team-bucket/mlflow/m",
        "s3a://team-bucket/mlflow/m",
        "runs:/" + "a" * 33 + "/m",
        "runs:/-a/m",
        "models:/" + "a" * 35,
        "models:/a b",
        "models:/churn/Prod",
        "models:/churn/../..",
        "models:/@champion",
    ],
)
def test_sources_stay_refused_with_a_host_and_stores_allowed(source: str) -> None:
    with pytest.raises(InvalidParameter) as error:
        parse_source(source, (HOST,), STORES)
    assert error.value.field == "source"


def test_object_store_refusals_say_which_stores_are_allowed() -> None:
    with pytest.raises(InvalidParameter) as error:
        parse_source("s3://other-bucket/m", (), STORES)
    assert "s3://team-bucket/mlflow/" in error.value.message
    with pytest.raises(InvalidParameter) as none_allowed:
        parse_source("s3://other-bucket/m")
    assert "c.Tracking.external_artifact_stores" in none_allowed.value.message


def test_hostile_sources_are_refused_by_the_service(
    mlops_registry_service: RegistryService,
) -> None:
    service = mlops_registry_service
    service.create_registered_model(ALICE, "m")
    for source in HOSTILE_SOURCES:
        with pytest.raises(InvalidParameter) as error:
            service.create_model_version(ALICE, "m", source)
        assert error.value.field == "source", source
    assert service.search_model_versions(ALICE).items == []


def test_a_symlink_out_of_the_store_is_refused(
    mlops_registry_service: RegistryService, tmp_path: Path
) -> None:
    service = mlops_registry_service
    run = service.tracking.create_run(ALICE, "0")
    folder = Path(service.artifacts.root) / run.info.artifact_uri
    folder.mkdir(parents=True)
    os.symlink("/", folder / "escape")
    service.create_registered_model(ALICE, "m")
    with pytest.raises(InvalidParameter) as error:
        service.create_model_version(ALICE, "m", f"runs:/{run.info.run_id}/escape/etc")
    assert error.value.field == "source"
    with pytest.raises(InvalidParameter):
        service.create_model_version(ALICE, "m", f"{run.info.artifact_uri}/escape")


def test_unknown_runs_and_logged_models_are_dangling_references(
    mlops_registry_service: RegistryService,
) -> None:
    """As MLflow: ``runs:/`` and ``models:/`` name what may live elsewhere; a reference we
    do not know is recorded as given, and its files are then nowhere here (404)."""
    service = mlops_registry_service
    service.create_registered_model(ALICE, "m")
    by_run = service.create_model_version(ALICE, "m", "runs:/run_id/model", run_id="run_id")
    assert (by_run.source, by_run.storage_location, by_run.run_id) == (
        "runs:/run_id/model",
        "runs:/run_id/model",
        "run_id",
    )
    hex_run = service.create_model_version(ALICE, "m", f"runs:/{RUN}/model")
    assert hex_run.storage_location == f"runs:/{RUN}/model"
    by_model = service.create_model_version(ALICE, "m", f"models:/{MODEL}")
    assert (by_model.storage_location, by_model.model_id) == (f"models:/{MODEL}", MODEL)
    with pytest.raises(NotFound) as nowhere:
        service.locate_model_uri(BOB, "models:/m/1")
    assert nowhere.value.field == "model_uri"
    with pytest.raises(NotFound):
        service.locate_model_uri(BOB, "runs:/run_id/model")
    # A run id that is not the source's is refused with MLflow's words.
    run = service.tracking.create_run(ALICE, "0")
    with pytest.raises(InvalidParameter) as error:
        service.create_model_version(ALICE, "m", f"runs:/{run.info.run_id}/m", run_id=RUN)
    assert error.value.field == "run_id"
    assert error.value.message.startswith("Invalid model version source:")
    # A folder of our own store said to come from a run: the run must be ours.
    with pytest.raises(NotFound) as missing:
        service.create_model_version(ALICE, "m", "1/x/artifacts/m", run_id=RUN)
    assert missing.value.field == "run_id"


def test_a_version_can_be_copied_from_another_models_version(
    mlops_registry_service: RegistryService,
) -> None:
    """MLflow's copy_model_version registers ``models:/<name>/<version>`` as the source."""
    service = mlops_registry_service
    run_id = _setup(service)
    service.create_registered_model(BOB, "copy")
    copied = service.create_model_version(BOB, "copy", "models:/m/1")
    original = service.get_model_version(BOB, "m", "1")
    assert (copied.source, copied.storage_location, copied.run_id) == (
        "models:/m/1",
        original.storage_location,
        run_id,
    )
    with pytest.raises(NotFound) as error:
        service.create_model_version(BOB, "copy", "models:/m/9")
    assert error.value.field == "source"


def _setup(service: RegistryService) -> str:
    run_id = service.tracking.create_run(ALICE, "0").info.run_id
    service.create_registered_model(ALICE, "m")
    service.create_model_version(ALICE, "m", f"runs:/{run_id}/model")
    return run_id


def test_everyone_reads_and_creates_but_only_owner_and_admin_change(
    mlops_registry_service: RegistryService,
) -> None:
    service = mlops_registry_service
    run_id = _setup(service)
    service.set_registered_model_alias(ALICE, "m", "champion", "1")

    # Bob reads everything of Alice's model...
    assert service.get_registered_model(BOB, "m").owner == ALICE
    assert service.get_model_version(BOB, "m", "1").version == "1"
    assert service.get_model_version_by_alias(BOB, "m", "champion").version == "1"
    assert [m.name for m in service.search_registered_models(BOB).items] == ["m"]
    assert service.resolve_model_uri(BOB, "models:/m@champion").endswith("/model")
    # ...creates his own model, from Alice's run...
    service.create_registered_model(BOB, "bobs")
    assert service.create_model_version(BOB, "bobs", f"runs:/{run_id}/model").user_id == BOB
    # ...but changes nothing of hers.
    refused = [
        lambda: service.create_model_version(BOB, "m", f"runs:/{run_id}/model"),
        lambda: service.update_registered_model(BOB, "m", "mine now"),
        lambda: service.rename_registered_model(BOB, "m", "n"),
        lambda: service.set_registered_model_tag(BOB, "m", "k", "v"),
        lambda: service.delete_registered_model_tag(BOB, "m", "k"),
        lambda: service.update_model_version(BOB, "m", "1", "x"),
        lambda: service.set_model_version_tag(BOB, "m", "1", "k", "v"),
        lambda: service.delete_model_version_tag(BOB, "m", "1", "k"),
        lambda: service.set_registered_model_alias(BOB, "m", "champion", "1"),
        lambda: service.delete_registered_model_alias(BOB, "m", "champion"),
        lambda: service.transition_model_version_stage(BOB, "m", "1", "Production"),
        lambda: service.delete_model_version(BOB, "m", "1"),
        lambda: service.delete_registered_model(BOB, "m"),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    assert service.get_registered_model(ALICE, "m").description == ""
    # An admin may change and delete anyone's model.
    service.update_registered_model(ROOT, "m", "by root")
    service.delete_model_version(ROOT, "m", "1")
    service.delete_registered_model(ROOT, "m")
    with pytest.raises(NotFound):
        service.get_registered_model(ALICE, "m")


def test_logged_models_belong_to_their_creator(mlops_registry_service: RegistryService) -> None:
    service = mlops_registry_service
    logged = service.logged_models.create_logged_model(ALICE, "0", "model")
    assert service.logged_models.get_logged_model(BOB, logged.model_id).creator_id == ALICE
    for call in (
        lambda: service.logged_models.finalize_logged_model(BOB, logged.model_id, "READY"),
        lambda: service.logged_models.set_logged_model_tags(BOB, logged.model_id, {"k": "v"}),
        lambda: service.logged_models.log_logged_model_params(BOB, logged.model_id, {"k": "v"}),
        lambda: service.logged_models.delete_logged_model(BOB, logged.model_id),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert (
        service.logged_models.finalize_logged_model(ROOT, logged.model_id, "FAILED").status
        == "FAILED"
    )


def test_logged_models_need_an_active_experiment(mlops_registry_service: RegistryService) -> None:
    service = mlops_registry_service
    experiment = service.tracking.create_experiment(ALICE, "gone")
    service.tracking.delete_experiment(ALICE, experiment.experiment_id)
    with pytest.raises(InvalidState):
        service.logged_models.create_logged_model(ALICE, experiment.experiment_id, "model")
    with pytest.raises(NotFound):
        service.logged_models.create_logged_model(ALICE, "999", "model")
    # source_run_id is a reference, as in MLflow: any id MLflow accepts, ours or not.
    assert (
        service.logged_models.create_logged_model(
            ALICE, "0", "model", source_run_id="123"
        ).source_run_id
        == "123"
    )
    with pytest.raises(InvalidParameter) as error:
        service.logged_models.create_logged_model(ALICE, "0", "model", source_run_id="../x")
    assert error.value.field == "source_run_id"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s: s.create_registered_model(ALICE, ""), "name"),
        (lambda s: s.create_registered_model(ALICE, "a/b"), "name"),
        (lambda s: s.create_registered_model(ALICE, "x" * 257), "name"),
        (lambda s: s.create_registered_model(ALICE, 3), "name"),
        (lambda s: s.create_registered_model(ALICE, "n", tags={"": "v"}), "tags."),
        (lambda s: s.get_model_version(ALICE, "m", "one"), "version"),
        (lambda s: s.get_model_version(ALICE, "m", "0"), "version"),
        (lambda s: s.set_registered_model_alias(ALICE, "m", "latest", "1"), "alias"),
        (lambda s: s.set_registered_model_alias(ALICE, "m", "v2", "1"), "alias"),
        (lambda s: s.set_registered_model_alias(ALICE, "m", "a b", "1"), "alias"),
        (lambda s: s.search_registered_models(ALICE, max_results=0), "max_results"),
        (lambda s: s.search_registered_models(ALICE, max_results=1001), "max_results"),
        (lambda s: s.search_registered_models(ALICE, "name = 1"), "filter"),
        (lambda s: s.get_latest_versions(ALICE, "m", ["Prod"]), "stages[0]"),
        (lambda s: s.logged_models.get_logged_model(ALICE, "m.xyz"), "model_id"),
        (lambda s: s.logged_models.finalize_logged_model(ALICE, MODEL, "DONE"), "status"),
        (lambda s: s.logged_models.search_logged_models(ALICE, []), "experiment_ids"),
        (lambda s: s.resolve_model_uri(ALICE, "s3://x"), "model_uri"),
    ],
)
def test_bad_input_names_the_field(
    mlops_registry_service: RegistryService, call: object, field: str
) -> None:
    with pytest.raises(InvalidParameter) as error:
        call(mlops_registry_service)  # type: ignore[operator]
    assert error.value.field is not None and error.value.field.startswith(field)


def test_one_update_call_does_what_its_request_asks(
    mlops_registry_service: RegistryService,
) -> None:
    """The REST PATCHes are one call each: rename and re-describe together, re-describe and
    move a stage together, a bad value refused before anything changes."""
    service = mlops_registry_service
    _setup(service)
    renamed = service.update_registered_model(ALICE, "m", "churn", new_name="m2")
    assert (renamed.name, renamed.description) == ("m2", "churn")
    assert service.update_registered_model(BOB, "m2").name == "m2"  # nothing asked: a read
    with pytest.raises(InvalidParameter) as error:
        service.update_model_version(ALICE, "m2", "1", "first", stage="Prod")
    assert error.value.field == "stage"
    assert service.get_model_version(ALICE, "m2", "1").description == ""
    moved = service.update_model_version(ALICE, "m2", "1", "first", stage="staging")
    assert (moved.description, moved.current_stage) == ("first", "Staging")
    with pytest.raises(PermissionDenied):
        service.update_model_version(BOB, "m2", "1", stage="Production")
    assert service.set_registered_model_alias(ALICE, "m2", "champion", 1).version == "1"
    assert [v.version for v in service.list_model_versions(BOB, "m2", ["Staging"]).items] == ["1"]
    with pytest.raises(NotFound):
        service.list_model_versions(BOB, "ghost")
