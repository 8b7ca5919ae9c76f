"""The one handler of declared operations: parse, check, call one service method, answer.

Every route whose operations are declared with an ``x-mlops.call`` (see
``jupyter_mlops.api.operations``) is served by a subclass of ``OperationHandler`` made by
``routes.py``; nothing here knows an operation by name. The request's path and query
parameters are read as their schemas type them, the JSON body's members are those of its
schema (others are refused, naming the member), renamed where the declaration says so,
and handed to the service as keyword arguments after the caller. The service validates
values and decides permissions; the handler only asks jupyter_server's Authorizer for the
operation's declared action first, as ``@authorized`` would.

Nothing else happens here: a choice between calls, a default that depends on another
member, a rule of any kind is the service's. What must stream (file uploads and downloads,
packed histories) is a hand-written handler class instead (``x-mlops-handler``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from jupyter_server.utils import ensure_async
from tornado import web

from ..api import codecs
from ..api.operations import Operation, Parameter
from ..errors import InvalidParameter, PermissionDenied
from ..tracking.entities import Page
from .handlers.base import (
    SETTING_NOTEBOOK_SERVICE,
    SETTING_PIPELINE_SERVICE,
    SETTING_REGISTRY_SERVICE,
    SETTING_SERVICE,
    SETTING_TOKEN_SERVICE,
    MlopsAPIHandler,
)

#: The settings key of each service an operation's ``call`` may name.
_SERVICE_SETTINGS = {
    "tracking": SETTING_SERVICE,
    "registry": SETTING_REGISTRY_SERVICE,
    "notebooks": SETTING_NOTEBOOK_SERVICE,
    "pipelines": SETTING_PIPELINE_SERVICE,
    "tokens": SETTING_TOKEN_SERVICE,
}


class OperationHandler(MlopsAPIHandler):
    """Serves the operations declared on one route (``operations``: method -> operation)."""

    operations: dict[str, Operation] = {}

    async def dispatch(self, operation: Operation, path_args: dict[str, str]) -> None:
        await self.check_permission(operation)
        arguments = self.arguments(operation, path_args)
        result = await self.call(operation, arguments)
        self.answer(operation, result)

    # -- the parts -------------------------------------------------------------------------
    async def check_permission(self, operation: Operation) -> None:
        """jupyter_server's Authorizer, asked for the operation's declared action; API
        tokens refused where the declaration says ``api_tokens: false``."""
        user = self.current_user
        if not user or not await ensure_async(
            self.authorizer.is_authorized(self, user, operation.permission, self.auth_resource)
        ):
            raise web.HTTPError(403)
        if not operation.api_tokens and self.scoped_token is not None:
            raise PermissionDenied(
                "API tokens cannot do this; sign in to JupyterLab instead",
                field="Authorization",
            )

    def arguments(self, operation: Operation, path_args: dict[str, str]) -> dict[str, Any]:
        """The service's keyword arguments: the parameters present, then the body members."""
        arguments: dict[str, Any] = {}
        for parameter in operation.parameters:
            if parameter.location == "path":
                arguments[parameter.argument] = path_args[parameter.name]
                continue
            value = self._query_value(parameter)
            if value is not None:
                arguments[parameter.argument] = value
            elif parameter.required:
                raise InvalidParameter(f"{parameter.name} is required", field=parameter.name)
        if operation.body_members is not None:
            body = self.json_body(operation.body_members)
            check_body(operation, body)
            for member, value in body.items():
                name = operation.argument(member)
                codec = operation.argument_codecs.get(name)
                arguments[name] = (
                    value if codec is None else codecs.argument_parser(codec)(value, member)
                )
        return arguments

    async def call(self, operation: Operation, arguments: dict[str, Any]) -> Any:
        """The operation's service method, off the IO loop, as the caller."""
        assert operation.service is not None and operation.method_name is not None
        method = getattr(self.service_named(operation.service), operation.method_name)
        # A required argument the request left out is None: the service's validation then
        # names the field, as for any other bad value.
        for name in _required_arguments(operation.id, method):
            arguments.setdefault(name, None)
        return await self.run(method, self.caller, **arguments)

    def service_named(self, name: str) -> Any:
        """The service an operation's ``call`` names (``tracking``, ``logged_models``...)."""
        if name == "logged_models":  # the registry's sub-domain, built with it
            return self.registry.logged_models
        return self.settings[_SERVICE_SETTINGS[name]]

    def answer(self, operation: Operation, result: Any) -> None:
        """The service's result in the declared shape, with the declared status."""
        declared = operation.result
        if declared is None:
            self.write_no_content()
            return
        encode = codecs.encoder(declared.codec)
        if declared.page:
            assert isinstance(result, Page) and declared.member is not None
            body: Any = {
                declared.member: [encode(item) for item in result.items],
                "next_page_token": result.next_page_token,
            }
        elif isinstance(result, list):
            items = [encode(item) for item in result]
            body = items if declared.member is None else {declared.member: items}
        else:
            body = encode(result) if declared.member is None else {declared.member: encode(result)}
        self.write_json(body, status=operation.status)

    def _query_value(self, parameter: Parameter) -> Any:
        if parameter.kind == "array":
            return self.query_list(parameter.name) or None
        raw = self.query_str(parameter.name)
        if raw is None:
            return None
        if parameter.kind == "integer":
            return self.query_optional_int(parameter.name)
        if parameter.kind == "number":
            try:
                return float(raw)
            except ValueError:
                raise InvalidParameter(
                    f"{parameter.name} must be a number, got {raw!r}", field=parameter.name
                ) from None
        if parameter.kind == "boolean":
            flag = raw.lower()
            if flag not in _TRUE + _FALSE:
                raise InvalidParameter(
                    f"{parameter.name} must be true or false, got {raw!r}", field=parameter.name
                )
            return flag in _TRUE
        return raw


