"""The one HTTP session of the Python client, and calls of declared operations over it.

Every REST call the package makes (tracking, registry, pipelines, notebook servers) goes
through ``RestSession``: one pooled ``requests`` session per server, its retry policy, its
token, and one mapping of error answers to ``MLOpsError``. ``call`` runs a declared
operation (``jupyter_mlops.api.operations``) by its id: the method, the URL, which
argument goes in the path, the query or the body, and how to read the answer all come from
the declaration, so no client spells a route.

Safe retries only: connection failures (the request never reached the server) and
502/503/504 from a proxy for idempotent methods. A POST that may have been applied
(log_batch appends metrics) is never sent twice.
"""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..api import codecs
from ..api.operations import Operation, operation
from ..tracking.entities import FileInfo, Page
from .wire import error_from_response, file_info_from_json

_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_CHUNK_SIZE = 1 << 20

Params = Mapping[str, Any] | Sequence[tuple[str, Any]]


def _retry_policy() -> Retry:
    return Retry(
        total=4,
        connect=3,
        read=0,  # the server may have acted on the request: do not repeat it
        status=3,
        other=0,
        status_forcelist=(502, 503, 504),
        allowed_methods=_IDEMPOTENT_METHODS,
        backoff_factor=0.3,
        raise_on_status=False,
        respect_retry_after_header=True,
    )


def segment(value: str | int) -> str:
    """One path segment; "/" inside keys and names is encoded too (the routes take it)."""
    return quote(str(value), safe="")


class RestSession:
    """Requests to ``{base_url}mlops/api/`` with a jupyter (or mlops API) token."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 120.0,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.api_url = self.base_url + "mlops/api/"
        self._timeout = (connect_timeout, read_timeout)
        self._session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=8, max_retries=_retry_policy())
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers["User-Agent"] = "jupyter-mlops-client"
        if token:
            self._session.headers["Authorization"] = f"token {token}"
        # requests reads the proxy and CA-bundle variables (walking all of os.environ) and
        # ~/.netrc on every request, when the session trusts the environment: a good part
        # of a small request's cost. Read them once, now, for this server, then stop.
        # (Not trusting it also keeps a ~/.netrc entry from replacing the token header.)
        settings = self._session.merge_environment_settings(self.api_url, {}, None, None, None)
        self._session.proxies = settings["proxies"]
        self._session.verify = settings["verify"]
        self._session.trust_env = False

    # -- raw requests --------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Any = None,
        json_text: str | None = None,
        data: Any = None,
        stream: bool = False,
        headers: Mapping[str, str] | None = None,
        timeout: float | tuple[float, float] | None = None,
    ) -> requests.Response:
        """One request below the API prefix; an error answer raises its ``MLOpsError``."""
        all_headers = dict(headers or {})
        if body is not None:
            # allow_nan=False: a bare NaN would be invalid JSON; wire.encode_float spells it.
            json_text = json.dumps(body, allow_nan=False)
        if json_text is not None:
            data = json_text.encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        response = self._session.request(
            method,
            self.api_url + path,
            params=params,
            data=data,
            headers=all_headers,
            timeout=timeout or self._timeout,
            stream=stream,
        )
        if response.status_code >= 400:
            try:
                error_body = response.json()
            except ValueError:
                error_body = None
            finally:
                response.close()
            raise error_from_response(response.status_code, error_body, response.reason or "")
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """A request's JSON answer (None for an empty one)."""
        response = self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        # Bytes straight to json (it detects UTF-8): Response.json() would first decode a
        # (possibly multi-megabyte) body into a str.
        return json.loads(response.content)

    # -- files -----------------------------------------------------------------------------
    def upload_file(self, route: str, local_file: Path) -> FileInfo:
        """PUT ``local_file`` to an artifact route (a run's or a logged model's), streamed
        as the raw body with its Content-Length: never read whole."""
        with open(local_file, "rb") as source:
            answer = self.json(
                "PUT", route, data=source, headers={"Content-Type": "application/octet-stream"}
            )
        return file_info_from_json(answer["file"])

    def download_file(self, route: str, local_file: Path) -> None:
        """Stream the file at an artifact route into ``local_file`` (replaced whole, only
        once complete)."""
        partial = local_file.with_name(local_file.name + ".part")
        with self.request("GET", route, stream=True) as response:
            try:
                with open(partial, "wb") as sink:
                    for chunk in response.iter_content(_CHUNK_SIZE):
                        sink.write(chunk)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        os.replace(partial, local_file)

    # -- declared operations -------------------------------------------------------------
    def call(self, operation_id: str, arguments: Mapping[str, Any] | None = None) -> Any:
        """Run a declared operation with the service's arguments; its result decoded."""
        declared = operation(operation_id)
        path, params, body = wire_request(declared, arguments or {})
        answer = self.json(declared.method, path, params=params or None, body=body)
        return read_result(declared, answer)

    def close(self) -> None:
        self._session.close()


def wire_request(
    declared: Operation, arguments: Mapping[str, Any]
) -> tuple[str, list[tuple[str, Any]], dict[str, Any] | None]:
    """Where each argument goes: (path below the API prefix, query pairs, JSON body).

    Arguments that are None are left out, so that the server's default applies."""
    values = {
        name: _wire_value(value, declared.argument_codecs.get(name))
        for name, value in arguments.items()
        if value is not None
    }
    path = declared.path.lstrip("/")
    params: list[tuple[str, Any]] = []
    for parameter in declared.parameters:
        value = values.pop(parameter.argument, None)
        if parameter.location == "path":
            safe = "/" if parameter.name == "path" else ""
            text = str(value).lstrip("/") if parameter.name == "path" else str(value)
            path = path.replace("{" + parameter.name + "}", quote(text, safe=safe))
        elif value is not None:
            items = value if isinstance(value, list) else [value]
            params.extend((parameter.name, _query_text(item)) for item in items)
    if declared.body_members is None:
        if values:
            raise TypeError(f"{declared.id} takes no {sorted(values)}")
        return path, params, None
    members = {declared.argument(m): m for m in declared.body_members}
    unknown = set(values) - set(members)
    if unknown:
        raise TypeError(f"{declared.id} takes no {sorted(unknown)}")
    return path, params, {members[name]: value for name, value in values.items()}


def read_result(declared: Operation, answer: Any) -> Any:
    """The declared result of an answer, decoded into entities."""
    result = declared.result
    if result is None or answer is None:
        return None
    decode = codecs.decoder(result.codec)
    value = answer if result.member is None else answer[result.member]
    if result.page:
        return Page([decode(item) for item in value], answer.get("next_page_token"))
    if isinstance(value, list):
        return [decode(item) for item in value]
    return decode(value)


def _wire_value(value: Any, codec: str | None = None) -> Any:
    if codec is not None:
        return codecs.argument_writer(codec)(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _wire_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire_value(item) for item in value]
    return value


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
