"""The extension itself: routes, the OpenAPI document, the caller, kernel environment."""

from __future__ import annotations

import asyncio
import os
import re
from typing import Any

import pytest
import yaml
from jupyter_server.auth.decorator import authorized
from openapi_core import OpenAPI
from openapi_core.exceptions import OpenAPIError
from openapi_core.testing import MockRequest, MockResponse
from openapi_spec_validator import validate
from server_support import ApiCall
from tornado import web

from jupyter_mlops.api import codecs
from jupyter_mlops.api.operations import CATALOGUE_PATH, Operation, catalogue_text, operations
from jupyter_mlops.auth.service import TokenService
from jupyter_mlops.config import SETTINGS_CLASSES
from jupyter_mlops.notebooks.service import NotebookService
from jupyter_mlops.pipelines.server.service import PipelineService
from jupyter_mlops.registry.logged_models.service import LoggedModelService
from jupyter_mlops.registry.service import RegistryService
from jupyter_mlops.server.extension import ENV_TOKEN, ENV_TRACKING_URI, OPENAPI_PATH, MlopsExtension
from jupyter_mlops.server.handlers.base import MlopsAPIHandler
from jupyter_mlops.server.operation_handler import OperationHandler
from jupyter_mlops.server.routes import API_PREFIX, ROUTES, build_handlers
from jupyter_mlops.tracking.service import TrackingService

_METHODS = ("get", "post", "put", "patch", "delete")
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
    return document


def test_the_openapi_document_is_valid() -> None:
    validate(_spec())


def test_the_operation_catalogue_is_the_documents() -> None:
    # The code reads operations.json, made from the document at build time.
    assert CATALOGUE_PATH.read_text(encoding="utf-8") == catalogue_text(_spec()), (
        "jupyter_mlops/api/operations.json is stale: run python -m jupyter_mlops.api.operations"
    )


def test_every_route_and_method_is_documented_and_nothing_else() -> None:
    documented = {
        (path, method)
        for path, item in _spec()["paths"].items()
        for method in item
        if method in _METHODS
    }
    implemented = {
        ("/" + _GROUP.sub(lambda m: "{" + m[1] + "}", pattern), method)
        for pattern, handler in ROUTES
        for method in _METHODS
        if method in vars(handler) or any(m.lower() == method for m in _declared(handler))
    }
    assert documented == implemented


def _declared(handler: type) -> dict[str, Operation]:
    return getattr(handler, "operations", {}) if issubclass(handler, OperationHandler) else {}


def test_the_route_table_is_anchored_and_every_method_is_guarded() -> None:
    for (pattern, handler), (full, same) in zip(ROUTES, build_handlers(), strict=True):
        assert same is handler
        assert full == f"{API_PREFIX}/{pattern}$"
        assert issubclass(handler, MlopsAPIHandler)
        assert handler.auth_resource == "mlops"
        for method in _METHODS:
            function = vars(handler).get(method)
            if function is None:
                continue
            # @web.authenticated wraps the method (a made one, or @authorized's wrapper):
            assert function.__wrapped__.__name__ == method, (handler, method)
            assert function.__code__ is not function.__wrapped__.__code__
            if method.upper() in _declared(handler):
                continue  # OperationHandler.dispatch asks the Authorizer (tested below)
            assert "authorized" in function.__wrapped__.__qualname__ or hasattr(
                function.__wrapped__, "__wrapped__"
            ), (handler, method)


def test_operations_bind_to_real_service_methods_and_codecs() -> None:
    services = {
        "tracking": TrackingService,
        "registry": RegistryService,
        "notebooks": NotebookService,
        "pipelines": PipelineService,
        "tokens": TokenService,
        "logged_models": LoggedModelService,
    }
    for operation in operations().values():
        if operation.call is not None:
            assert operation.service in services, operation.id
            assert callable(getattr(services[operation.service], operation.method_name, None)), (
                operation.id
            )
        if operation.result is not None and operation.result.codec is not None:
            assert operation.result.codec in codecs.names(), operation.id
            assert callable(codecs.encoder(operation.result.codec))
            assert callable(codecs.decoder(operation.result.codec))
        for codec in operation.argument_codecs.values():
            assert codec in codecs.argument_names(), operation.id
        # Every JSON route either binds its operations or names the class that serves it.
        handler = dict(ROUTES)[_GROUP_OF[operation.path]]
        assert operation.call or not issubclass(handler, OperationHandler)
    # The client runs each bound method through exactly one operation.
    calls = [op.call for op in operations().values() if op.call and op.client]
    assert len(calls) == len(set(calls))


