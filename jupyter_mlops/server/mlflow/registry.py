"""MLflow's model-registry RPCs (``model_registry.proto``) and MLflow 3's logged models,
one function each, onto RegistryService."""

from __future__ import annotations

from typing import Any

from ...errors import InvalidParameter, NotFound
from ...registry.sources import is_stored_here
from ...registry.validation import MAX_REGISTRY_RESULTS, MAX_VERSION_RESULTS
from . import wire
from .call import Call


def _name(call: Call) -> str:
    name: str = call.fields.text("name", required=True)
    return name


def _version(call: Call) -> str:
    version: str = call.fields.text("version", required=True)
    return version


def _page_size(call: Call, default: int, limit: int) -> int:
    size: int = call.fields.integer("max_results", default)
    if size < 1:
        raise InvalidParameter("max_results must be positive", field="max_results")
    # MLflow's client asks for up to 200,000 versions at once; it follows page tokens.
    return min(size, limit)


# -- registered models --------------------------------------------------------------------
def create_registered_model(call: Call) -> dict[str, Any]:
    f = call.fields
    model = call.registry.create_registered_model(
        call.user, _name(call), f.text("description", ""), f.key_values("tags")
    )
    return {"registered_model": wire.registered_model_json(model)}


def get_registered_model(call: Call) -> dict[str, Any]:
    model = call.registry.get_registered_model(call.user, _name(call))
    return {"registered_model": wire.registered_model_json(model)}


def rename_registered_model(call: Call) -> dict[str, Any]:
    new_name = call.fields.text("new_name", required=True)
    model = call.registry.rename_registered_model(call.user, _name(call), new_name)
    return {"registered_model": wire.registered_model_json(model)}


def update_registered_model(call: Call) -> dict[str, Any]:
    model = call.registry.update_registered_model(
        call.user, _name(call), call.fields.text("description", "")
    )
    return {"registered_model": wire.registered_model_json(model)}


def delete_registered_model(call: Call) -> dict[str, Any]:
    call.registry.delete_registered_model(call.user, _name(call))
    return {}


def search_registered_models(call: Call) -> dict[str, Any]:
    f = call.fields
    page = call.registry.search_registered_models(
        call.user,
        filter_string=f.text("filter", ""),
        max_results=_page_size(call, 100, MAX_REGISTRY_RESULTS),
        order_by=f.str_list("order_by") or None,
        page_token=f.text("page_token"),
    )
    response: dict[str, Any] = {
        "registered_models": [wire.registered_model_json(m) for m in page.items]
    }
    if page.next_page_token:
        response["next_page_token"] = page.next_page_token
    return response


def get_latest_versions(call: Call) -> dict[str, Any]:
    versions = call.registry.get_latest_versions(
        call.user, _name(call), call.fields.str_list("stages") or None
    )
    return {"model_versions": [wire.model_version_json(v) for v in versions]}


def set_registered_model_tag(call: Call) -> dict[str, Any]:
    f = call.fields
    call.registry.set_registered_model_tag(
        call.user, _name(call), f.text("key", required=True), f.text("value", "")
    )
    return {}


def delete_registered_model_tag(call: Call) -> dict[str, Any]:
    name, key = _name(call), call.fields.text("key", required=True)
    try:
        call.registry.delete_registered_model_tag(call.user, name, key)
    except NotFound:
        # MLflow deletes a missing tag without a word; a missing model is still a 404.
        call.registry.get_registered_model(call.user, name)
    return {}


def set_registered_model_alias(call: Call) -> dict[str, Any]:
    f = call.fields
    call.registry.set_registered_model_alias(
        call.user, _name(call), f.text("alias", required=True), _version(call)
    )
    return {}


def delete_registered_model_alias(call: Call) -> dict[str, Any]:
    name, alias = _name(call), call.fields.text("alias", required=True)
    try:
        call.registry.delete_registered_model_alias(call.user, name, alias)
    except NotFound:
        # As MLflow: deleting an alias that is not there is done; a missing model is a 404.
        call.registry.get_registered_model(call.user, name)
    return {}


def get_model_version_by_alias(call: Call) -> dict[str, Any]:
    version = call.registry.get_model_version_by_alias(
        call.user, _name(call), call.fields.text("alias", required=True)
    )
    return {"model_version": wire.model_version_json(version)}


# -- model versions -----------------------------------------------------------------------
def create_model_version(call: Call) -> dict[str, Any]:
    f = call.fields
    version = call.registry.create_model_version(
        call.user,
        _name(call),
        f.text("source", required=True),
        run_id=f.text("run_id"),
        description=f.text("description", ""),
        tags=f.key_values("tags"),
        run_link=f.text("run_link"),
        model_id=f.text("model_id"),
        server_host=call.host,
    )
    return {"model_version": wire.model_version_json(version)}


def get_model_version(call: Call) -> dict[str, Any]:
    version = call.registry.get_model_version(call.user, _name(call), _version(call))
    return {"model_version": wire.model_version_json(version)}


def update_model_version(call: Call) -> dict[str, Any]:
    version = call.registry.update_model_version(
        call.user, _name(call), _version(call), call.fields.text("description", "")
    )
    return {"model_version": wire.model_version_json(version)}


def delete_model_version(call: Call) -> dict[str, Any]:
    call.registry.delete_model_version(call.user, _name(call), _version(call))
    return {}


