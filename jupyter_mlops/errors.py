"""One exception hierarchy for every domain module.

Domain code raises these and never imports tornado; the server's base handler maps them
to HTTP (``http_status`` and a JSON body with ``code``, ``message`` and ``field``), and the
MLflow-compatible layer maps ``code`` onto MLflow's error codes.
"""

from __future__ import annotations


class MLOpsError(Exception):
    """Base of every error we raise on purpose."""

    code = "INTERNAL_ERROR"
    http_status = 500

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, str]:
        body = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return body


class InvalidParameter(MLOpsError):
    """Bad input: a value of the wrong type, size or shape. ``field`` names it."""

    code = "INVALID_PARAMETER_VALUE"
    http_status = 400


class NotFound(MLOpsError):
    code = "RESOURCE_DOES_NOT_EXIST"
    http_status = 404


class AlreadyExists(MLOpsError):
    code = "RESOURCE_ALREADY_EXISTS"
    http_status = 409


class InvalidState(MLOpsError):
    """The target exists but is in a state that forbids the change (a deleted run, say)."""

    code = "INVALID_STATE"
    http_status = 409


class PermissionDenied(MLOpsError):
    code = "PERMISSION_DENIED"
    http_status = 403


class PayloadTooLarge(MLOpsError):
    code = "REQUEST_TOO_LARGE"
    http_status = 413
