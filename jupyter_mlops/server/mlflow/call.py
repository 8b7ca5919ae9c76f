"""Typed access to the fields of an MLflow request.

MLflow's client sends GET requests as a query string (the request message's JSON, one
key per field, repeated keys for lists) and everything else as a proto3-JSON body. Both
arrive here as one mapping; each getter converts and checks a field, raising
``InvalidParameter`` that names it. int64 fields are accepted as numbers or decimal
strings (proto3 JSON allows both), doubles as numbers or ``"NaN"``/``"Infinity"``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...errors import InvalidParameter

if TYPE_CHECKING:
    from ...registry.service import RegistryService
    from ...tracking.service import TrackingService

_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def parse_body(raw: bytes) -> dict[str, Any]:
    """A JSON object body ({} when empty)."""
    if not raw or raw.isspace():
        return {}
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidParameter(f"The request body is not valid JSON: {exc}", field="body") from None
    except RecursionError:  # nested a thousand deep: the decoder recurses per level
        raise InvalidParameter("The request body is nested too deeply", field="body") from None
    if not isinstance(document, dict):
        raise InvalidParameter("The request body must be a JSON object", field="body")
    return document


class Fields:
    """The fields of one request: a JSON body, or a query string (``from_query``)."""

    __slots__ = ("data", "from_query")

    def __init__(self, data: Mapping[str, Any], from_query: bool = False) -> None:
        self.data = data
        self.from_query = from_query

    def _raw(self, name: str) -> Any:
        value = self.data.get(name)
        if self.from_query and isinstance(value, list):
            return value[-1] if value else None
        return value

    def text(self, name: str, default: str | None = None, *, required: bool = False) -> Any:
        value = self._raw(name)
        if value is None or value == "":
            if required:
                raise InvalidParameter(f"Missing value for required parameter '{name}'", field=name)
            return default
        if not isinstance(value, str):
            raise invalid_value(name, value)
        return value

    def first_str(self, *names: str, required: bool = True) -> Any:
        """The first of several aliases that is set (``run_id`` or its old ``run_uuid``)."""
        for name in names:
            value = self.text(name)
            if value is not None:
                return value
        if required:
            raise InvalidParameter(
                f"Missing value for required parameter '{names[0]}'", field=names[0]
            )
        return None

    def integer(self, name: str, default: int | None = None, *, required: bool = False) -> Any:
        value = self._raw(name)
        if value is None or value == "":
            if required:
                raise InvalidParameter(f"Missing value for required parameter '{name}'", field=name)
            return default
        if type(value) is int:
            return value
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise invalid_value(name, value)

    def number(self, name: str, *, required: bool = False) -> Any:
        value = self._raw(name)
        if value is None:
            if required:
                raise InvalidParameter(f"Missing value for required parameter '{name}'", field=name)
            return None
        return to_float(value, name)

    def flag(self, name: str, default: bool = False) -> bool:
        value = self._raw(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise invalid_value(name, value)

    def str_list(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid_value(name, value)
        return [v for v in value if v != ""]

    def objects(self, name: str) -> list[dict[str, Any]]:
        """A repeated message field (a list of JSON objects)."""
        value = self.data.get(name)
        if value is None:
            return []
        if self.from_query:
            raise InvalidParameter(f"{name} cannot be given in a query string", field=name)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise invalid_value(name, value)
        return value

    def key_values(self, name: str) -> dict[str, str]:
        """``[{"key": k, "value": v}, ...]`` (tags, params) as a dict; the last value wins."""
        result: dict[str, str] = {}
        for index, item in enumerate(self.objects(name)):
            key = item.get("key")
            if not isinstance(key, str) or not key:
                raise InvalidParameter(
                    f"{name}[{index}].key must be a non-empty string", field=f"{name}[{index}].key"
                )
            value = item.get("value", "")
            if not isinstance(value, str):
                raise InvalidParameter(
                    f"{name}[{index}].value must be a string", field=f"{name}[{index}].value"
                )
            result[key] = value
        return result


def invalid_value(name: str, value: Any) -> InvalidParameter:
    """A field of the wrong type, in the words of MLflow's server (its tests and users
    match on them): the value as Python prints it, and its type."""
    return InvalidParameter(
        f"Invalid value {value} for parameter '{name}' supplied. Hint: Value was of type "
        f"'{type(value).__name__}'. See the API docs for more information about request "
        "parameters.",
        field=name,
    )


def to_float(value: Any, field: str) -> float:
    if type(value) is float:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        if value in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value]
        try:
            return float(value)
        except ValueError:
            pass
    raise invalid_value(field, value)


def to_int(value: Any, field: str, default: int) -> int:
    if value is None:
        return default
    if type(value) is int:
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise invalid_value(field, value)


class Call:
    """One MLflow RPC being served: the caller, its fields, the path's parts, the services.

    Endpoint functions take a Call and return the response's JSON object; they run in
    the extension's thread pool, so they may block on the store and the disk.
    """

    __slots__ = ("fields", "host", "path", "settings", "user")

    def __init__(
        self,
        user: str,
        fields: Fields,
        path: Mapping[str, str],
        settings: Mapping[str, Any],
        host: str = "",
    ) -> None:
        self.user = user
        self.fields = fields
        self.path = path
        self.settings = settings
        #: host[:port] the client reached us by (names us in mlflow-artifacts:// URIs)
        self.host = host

    @property
    def tracking(self) -> TrackingService:
        from ..handlers.base import SETTING_SERVICE

        service: TrackingService = self.settings[SETTING_SERVICE]
        return service

    @property
    def single_user(self) -> bool:
        """Whether this server is in single-user mode (one person behind every name)."""
        from ...processes.policy import UserMode
        from ..handlers.base import SETTING_USER_MODE

        return self.settings.get(SETTING_USER_MODE) is UserMode.SINGLE

    @property
    def registry(self) -> RegistryService:
        from ..handlers.base import SETTING_REGISTRY_SERVICE

        service: RegistryService = self.settings[SETTING_REGISTRY_SERVICE]
        return service
