"""Our errors as MLflow's: ``{"error_code": ..., "message": ...}`` with MLflow's statuses.

MLflow's client raises ``MlflowException`` with the body's ``error_code``, so users keep
catching what they catch against MLflow's server. The status matters for one more reason:
the client retries 408, 429 and 5xx for minutes, so nothing a caller can fix is ever 5xx.
MLflow itself answers ``INVALID_STATE`` with 500; we keep the code but answer 400.
"""

from __future__ import annotations

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
    message = error.message
    if error.field and error.field not in message:
        message = f"{message} (field {error.field})"
    return status, {"error_code": code, "message": message}
