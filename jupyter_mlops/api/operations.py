"""The operations of the native REST API, read from their one declaration.

Each operation is declared once, in the OpenAPI document ``server/openapi.yaml``: its
name (``operationId``), route and method, parameters, request and response schemas, and,
under the ``x-mlops`` extension key, how it binds to our code::

    x-mlops:
      call: tracking.create_experiment   # the service method: called (caller, **arguments)
      result: {member: experiment, codec: experiment}
      rename: {filter: filter_string}    # wire name -> argument name, where they differ
      arguments: {metrics: metrics}      # arguments that are entities: their codec
      permission: read                   # jupyter_server authorizer action (default: by method)

The document is read at build time, not at run time: parsing 2,700 lines of YAML costs
over half a second, and the step runner in a pod must start fast without PyYAML.
``python -m jupyter_mlops.api.operations`` writes what the code needs of it, the catalogue
``operations.json`` beside this module, and a test fails when the catalogue is stale.

From that one declaration come the server's routes and their generic handlers
(``server/operation_handler.py``), the OpenAPI document clients read, the Python REST
client (``client/rest_session.py``) and the TypeScript types (``src/generated/``). This is the
spec-first style of connexion and of OpenAPI generators, chosen because the document was
already the most complete description of the API: one place to change, and a test
(``tests/server/test_api_meta.py``) proves every route, parameter and response against it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DOCUMENT_PATH = Path(__file__).parent.parent / "server" / "openapi.yaml"
CATALOGUE_PATH = Path(__file__).with_name("operations.json")

#: What an operation asks of jupyter_server's Authorizer when its declaration is silent:
#: the action jupyter_server's own ``@authorized`` derives from the HTTP method.
_DEFAULT_PERMISSION = {"GET": "read", "HEAD": "read", "OPTIONS": "read"}
_METHODS = ("get", "put", "post", "patch", "delete")


@dataclass(frozen=True)
class Parameter:
    """A path or query parameter and the argument of the service method it feeds."""

    name: str
    location: str  # "path" | "query"
    kind: str  # the JSON Schema type: "string", "integer", "number", "boolean", "array"
    argument: str
    greedy: bool = False  # a path parameter that may hold "/" (metric keys, file paths)
    required: bool = False


@dataclass(frozen=True)
class Result:
    """Where the service's return value goes in the response body."""

    member: str | None = None  # {member: value}; None: the value is the body
    codec: str | None = None  # how to encode/decode the value (``api.codecs``); None: as is
    page: bool = False  # a Page: {member: [items], next_page_token}


@dataclass(frozen=True)
class Operation:
    """One operation of the native REST API, as its declaration states it."""

    id: str
    method: str  # upper case
    path: str  # OpenAPI template below the API prefix, "/experiments/{experiment_id}"
    permission: str
    parameters: tuple[Parameter, ...]
    body_members: tuple[str, ...] | None  # a JSON body's allowed members; None: no JSON body
    status: int  # the status of success
    call: str | None = None  # "tracking.create_experiment"
    result: Result | None = None  # None: nothing (204)
    renames: Mapping[str, str] = field(default_factory=dict)
    api_tokens: bool = True  # False: only a signed-in user (tokens cannot mint tokens)
    #: Arguments that are entities, with their argument codec (``api.codecs``): parsed
    #: from the body's JSON on the server, written as JSON by the client.
    argument_codecs: Mapping[str, str] = field(default_factory=dict)
    #: Whether the Python client calls ``call`` through this operation (where two
    #: operations bind one method, e.g. a search by GET and by POST, one is the client's).
    client: bool = True
    #: The JSON body's members its schema requires, and each member's JSON type where the
    #: schema gives one ("string", "object", ...): checked before the service is called.
    body_required: tuple[str, ...] = ()
    body_types: Mapping[str, str] = field(default_factory=dict)
    #: The hand-written handler class serving this operation's path (``module:Class`` of
    #: ``server/handlers/``; ``x-mlops-handler`` on the path), for what must stream.
    handler: str | None = None

    @property
    def service(self) -> str | None:
        return None if self.call is None else self.call.split(".", 1)[0]

    @property
    def method_name(self) -> str | None:
        return None if self.call is None else self.call.split(".", 1)[1]

    def argument(self, member: str) -> str:
        """The service argument a body member feeds."""
        return self.renames.get(member, member)


def document() -> dict[str, Any]:
    """The OpenAPI document (parsed on each call: for the build and the tests)."""
    import yaml  # only where the document itself is read

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    parsed: dict[str, Any] = yaml.load(DOCUMENT_PATH.read_text(encoding="utf-8"), loader)
    return parsed


def operations_of(spec: Mapping[str, Any]) -> dict[str, Operation]:
    """Every operation the document declares, by ``operationId``, in the document's order."""
    found: dict[str, Operation] = {}
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in _METHODS:
            if method in item:
                operation = _operation(spec, path, method.upper(), item[method], shared)
                operation = dataclasses.replace(operation, handler=item.get("x-mlops-handler"))
                found[operation.id] = operation
    return found


