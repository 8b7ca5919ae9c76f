"""The two views of a service a client works through: over REST, or in this process.

Both expose the service's methods without their first argument, the user:
- ``RestView``: each call is the operation that declares ``call: <service>.<method>``,
  run over the one ``RestSession`` as the token's owner; the arguments are bound by the
  signature of the client's interface (a Protocol), then placed by the declaration.
- ``BoundService``: the service object itself, each method bound to one user (the direct
  store transport: whoever can open the database is its local user, and an admin).

So a new operation costs its declaration, its service method and its line in the
interface; neither transport spells it again.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ..api.operations import operations_by_call
from .rest_session import RestSession


class RestView:
    """The methods of ``interface`` that ``services`` declare, as REST calls."""

    def __init__(self, session: RestSession, interface: type, services: tuple[str, ...]) -> None:
        self._session = session
        self._interface = interface
        self._services = services

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        declared = None
        for service in self._services:
            declared = operations_by_call().get(f"{service}.{name}")
            if declared is not None:
                break
        method = getattr(self._interface, name, None)
        if declared is None or method is None:
            raise AttributeError(f"no operation declares {name!r} for {self._services}")
        signature = inspect.signature(method)
        operation_id, session = declared.id, self._session

        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(None, *args, **kwargs)  # None: the interface's self
            arguments = dict(list(bound.arguments.items())[1:])
            return session.call(operation_id, arguments)

        setattr(self, name, call)  # built once per name
        return call


class BoundService:
    """``services``' public methods with ``user`` bound as their first argument."""

    def __init__(self, user: str, *services: object) -> None:
        self._user = user
        self._services = services

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        for service in self._services:
            method = getattr(service, name, None)
            if callable(method):
                bound = functools.partial(method, self._user)
                setattr(self, name, bound)
                return bound
        raise AttributeError(name)