_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")

#: JSON Schema type -> (the Python types a parsed JSON value of it has, how to say it).
_JSON_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "string": ((str,), "a string"),
    "object": ((dict,), "a JSON object"),
    "array": ((list,), "an array"),
    "boolean": ((bool,), "true or false"),
    "integer": ((int,), "an integer"),
    "number": ((int, float), "a number"),
}


def check_body(operation: Operation, body: dict[str, Any]) -> None:
    """The body has the members its schema requires, each of its schema's JSON type
    (null is left to the service, for which it often means "unset")."""
    for member in operation.body_required:
        if member not in body:
            raise InvalidParameter(f"{member} is required", field=member)
    for member, value in body.items():
        kind = operation.body_types.get(member)
        if value is None or kind not in _JSON_TYPES:
            continue
        accepted, said = _JSON_TYPES[kind]
        if not isinstance(value, accepted) or (isinstance(value, bool) and kind != "boolean"):
            raise InvalidParameter(f"{member} must be {said}", field=member)


_REQUIRED: dict[str, tuple[str, ...]] = {}


def _required_arguments(operation_id: str, method: Callable[..., Any]) -> tuple[str, ...]:
    """The bound service method's parameters without a default, after the user (read once
    per operation)."""
    required = _REQUIRED.get(operation_id)
    if required is None:
        parameters = list(inspect.signature(method).parameters.values())[1:]
        required = _REQUIRED[operation_id] = tuple(
            p.name
            for p in parameters
            if p.default is inspect.Parameter.empty
            and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        )
    return required


def verb(operation: Operation) -> Callable[..., Any]:
    """The tornado method serving ``operation`` (authenticated first, as every API call)."""

    async def serve(self: OperationHandler, **path_args: str) -> None:
        await self.dispatch(operation, path_args)

    serve.__name__ = serve.__qualname__ = operation.method.lower()
    serve.__doc__ = f"{operation.id}: {operation.method} {operation.path}"
    authenticated: Callable[..., Any] = web.authenticated(serve)
    return authenticated
