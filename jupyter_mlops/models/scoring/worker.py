"""The scoring worker: one process that loads one model version and answers predictions.

The server never loads a model itself (a model is user code: ``python_model.pkl`` is a
cloudpickle, a flavour's loader is an import). :mod:`.pool` starts this module as
``python -m jupyter_mlops.models.scoring.worker`` with an environment built from an
allowlist, in its own private folder holding a copy of the model's files, and in
multi-user mode as the model owner's OS account. The worker:

1. loads the model, then reports on its report channel (its stdout, set aside before
   any model code runs; the model's own prints go to stderr) one JSON line:
   ``{"ready": true, "pid": ...}`` or ``{"error": {"type", "message", "status"?, "code"?,
   "field"?}}`` (and exits 1);
2. listens on a Unix socket in its private folder, a thread per connection, and answers
   each request with :func:`.invoke.invoke`, exactly as the in-process path did;
3. exits when its stdin closes (the server stopped or died), so that it never outlives
   the server.

Wire format, both directions a fixed header then bytes (big-endian):
request ``REQUEST_HEAD`` (content-type length u16, body length u64), content type (UTF-8;
empty for none), body; response ``RESPONSE_HEAD`` (HTTP status u16, length u64), then a
JSON document: ``{"predictions": ..., "model": {"name", "version"}}`` for 200, the error
(``{"code", "message", "field"?}``) otherwise.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import struct
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

REQUEST_HEAD = struct.Struct(">HQ")
RESPONSE_HEAD = struct.Struct(">HQ")

#: The longest error message reported (a traceback of a failed load can be long).
MAX_MESSAGE_CHARS = 4000

#: What a request answers when the worker itself fails (not the model, not the input):
#: the same as the server's own answer to an unexpected error.
INTERNAL_ERROR = {
    "code": "INTERNAL_ERROR",
    "message": "Internal server error; the server log has the details",
}

log = logging.getLogger("jupyter_mlops.scoring.worker")

Answer = Callable[[bytes, "str | None"], "tuple[int, bytes]"]


def encode(document: Any) -> bytes:
    """Strict JSON, as the server's own answers (no NaN tokens)."""
    return json.dumps(document, allow_nan=False, ensure_ascii=False).encode("utf-8")


def describe_error(error: BaseException) -> dict[str, Any]:
    """What the server needs to answer for a failed load: the error's type and message,
    and for our own errors their status, code and field."""
    from ...errors import MLOpsError

    described: dict[str, Any] = {"type": type(error).__name__}
    if isinstance(error, MLOpsError):
        described.update(status=error.http_status, **error.to_dict())
    else:
        described["message"] = str(error) or type(error).__name__
    described["message"] = str(described["message"])[:MAX_MESSAGE_CHARS]
    return described


def make_answer(model: Any, name: str, version: str) -> Answer:
    """The function that answers one request with ``model`` (blocking)."""
    from ...errors import MLOpsError
    from .invoke import invoke

    label = {"name": name, "version": version}

    def answer(body: bytes, content_type: str | None) -> tuple[int, bytes]:
        try:
            document = invoke(model, body, content_type)
            document["model"] = label
            return 200, encode(document)
        except MLOpsError as err:
            return err.http_status, encode(err.to_dict())
        except Exception:
            log.exception("jupyter-mlops: scoring worker failed on a request")
            return 500, encode(INTERNAL_ERROR)

    return answer


def serve_connection(connection: socket.socket, answer: Answer) -> None:
    """Answer requests on one connection until the server closes it."""
    with connection, connection.makefile("rb") as stream:
        while True:
            head = stream.read(REQUEST_HEAD.size)
            if len(head) < REQUEST_HEAD.size:
                return
            type_length, body_length = REQUEST_HEAD.unpack(head)
            content_type = stream.read(type_length).decode("utf-8") or None
            body = stream.read(body_length)
            if len(body) < body_length:
                return
            status, payload = answer(body, content_type)
            connection.sendall(RESPONSE_HEAD.pack(status, len(payload)) + payload)


def serve(listener: socket.socket, answer: Answer) -> None:
    """Accept connections forever (the server keeps a few open and reuses them)."""
    while True:
        connection, _ = listener.accept()
        threading.Thread(
            target=serve_connection, args=(connection, answer), name="scoring", daemon=True
        ).start()


def _exit_with_stdin(stdin: IO[bytes]) -> None:
    """The server holds our stdin: when it closes (stop, or the server died), exit at
    once, whatever the model's code does with signals or threads."""
    while stdin.read(65536):
        pass
    os.kill(os.getpid(), signal.SIGKILL)


def _take_report_channel() -> IO[str]:
    """Our stdout, kept for the one report line; fd 1 becomes a copy of stderr, so that
    whatever the model prints cannot be mistaken for the report, nor fill the pipe."""
    report = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    return report


def _load(folder: Path) -> Any:
    from ..flavors import load_predictor
    from ..mlmodel import MLModel
    from ..pyfunc_model import PyFuncModel

    mlmodel = MLModel.load(folder)
    return PyFuncModel(mlmodel, load_predictor(folder, mlmodel), folder)


def _listen(path: Path) -> socket.socket:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    os.chmod(path, 0o600)  # the folder is private already; the socket is too
    listener.listen(64)
    return listener


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jupyter_mlops.models.scoring.worker")
    parser.add_argument("--model", required=True, type=Path, help="the model folder")
    parser.add_argument("--socket", required=True, type=Path, help="where to listen")
    parser.add_argument("--name", required=True, help="the registered model's name")
    parser.add_argument("--version", required=True, help="the version's number")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    report = _take_report_channel()
    try:
        model = _load(args.model)
        listener = _listen(args.socket)
    except BaseException as err:  # the model's code may raise anything, even SystemExit
        traceback.print_exc()
        report.write(json.dumps({"error": describe_error(err)}) + "\n")
        report.close()
        return 1  # should a thread of the model's keep us alive, the server's SIGTERM ends us
    threading.Thread(
        target=_exit_with_stdin, args=(sys.stdin.buffer,), name="lifeline", daemon=True
    ).start()
    report.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    report.close()
    serve(listener, make_answer(model, args.name, args.version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
