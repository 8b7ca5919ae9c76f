"""The route table of the native REST API, made from the OpenAPI document's operations
(``api/operations.py``).

Every path of the document is a route; nothing else is. A path whose operations bind to
service methods (``x-mlops`` on each operation) is served by a handler class made here,
one per path, from ``OperationHandler``. A path that streams (uploads, downloads, events,
logs) names its own handler class instead: ``x-mlops-handler: module:Class``, a class of
``server/handlers/``.

Patterns are relative to ``{base_url}``: ExtensionApp joins the server's base URL onto
each of them (one ``url_path_join`` for all). Ids are matched loosely (``[^/]+``) so that a
malformed id reaches the service and gets a JSON 400 naming the field instead of the
server's HTML 404. Parameters that may hold ``/`` (metric keys, file paths; declared
``x-mlops-greedy``) take the rest of the URL. Routes with fixed segments come before the
ones whose parameters would swallow them (``runs/search`` before ``runs/{run_id}``).
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from jupyter_server.utils import url_path_join
from tornado.web import RequestHandler

from ..api.operations import Operation, operations
from .operation_handler import OperationHandler, verb

API_PREFIX = "mlops/api"

_PARAMETER = re.compile(r"\{(\w+)\}")


def build_routes() -> list[tuple[str, type[RequestHandler]]]:
    """(pattern relative to API_PREFIX, handler) for every path, in matching order."""
    by_path: dict[str, dict[str, Operation]] = {}
    for operation in operations().values():
        by_path.setdefault(operation.path, {})[operation.method] = operation
    routes = [
        (_pattern(path, declared), _handler_class(path, declared))
        for path, declared in by_path.items()
    ]
    routes.sort(key=lambda route: _specificity(route[0]))
    return routes


def build_handlers() -> list[tuple[str, type[RequestHandler]]]:
    """The handlers to register, patterns anchored at the end (tornado anchors the start)."""
    return [(url_path_join(API_PREFIX, pattern) + "$", handler) for pattern, handler in ROUTES]


def _pattern(path: str, declared: dict[str, Operation]) -> str:
    greedy = {
        parameter.name
        for operation in declared.values()
        for parameter in operation.parameters
        if parameter.greedy
    }

    def group(match: re.Match[str]) -> str:
        name = match[1]
        return f"(?P<{name}>.+)" if name in greedy else f"(?P<{name}>[^/]+)"

    return _PARAMETER.sub(group, path.lstrip("/"))


def _specificity(pattern: str) -> tuple[int, ...]:
    """Sort key: per segment, fixed text first, then one-segment groups, then greedy ones."""
    return tuple(
        2 if ".+)" in part else 1 if part.startswith("(?P<") else 0 for part in pattern.split("/")
    )


def _handler_class(path: str, declared: dict[str, Operation]) -> type[RequestHandler]:
    custom = next(iter(declared.values())).handler
    if custom is not None:
        module, _, name = str(custom).partition(":")
        handler: type[RequestHandler] = getattr(
            importlib.import_module(f"{__package__}.handlers.{module}"), name
        )
        return handler
    name = "".join(part.capitalize() for part in re.split(r"\W+", path) if part) + "Handler"
    members: dict[str, Any] = {"operations": declared, "__module__": __name__}
    for method, operation in declared.items():
        members[method.lower()] = verb(operation)
    return type(name, (OperationHandler,), members)


#: (pattern relative to API_PREFIX, handler), in matching order.
ROUTES: list[tuple[str, type[RequestHandler]]] = build_routes()