def search_model_versions(call: Call) -> dict[str, Any]:
    f = call.fields
    page = call.registry.search_model_versions(
        call.user,
        filter_string=f.text("filter", ""),
        max_results=_page_size(call, MAX_VERSION_RESULTS, MAX_VERSION_RESULTS),
        order_by=f.str_list("order_by") or None,
        page_token=f.text("page_token"),
    )
    response: dict[str, Any] = {"model_versions": [wire.model_version_json(v) for v in page.items]}
    if page.next_page_token:
        response["next_page_token"] = page.next_page_token
    return response


def transition_model_version_stage(call: Call) -> dict[str, Any]:
    f = call.fields
    version = call.registry.transition_model_version_stage(
        call.user,
        _name(call),
        _version(call),
        f.text("stage", required=True),
        archive_existing=f.flag("archive_existing_versions"),
    )
    return {"model_version": wire.model_version_json(version)}


def get_model_version_download_uri(call: Call) -> dict[str, Any]:
    location = call.registry.get_model_version_download_uri(call.user, _name(call), _version(call))
    # A source recorded as given (a run or logged model we do not know, an object store)
    # is handed back as is, as MLflow does: its client resolves it.
    uri = wire.artifact_uri(location) if is_stored_here(location) else location
    return {"artifact_uri": uri}


def set_model_version_tag(call: Call) -> dict[str, Any]:
    f = call.fields
    call.registry.set_model_version_tag(
        call.user, _name(call), _version(call), f.text("key", required=True), f.text("value", "")
    )
    return {}


def delete_model_version_tag(call: Call) -> dict[str, Any]:
    name, version, key = _name(call), _version(call), call.fields.text("key", required=True)
    try:
        call.registry.delete_model_version_tag(call.user, name, version, key)
    except NotFound:
        # MLflow deletes a missing tag without a word; a missing version is still a 404.
        call.registry.get_model_version(call.user, name, version)
    return {}


# -- logged models (MLflow 3) -------------------------------------------------------------
def _model_id(call: Call) -> str:
    return call.path.get("model_id") or call.fields.text("model_id", required=True)


def create_logged_model(call: Call) -> dict[str, Any]:
    f = call.fields
    model = call.registry.logged_models.create_logged_model(
        call.user,
        f.text("experiment_id", required=True),
        f.text("name") or None,  # None: a generated name, as MLflow gives
        source_run_id=f.text("source_run_id"),
        tags=f.key_values("tags"),
        params=f.key_values("params"),
        model_type=f.text("model_type"),
    )
    return {"model": wire.logged_model_json(model)}


def get_logged_model(call: Call) -> dict[str, Any]:
    return {
        "model": wire.logged_model_json(
            call.registry.logged_models.get_logged_model(call.user, _model_id(call))
        )
    }


def finalize_logged_model(call: Call) -> dict[str, Any]:
    raw = call.fields.text("status", required=True)
    status = wire.LOGGED_MODEL_STATUS_FROM_MLFLOW.get(raw, raw)
    model = call.registry.logged_models.finalize_logged_model(call.user, _model_id(call), status)
    return {"model": wire.logged_model_json(model)}


def delete_logged_model(call: Call) -> dict[str, Any]:
    call.registry.logged_models.delete_logged_model(call.user, _model_id(call))
    return {}


def search_logged_models(call: Call) -> dict[str, Any]:
    f = call.fields
    if f.objects("datasets"):
        raise InvalidParameter("datasets are not supported by this server", field="datasets")
    order_by: list[str] = []
    for index, item in enumerate(f.objects("order_by")):
        name = item.get("field_name")
        if not isinstance(name, str) or not name:
            raise InvalidParameter(
                f"order_by[{index}].field_name must be a string", field=f"order_by[{index}]"
            )
        if item.get("dataset_name"):
            raise InvalidParameter(
                "ordering by dataset metrics is not supported", field=f"order_by[{index}]"
            )
        order_by.append(f"{name} {'ASC' if item.get('ascending', True) else 'DESC'}")
    page = call.registry.logged_models.search_logged_models(
        call.user,
        f.str_list("experiment_ids"),
        filter_string=f.text("filter", ""),
        max_results=_page_size(call, 50, MAX_REGISTRY_RESULTS),
        order_by=order_by or None,
        page_token=f.text("page_token"),
    )
    response: dict[str, Any] = {"models": [wire.logged_model_json(m) for m in page.items]}
    if page.next_page_token:
        response["next_page_token"] = page.next_page_token
    return response


def set_logged_model_tags(call: Call) -> dict[str, Any]:
    call.registry.logged_models.set_logged_model_tags(
        call.user, _model_id(call), call.fields.key_values("tags")
    )
    return {}


def delete_logged_model_tag(call: Call) -> dict[str, Any]:
    call.registry.logged_models.delete_logged_model_tag(
        call.user, _model_id(call), call.path["tag_key"]
    )
    return {}


def log_logged_model_params(call: Call) -> dict[str, Any]:
    call.registry.logged_models.log_logged_model_params(
        call.user, _model_id(call), call.fields.key_values("params")
    )
    return {}


def list_logged_model_artifacts(call: Call) -> dict[str, Any]:
    model = call.registry.logged_models.get_logged_model(call.user, _model_id(call))
    path = call.fields.text("artifact_directory_path", "")
    files = call.tracking.artifacts.list(model.artifact_location, path)
    return {
        "root_uri": wire.artifact_uri(model.artifact_location),
        "files": [wire.file_info_json(x) for x in files],
    }