_GROUP_OF = {
    "/" + _GROUP.sub(lambda m: "{" + m[1] + "}", pattern): pattern for pattern, _ in ROUTES
}


def test_fixed_segments_come_before_the_id_routes_that_would_swallow_them() -> None:
    patterns = [pattern for pattern, _ in ROUTES]
    assert patterns.index("runs/search") < patterns.index("runs/(?P<run_id>[^/]+)")
    assert patterns.index("runs/count") < patterns.index("runs/(?P<run_id>[^/]+)")
    assert patterns.index("pipelines/compile") < patterns.index("pipelines/(?P<pipeline_id>[^/]+)")
    # Keys and file paths take the rest of the URL; ids one segment.
    assert "runs/(?P<run_id>[^/]+)/metrics/(?P<key>.+)" in patterns
    assert "runs/(?P<run_id>[^/]+)/artifacts/(?P<path>.+)" in patterns


def test_the_response_validator_catches_a_drifting_response(mlops_openapi: OpenAPI) -> None:
    request = MockRequest("http://localhost", "get", "/mlops/api/me")
    with pytest.raises(OpenAPIError):
        mlops_openapi.validate_response(request, MockResponse(b'{"user": "x"}'))


async def test_the_document_is_served(mlops_api: ApiCall) -> None:
    response = await mlops_api("GET", "openapi.yaml")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/yaml")
    assert yaml.safe_load(response.body) == _spec()


async def test_with_the_shared_token_the_caller_is_the_default_user_and_admin(
    mlops_api: ApiCall,
) -> None:
    response = await mlops_api("GET", "me")
    assert response.json() == {"user": "owner", "is_admin": True, "mode": "single-user"}


async def test_kernels_inherit_the_tracking_uri_and_an_api_token_not_the_server_token(
    jp_serverapp: Any, mlops_api: ApiCall
) -> None:
    for _ in range(200):  # the export runs as an IOLoop callback once the loop turns
        if ENV_TOKEN in os.environ:
            break
        await asyncio.sleep(0.01)
    assert os.environ[ENV_TRACKING_URI] == jp_serverapp.connection_url
    assert os.environ[ENV_TRACKING_URI].endswith("/a%40b/")
    # Kernels act as the user through our APIs only: never with the server's own token.
    kernel_token = os.environ[ENV_TOKEN]
    assert kernel_token != jp_serverapp.identity_provider.token
    assert kernel_token.startswith("mlops_")
    me = await mlops_api(
        "GET", "me", headers={"Authorization": f"token {kernel_token}"}, auth=False
    )
    assert me.json()["user"] == "owner"


async def test_the_server_url_replaces_a_preset_one_and_shutdown_restores_it(
    jp_configurable_serverapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_TRACKING_URI, "sqlite:///elsewhere.db")
    app = jp_configurable_serverapp()
    await asyncio.sleep(0.05)
    assert os.environ[ENV_TRACKING_URI] == app.connection_url
    await app._cleanup()
    assert os.environ[ENV_TRACKING_URI] == "sqlite:///elsewhere.db"
    assert ENV_TOKEN not in os.environ


@pytest.mark.parametrize("mlops_extension_config", [{"export_kernel_environment": False}])
async def test_exporting_can_be_turned_off(jp_serverapp: Any) -> None:
    await asyncio.sleep(0.05)
    assert ENV_TRACKING_URI not in os.environ


def test_every_trait_has_a_real_help_text() -> None:
    traits = MlopsExtension.class_own_traits(config=True)
    for settings in SETTINGS_CLASSES:
        own = settings.class_own_traits(config=True)
        traits.update({f"{settings.__name__}.{name}": trait for name, trait in own.items()})
    assert set(traits) >= {
        "Tracking.store_uri",
        "Tracking.artifact_root",
        "admin_users",
        "default_user",
        "max_workers",
        "max_upload_bytes",
        "export_kernel_environment",
    }
    for name, trait in traits.items():
        assert len(trait.help.split()) >= 8, name


class _Unguarded(web.RequestHandler):
    async def get(self) -> None: ...


def test_the_guard_check_would_notice_a_missing_decorator() -> None:
    # The route-table test above relies on __wrapped__; make sure a bare method has none.
    assert not hasattr(vars(_Unguarded)["get"], "__wrapped__")
    assert hasattr(authorized(lambda self: None), "__wrapped__")
