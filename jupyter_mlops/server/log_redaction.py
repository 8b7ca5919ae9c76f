"""No credential in any log line of the server process.

jupyter_server scrubs the query of the URI in its own access log line (keys containing
``token``, ``auth``, ``key``, ``code``, ``state``, ``xsrf``), but not the rest: tornado's
warnings and tracebacks name the raw URI (``403 GET /x?token=... (ip)``), a ``next=``
parameter carries a whole encoded URL with its query, our own lines and libraries' may show
an upstream URL, a command line (``--IdentityProvider.token=...``), an ``Authorization``
header or a database URL.

A ``logging.Filter`` would not do: attached to a logger it sees only records logged on
that very logger (not on its children, such as ``jupyter_mlops.notebooks.service``), and
attached to handlers it misses records that reach none (Python's last-resort handler) and
handlers added later. So the redaction runs where every record is made: in the logging
record factory, for every logger of the process. It costs one substring test per record,
and a rewrite of the few that hold a secret.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

SECRET = "[secret]"

# Query keys that name a credential (jupyter_server's list, and a few more).
_CREDENTIAL_KEY = r"[\w.\-]*?(?:token|auth|key|code|state|xsrf|password|passwd|secret|signature)"
# A value stops at the next parameter, also when the URL is itself percent-encoded.
_VALUE = r"(?:(?!%26|%23|%20)[^&#\s'\"<>])+"
_RULES = (
    # ?token=...  &access_token=...  and, encoded in another URL, %3Ftoken%3D...
    re.compile(rf"(?i)((?:[?&;]|%3F|%26){_CREDENTIAL_KEY}(?:=|%3D))({_VALUE})"),
    # --IdentityProvider.token=...  JUPYTER_TOKEN=...  token=... anywhere else
    re.compile(
        r"(?i)(\b[\w.\-]*(?:token|password|passwd|secret)(?:=|%3D))((?:(?!%26)[^&\s'\",;)])+)"
    ),
    # Authorization: token ...  'Authorization': 'Bearer ...'
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:token|bearer|basic)\s+)([^\s'\",}]+)"),
    # 'token': '...'  "password": "..."  (a dict or JSON in a message)
    re.compile(r"(?i)(['\"][\w.\-]*(?:token|password|passwd|secret)['\"]\s*:\s*['\"])([^'\"]+)"),
    # scheme://user:password@host
    re.compile(r"(?i)(\b[a-z][a-z0-9+.\-]*://[^/\s:@]+:)([^@\s/]+)(?=@)"),
    # our own API tokens, wherever they appear (see jupyter_mlops.auth)
    re.compile(r"(mlops_)([A-Za-z0-9_\-]{40,})"),
)
# Cheap pre-test: a record none of these occur in is left alone.
_HINTS = ("token", "auth", "key", "code", "state", "xsrf", "passw", "secret", "signature", "://")


def redact(text: str) -> str:
    """``text`` with every credential value replaced by ``[secret]``."""
    lower = text.lower()
    if not any(hint in lower for hint in _HINTS) and "mlops_" not in text:
        return text
    for rule in _RULES:
        text = rule.sub(lambda match: match.group(1) + SECRET, text)
    return text


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Rewrite ``record`` in place when its message, traceback or stack names a secret."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format: logging reports it when the record is emitted
        return record
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and not record.exc_text:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        clean = redact(text)
        if clean != text:
            # Formatters use exc_text as it is when it is set.
            record.exc_text = clean
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class _RedactingFactory:
    """The record factory in front of whichever one was installed before."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(self.inner(*args, **kwargs))


def install_log_redaction() -> bool:
    """Redact every log record of this process from now on; False if it already is."""
    current = logging.getLogRecordFactory()
    if isinstance(current, _RedactingFactory):
        return False
    logging.setLogRecordFactory(_RedactingFactory(current))
    return True


def remove_log_redaction() -> None:
    """Undo ``install_log_redaction`` (when nothing was installed on top of it since)."""
    current = logging.getLogRecordFactory()
    if isinstance(current, _RedactingFactory):
        logging.setLogRecordFactory(current.inner)
