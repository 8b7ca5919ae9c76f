"""Fixtures of the REST handler tests: a real jupyter server (pytest-jupyter) with the
extension on a temporary SQLite store, and ``mlops_api``, which calls the API and checks
every request/response pair against the OpenAPI document we ship."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from jupyter_server.utils import url_path_join
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from server_support import API, ApiCall, ApiResponse
from traitlets.config import Config

from jupyter_mlops.server.extension import ENV_TOKEN, ENV_TRACKING_URI, OPENAPI_PATH


@pytest.fixture(scope="session")
def mlops_openapi() -> OpenAPI:
    return OpenAPI.from_dict(yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8")))


@pytest.fixture
def mlops_identity_config() -> dict[str, Any]:
    """Extra ServerApp config for identity; tests of several users override it."""
    return {}


@pytest.fixture
def mlops_extension_config() -> dict[str, Any]:
    """Extra MlopsExtension traits; tests override it."""
    return {}


@pytest.fixture
def mlops_artifact_root(tmp_path: Path) -> Path:
    return tmp_path / "artifacts"


@pytest.fixture
def jp_server_config(
    tmp_path: Path,
    mlops_artifact_root: Path,
    mlops_identity_config: dict[str, Any],
    mlops_extension_config: dict[str, Any],
) -> Config:
    return Config(
        {
            "ServerApp": {
                # Terminals are off: not ours, and noisy without a shell.
                "jpserver_extensions": {"jupyter_mlops": True, "jupyter_server_terminals": False},
                "allow_unauthenticated_access": False,
                **mlops_identity_config,
            },
            "Tracking": {
                "store_uri": f"sqlite:///{tmp_path / 'store' / 'mlops.db'}",
                "artifact_root": str(mlops_artifact_root),
            },
            "MlopsExtension": {
                "default_user": "owner",
                "max_workers": 2,
                **mlops_extension_config,
            },
        }
    )


@pytest.fixture(autouse=True)
def mlops_kernel_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The extension exports these into os.environ; start without them and restore after."""
    monkeypatch.delenv(ENV_TRACKING_URI, raising=False)
    monkeypatch.delenv(ENV_TOKEN, raising=False)
    yield


# Paths whose last parameter may hold "/": the OpenAPI document says to send it as %2F.
_GREEDY_PARAMETER = re.compile(
    r"^(/mlops/api/(?:runs|experiments|logged-models)/[^/]+/(?:artifacts|metrics|tags)/)(.+)$"
)


def _spec_path(raw_path: str) -> str:
    match = _GREEDY_PARAMETER.match(raw_path)
    if match is None:
        return raw_path
    return match[1] + match[2].replace("/", "%2F")


@pytest.fixture
def mlops_api(
    jp_serverapp: Any,
    http_server_client: Any,
    jp_auth_header: dict[str, str],
    jp_base_url: str,
    mlops_openapi: OpenAPI,
) -> ApiCall:
    """``await mlops_api(method, path, json=..., params=..., body=..., headers=...)``.

    ``path`` is relative to ``{base_url}mlops/api`` and sent exactly as given (so tests
    can send ``..`` and percent-escapes). Every response is validated against the OpenAPI
    document, and so is the request of every 2xx answer. ``auth=False`` sends no token.
    """

    async def call(
        method: str,
        path: str,
        *,
        json: Any = None,
        body: bytes | None = None,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        validate: bool = True,
    ) -> ApiResponse:
        all_headers = {**(jp_auth_header if auth else {}), **(headers or {})}
        if json is not None:
            body = _dumps(json)
            all_headers.setdefault("Content-Type", "application/json")
        pairs = list(params.items()) if isinstance(params, Mapping) else list(params or [])
        query = urllib.parse.urlencode(pairs, doseq=True)
        url = url_path_join(jp_base_url, API, path) + (f"?{query}" if query else "")
        response = await http_server_client.fetch(
            url,
            method=method,
            headers=all_headers,
            body=body,
            raise_error=False,
            allow_nonstandard_methods=True,
            request_timeout=30,
        )
        result = ApiResponse(response.code, response.headers, response.body or b"")
        if validate:
            _validate(mlops_openapi, method, path, pairs, all_headers, body, result)
        return result

    return call


def _dumps(document: Any) -> bytes:
    return json.dumps(document).encode()


def _validate(
    spec: OpenAPI,
    method: str,
    path: str,
    query: list[tuple[str, Any]],
    headers: Mapping[str, str],
    body: bytes | None,
    response: ApiResponse,
) -> None:
    spec_path = _spec_path("/" + url_path_join(API, path).lstrip("/"))
    request = MockRequest(
        "http://localhost",
        method,
        spec_path,
        args=[(k, str(v)) for k, v in query],  # type: ignore[arg-type]
        headers=dict(headers),
        data=body,
        content_type=headers.get("Content-Type", "application/json"),
    )
    if 200 <= response.status < 300:
        spec.validate_request(request)
    if response.status == 200 and not response.body:
        # An empty artifact is a valid download, but openapi-core reads an empty body as
        # "no data" for a response that declares content; nothing else answers 200 empty.
        return
    content_type = response.headers.get("Content-Type", "")
    spec.validate_response(
        request,
        MockResponse(
            data=response.body,
            status_code=response.status,
            headers=dict(response.headers.get_all()),
            content_type=content_type.split(";")[0].strip() if content_type else "",
        ),
    )