@functools.cache
def operations() -> dict[str, Operation]:
    """Every operation by its ``operationId``, from the catalogue."""
    entries = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    return {entry["id"]: _from_json(entry) for entry in entries}


def catalogue_text(spec: Mapping[str, Any]) -> str:
    """The catalogue of the document's operations, as ``operations.json`` holds it."""
    entries = [dataclasses.asdict(op) for op in operations_of(spec).values()]
    return json.dumps(entries, indent=1, sort_keys=True) + "\n"


def _from_json(entry: dict[str, Any]) -> Operation:
    fields = dict(entry)
    fields["parameters"] = tuple(Parameter(**p) for p in entry["parameters"])
    if entry["body_members"] is not None:
        fields["body_members"] = tuple(entry["body_members"])
    if entry["result"] is not None:
        fields["result"] = Result(**entry["result"])
    return Operation(**fields)


@functools.cache
def operations_by_call() -> dict[str, Operation]:
    """The operations that bind to a service method, by ``service.method``."""
    return {op.call: op for op in operations().values() if op.call is not None and op.client}


def operation(operation_id: str) -> Operation:
    return operations()[operation_id]


def _operation(
    spec: Mapping[str, Any], path: str, method: str, declared: dict[str, Any], shared: list[Any]
) -> Operation:
    binding: dict[str, Any] = declared.get("x-mlops", {})
    renames: dict[str, str] = dict(binding.get("rename", {}))
    raw_parameters = [*shared, *declared.get("parameters", [])]
    parameters = tuple(_parameter(_resolve(spec, raw), renames) for raw in raw_parameters)
    result = binding.get("result")
    return Operation(
        id=declared["operationId"],
        method=method,
        path=path,
        permission=binding.get("permission", _DEFAULT_PERMISSION.get(method, "write")),
        parameters=parameters,
        body_members=_body_members(spec, method, declared),
        body_required=tuple(_body_schema(spec, declared).get("required", ())),
        body_types=_body_types(spec, declared),
        status=min(int(code) for code in declared["responses"] if str(code).startswith("2")),
        call=binding.get("call"),
        result=None if result is None else Result(**result),
        renames=renames,
        api_tokens=binding.get("api_tokens", True),
        argument_codecs=dict(binding.get("arguments", {})),
        client=binding.get("client", True),
    )


def _parameter(raw: dict[str, Any], renames: Mapping[str, str]) -> Parameter:
    schema = raw.get("schema", {})
    # x-mlops-type: how to read a parameter whose schema is looser (a flag given as text).
    kind = raw.get("x-mlops-type") or schema.get("type", "string")
    # Renames are for query parameters and body members: a path parameter names the
    # resource, and a body member of the same name (a new name) may be renamed apart.
    name = raw["name"]
    argument = renames.get(name, name) if raw["in"] == "query" else name
    greedy, required = bool(raw.get("x-mlops-greedy")), bool(raw.get("required"))
    return Parameter(name, raw["in"], kind, argument, greedy, required)


def _body_members(
    spec: Mapping[str, Any], method: str, declared: dict[str, Any]
) -> tuple[str, ...] | None:
    """The members a JSON body may have: its schema's properties; () where a POST or
    PATCH declares no body (an empty ``{}`` is still accepted); None for uploads and for
    methods without a body."""
    body = declared.get("requestBody")
    if body is None:
        return () if method in ("POST", "PATCH", "PUT") else None
    if "application/json" not in body.get("content", {}):
        return None
    return tuple(_body_schema(spec, declared).get("properties", {}))


def _body_schema(spec: Mapping[str, Any], declared: dict[str, Any]) -> dict[str, Any]:
    """The JSON body's schema, its ``allOf`` parts merged ({} without a JSON body)."""
    content = declared.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return {"properties": {}, "required": []}
    schema = _resolve(spec, content["application/json"].get("schema", {}))
    properties = dict(schema.get("properties", {}))
    required = list(schema.get("required", []))
    for part in schema.get("allOf", []):
        resolved = _resolve(spec, part)
        properties.update(resolved.get("properties", {}))
        required.extend(resolved.get("required", []))
    return {"properties": properties, "required": required}


def _body_types(spec: Mapping[str, Any], declared: dict[str, Any]) -> dict[str, str]:
    """Each body member's JSON type, where its schema names exactly one."""
    types = {}
    for member, schema in _body_schema(spec, declared)["properties"].items():
        kind = _resolve(spec, schema).get("type")
        if isinstance(kind, str):
            types[member] = kind
    return types


def _resolve(spec: Mapping[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (``#/components/...``) to what it names."""
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


if __name__ == "__main__":  # python -m jupyter_mlops.api.operations: rewrite the catalogue
    CATALOGUE_PATH.write_text(catalogue_text(document()), encoding="utf-8")
    print(f"wrote {CATALOGUE_PATH}", file=sys.stderr)
