"""One exception hierarchy for every domain module.

Domain code raises these and never imports tornado; the server's base handler maps them
to HTTP (``http_status`` and a JSON body with ``code``, ``message`` and ``field``), and the
MLflow-compatible layer maps ``code`` onto MLflow's error codes.
"""

from __future__ import annotations

import errno


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


class InsufficientStorage(MLOpsError):
    """The server could not store what it was given: its disk (artifact store, database,
    temporary files) is full, over quota or read-only. Nothing the caller can fix by
    changing the request, hence 507 rather than 4xx; never a bare 500 either."""

    code = "INSUFFICIENT_STORAGE"
    http_status = 507


# What each refusal of the operating system or the database amounts to, in words a user
# can pass on to the administrator. errno values are the OS's; SQLite's result codes are
# SQLITE_FULL (13) and SQLITE_READONLY (8), extended codes in the upper bits; PostgreSQL's
# SQLSTATEs are disk_full and read_only_sql_transaction.
_CAUSE_BY_ERRNO = {errno.ENOSPC: "no space left on device", errno.EROFS: "read-only file system"}
if hasattr(errno, "EDQUOT"):  # not on Windows
    _CAUSE_BY_ERRNO[errno.EDQUOT] = "disk quota exceeded"
_CAUSE_BY_SQLITE_CODE = {13: "database or disk is full", 8: "the database is read-only"}
_CAUSE_BY_SQLITE_MESSAGE = {
    "database or disk is full": "database or disk is full",
    "attempt to write a readonly database": "the database is read-only",
}
_CAUSE_BY_SQLSTATE = {"53100": "database disk is full", "25006": "the database is read-only"}


def storage_error(error: BaseException) -> InsufficientStorage | None:
    """The InsufficientStorage that ``error`` amounts to, or None when it is something else.

    Recognises OSError (ENOSPC, EDQUOT, EROFS) and the database's own refusals (SQLite's
    "database or disk is full" and "attempt to write a readonly database", PostgreSQL's
    disk_full and read_only_sql_transaction), also when wrapped (SQLAlchemy keeps the
    driver's error in ``orig``) or raised while handling one another (``__cause__``,
    ``__context__``). Paths are left out of the message: they describe the server, not the
    request.
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, InsufficientStorage):
            return current
        cause = _storage_cause(current)
        if cause is not None:
            return InsufficientStorage(
                f"The server could not store this: {cause}. Ask the server's administrator "
                "to free or enlarge its storage"
            )
        orig = getattr(current, "orig", None)
        pending.extend(
            (
                orig if isinstance(orig, BaseException) else None,
                current.__cause__,
                current.__context__,
            )
        )
    return None


def _storage_cause(error: BaseException) -> str | None:
    if isinstance(error, OSError) and error.errno in _CAUSE_BY_ERRNO:
        return _CAUSE_BY_ERRNO[error.errno]
    code = getattr(error, "sqlite_errorcode", None)  # sqlite3.Error since Python 3.11
    if isinstance(code, int) and code & 0xFF in _CAUSE_BY_SQLITE_CODE:
        return _CAUSE_BY_SQLITE_CODE[code & 0xFF]
    sqlstate = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if isinstance(sqlstate, str) and sqlstate in _CAUSE_BY_SQLSTATE:
        return _CAUSE_BY_SQLSTATE[sqlstate]
    if type(error).__module__ == "sqlite3":  # a build without sqlite_errorcode
        text = str(error)
        for message, cause in _CAUSE_BY_SQLITE_MESSAGE.items():
            if message in text:
                return cause
    return None
