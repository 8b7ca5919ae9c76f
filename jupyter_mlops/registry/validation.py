"""Shape checks of registry input: names, versions, aliases, stages, statuses (pure).

Each raises ``InvalidParameter`` naming the field. Tag keys, values, descriptions and
paging arguments reuse the tracking rules (:mod:`jupyter_mlops.tracking.validation`).
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import InvalidParameter
from ..tracking import validation as tv
from .entities import LoggedModelStatus, Stage
from .sources import LOGGED_MODEL_REFERENCE, RUN_REFERENCE

MAX_MODEL_NAME_LENGTH = 256
MAX_ALIAS_LENGTH = 255
MAX_RUN_LINK_LENGTH = 2000
MAX_STATUS_MESSAGE_LENGTH = 5000
MAX_MODEL_TYPE_LENGTH = 500
MAX_REGISTRY_RESULTS = 1000
#: MLflow's default page of model versions is unbounded in practice; ours is bounded.
MAX_VERSION_RESULTS = 10_000

_ALIAS = re.compile(r"[\w\-]+")
_VERSION_ALIAS = re.compile(r"v\d+", re.IGNORECASE)
_LOGGED_MODEL_ID = re.compile(r"m-[0-9a-f]{32}")


def validate_model_name(name: Any, field: str = "name") -> str:
    """A registered model name: 1-256 characters, no control characters, no ``/``
    (names are URL path segments and ``models:/<name>/<version>`` would be ambiguous)."""
    name = tv._require_text(name, field, MAX_MODEL_NAME_LENGTH, allow_control=False)
    if not name.strip():
        raise InvalidParameter(f"{field} must not be empty", field=field)
    if "/" in name:
        raise InvalidParameter(f"{field} must not contain '/'", field=field)
    return name


def validate_version(version: Any, field: str = "version") -> int:
    """A version number, given as an int or its decimal string (MLflow sends strings)."""
    if isinstance(version, str) and version.isascii() and version.isdigit() and len(version) < 10:
        number = int(version)
    elif type(version) is int:
        number = version
    else:
        # MLflow's text, which its users match on.
        raise InvalidParameter(
            f"Parameter '{field}' must be an integer, got '{version}'.", field=field
        )
    if not 1 <= number <= 2_000_000_000:
        raise InvalidParameter(
            f"Parameter '{field}' must be a positive integer, got '{version}'.", field=field
        )
    return number


def validate_alias(alias: Any, field: str = "alias") -> str:
    """MLflow's alias rules: letters, digits, ``_`` and ``-``; ``latest`` and ``v<n>``
    are reserved (they already mean something in ``models:/`` URIs)."""
    alias = tv._require_text(alias, field, MAX_ALIAS_LENGTH, allow_control=False)
    if not _ALIAS.fullmatch(alias):
        raise InvalidParameter(
            f"{field} must be letters, digits, '_' or '-', got {alias!r}", field=field
        )
    # MLflow's texts, which its users match on.
    if alias.lower() == "latest":
        raise InvalidParameter("'latest' alias name (case insensitive) is reserved.", field=field)
    if _VERSION_ALIAS.fullmatch(alias):
        raise InvalidParameter(f"Version alias name '{alias}' is reserved.", field=field)
    return alias


def validate_stage(stage: Any, field: str = "stage") -> Stage:
    """One of None, Staging, Production, Archived, in any letter case."""
    if isinstance(stage, Stage):
        return stage
    if isinstance(stage, str):
        for candidate in Stage:
            if candidate.value.lower() == stage.strip().lower():
                return candidate
    allowed = ", ".join(s.value for s in Stage)
    raise InvalidParameter(
        f"Invalid Model Version stage: {stage}. Value must be one of {allowed}.", field=field
    )


def validate_stages(stages: Any, field: str = "stages") -> list[Stage] | None:
    if stages is None:
        return None
    if isinstance(stages, str) or not isinstance(stages, (list, tuple)):
        raise InvalidParameter(f"{field} must be a list of stages", field=field)
    return [validate_stage(s, f"{field}[{i}]") for i, s in enumerate(stages)]


def validate_logged_model_status(status: Any, field: str = "status") -> LoggedModelStatus:
    """READY, FAILED or PENDING; MLflow's ``LOGGED_MODEL_*`` spellings are accepted too."""
    if isinstance(status, LoggedModelStatus):
        return status
    if isinstance(status, str):
        text = status.strip().upper()
        text = {"LOGGED_MODEL_UPLOAD_FAILED": "FAILED"}.get(text, text)
        text = text.removeprefix("LOGGED_MODEL_")
        for candidate in LoggedModelStatus:
            if candidate.value == text:
                return candidate
    allowed = ", ".join(s.value for s in LoggedModelStatus)
    raise InvalidParameter(f"{field} must be one of {allowed}, got {status!r}", field=field)


def validate_logged_model_id(model_id: Any, field: str = "model_id") -> str:
    if not isinstance(model_id, str) or not _LOGGED_MODEL_ID.fullmatch(model_id):
        raise InvalidParameter(
            f"{field} must be 'm-' and 32 lowercase hexadecimal characters, got {model_id!r}",
            field=field,
        )
    return model_id


def validate_run_reference(run_id: Any, field: str = "run_id") -> str:
    """A run id as MLflow accepts it (it may name a run of another server, or none):
    a letter or digit, then letters, digits, ``_`` or ``-``, at most 32 characters."""
    if not isinstance(run_id, str) or not RUN_REFERENCE.fullmatch(run_id):
        raise InvalidParameter(
            f"Invalid value {run_id!r} for parameter '{field}' supplied: a run id is a letter "
            "or digit, then letters, digits, '_' or '-', at most 32 characters",
            field=field,
        )
    return run_id


def validate_logged_model_reference(model_id: Any, field: str = "model_id") -> str:
    """A logged model id as MLflow accepts it (``m-<32 hex>`` for ours)."""
    if not isinstance(model_id, str) or not LOGGED_MODEL_REFERENCE.fullmatch(model_id):
        raise InvalidParameter(
            f"Invalid value {model_id!r} for parameter '{field}' supplied: a logged model id "
            "is a letter or digit, then letters, digits, '_' or '-', at most 34 characters",
            field=field,
        )
    return model_id


def validate_optional_text(value: Any, field: str, max_length: int) -> str | None:
    if value is None:
        return None
    return tv._require_text(value, field, max_length, allow_control=False)


def validate_description(value: Any, field: str = "description") -> str:
    if value is None:
        return ""
    return tv.validate_description(value, field)


def validate_max_results(value: Any, maximum: int, field: str = "max_results") -> int:
    return tv.validate_int(value, field, minimum=1, maximum=maximum)
