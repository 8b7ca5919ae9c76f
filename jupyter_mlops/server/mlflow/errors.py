"""Our errors as MLflow's: ``{"error_code": ..., "message": ...}`` with MLflow's statuses.

MLflow's client raises ``MlflowException`` with the body's ``error_code``, so users keep
catching what they catch against MLflow's server. The status matters for one more reason:
the client retries 408, 429 and 5xx for minutes, so nothing a caller can fix is ever 5xx.
MLflow itself answers ``INVALID_STATE`` with 500; we keep the code but answer 400.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from ...errors import (
    AlreadyExists,
    InsufficientStorage,
    InvalidParameter,
    InvalidState,
    MLOpsError,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
)

#: MLflow's HTTP status of each error code we send (mlflow/exceptions.py), 5xx aside.
STATUS_BY_CODE = {
    "INVALID_PARAMETER_VALUE": 400,
    "BAD_REQUEST": 400,
    "RESOURCE_ALREADY_EXISTS": 400,
    "INVALID_STATE": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "RESOURCE_DOES_NOT_EXIST": 404,
    "ENDPOINT_NOT_FOUND": 404,
    "REQUEST_LIMIT_EXCEEDED": 413,
    "NOT_IMPLEMENTED": 501,
    "INTERNAL_ERROR": 500,
    # A full or read-only disk: not in MLflow's table; 507, which its client does not retry.
    "IO_ERROR": 507,
}

_CODE_BY_TYPE: list[tuple[type[MLOpsError], str]] = [
    (InvalidParameter, "INVALID_PARAMETER_VALUE"),
    (NotFound, "RESOURCE_DOES_NOT_EXIST"),
    (AlreadyExists, "RESOURCE_ALREADY_EXISTS"),
    (InvalidState, "INVALID_STATE"),
    (PermissionDenied, "PERMISSION_DENIED"),
    (PayloadTooLarge, "REQUEST_LIMIT_EXCEEDED"),
    (InsufficientStorage, "IO_ERROR"),
]

#: tornado's own refusals (no exception of ours) by status.
CODE_BY_STATUS = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "ENDPOINT_NOT_FOUND",
    405: "ENDPOINT_NOT_FOUND",
    413: "REQUEST_LIMIT_EXCEEDED",
}


class NotImplementedByServer(MLOpsError):
    """An MLflow RPC this server does not offer (501: the client does not retry it)."""

    code = "NOT_IMPLEMENTED"
    http_status = 501


# -- MLflow's message texts -----------------------------------------------------------------
# Our services word their errors for our own API; where MLflow's client or its users match
# on MLflow's words ("not found", "already exists", "must be in the 'active' state", "No
# tag with name", "Changing param values is not allowed"), the message is said MLflow's way
# here. Each pattern matches one of our store's or service's texts exactly; values quoted
# there with repr() are read back with literal_eval.
_REPR = r"(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"


_DELETED_STATE = "must be in the 'active' state. Current state is deleted."


def _text(quoted: str) -> str:
    value = ast.literal_eval(quoted)
    return value if isinstance(value, str) else quoted


_MLFLOW_MESSAGES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"No run with id '(?P<id>[0-9a-f]+)'"),
        lambda m: f"Run with id={m['id']} not found",
    ),
    (
        re.compile(r"No experiment with id '(?P<id>[0-9]+)'"),
        lambda m: f"No Experiment with id={m['id']} exists",
    ),
    (
        re.compile(
            rf"experiment_id must be a decimal experiment id such as '0', got (?P<id>{_REPR})"
        ),
        lambda m: (
            f"Invalid experiment ID '{_text(m['id'])}'. Experiment ID must be a valid integer."
        ),
    ),
    (
        re.compile(rf"No experiment with name (?P<name>{_REPR})"),
        lambda m: f"Could not find experiment with name '{_text(m['name'])}'",
    ),
    (
        re.compile(rf"An experiment named (?P<name>{_REPR}) already exists"),
        lambda m: f"Experiment(name={_text(m['name'])}) already exists.",
    ),
    (
        re.compile(r"Run '(?P<id>[0-9a-f]+)' is deleted; restore it first"),
        lambda m: f"The run {m['id']} must be in the 'active' state. Current state is deleted.",
    ),
    (
        re.compile(r"Experiment '(?P<id>[0-9]+)' is deleted; restore it first"),
        lambda m: (
            f"The experiment {m['id']} must be in the 'active' state. Current state is deleted."
        ),
    ),
    (
        re.compile(rf"Run '(?P<id>[0-9a-f]+)' has no tag (?P<key>{_REPR})"),
        lambda m: f"No tag with name: {_text(m['key'])} in run with id {m['id']}",
    ),
    (
        re.compile(rf"Experiment '(?P<id>[0-9]+)' has no tag (?P<key>{_REPR})"),
        lambda m: f"No tag with name: {_text(m['key'])} in experiment with id {m['id']}",
    ),
    (
        re.compile(
            rf"Param (?P<key>{_REPR}) of run '(?P<id>[0-9a-f]+)' already has value "
            rf"(?P<old>{_REPR}); params cannot change \(tried (?P<new>{_REPR})\)"
        ),
        lambda m: (
            f"Changing param values is not allowed. Param with key='{_text(m['key'])}' was "
            f"already logged with value='{_text(m['old'])}' for run ID='{m['id']}'. "
            f"Attempted logging new value '{_text(m['new'])}'."
        ),
    ),
]


def mlflow_message(message: str) -> str | None:
    """MLflow's text for one of our messages that MLflow words its own way, else None."""
    for pattern, words in _MLFLOW_MESSAGES:
        match = pattern.fullmatch(message)
        if match is not None:
            return words(match)
    return None


def mlflow_error(error: MLOpsError) -> tuple[int, dict[str, str]]:
    """(HTTP status, MLflow error body) of one of our errors."""
    code = error.code
    for kind, mlflow_code in _CODE_BY_TYPE:
        if isinstance(error, kind):
            code = mlflow_code
            break
    status = STATUS_BY_CODE.get(code, error.http_status)
    if status >= 500 and code not in ("NOT_IMPLEMENTED", "IO_ERROR"):
        status, code = 500, "INTERNAL_ERROR"
    message = mlflow_message(error.message) or error.message
    if error.field and error.field not in message and message is error.message:
        message = f"{message} (field {error.field})"
    if code == "INVALID_STATE" and message.endswith(_DELETED_STATE):
        # MLflow calls a write to a deleted run or experiment a bad parameter (same 400).
        code = "INVALID_PARAMETER_VALUE"
    return status, {"error_code": code, "message": message}
