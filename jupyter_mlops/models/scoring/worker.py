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

On Kubernetes (:mod:`.kube_launcher`) the worker runs in a pod instead: ``--model-uri``
downloads the version's files through the server's API (with the owner's token from
``JUPYTER_MLOPS_TOKEN``), ``--listen tcp:HOST:PORT`` listens on TCP, and every connection
must first send the pod's shared secret (``JUPYTER_MLOPS_SCORING_SECRET``) as a
``SECRET_HEAD`` frame (length u16, then the secret); a connection that does not is
closed unanswered. The pod's life is the server's to end (it deletes the pod): no stdin.

Wire format, both directions a fixed header then bytes (big-endian):
request ``REQUEST_HEAD`` (content-type length u16, body length u64), content type (UTF-8;
empty for none), body; response ``RESPONSE_HEAD`` (HTTP status u16, length u64), then a
JSON document: ``{"predictions": ..., "model": {"name", "version"}}`` for 200, the error
(``{"code", "message", "field"?}``) otherwise.
"""

from __future__ import annotations

import argparse
import hmac
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
SECRET_HEAD = struct.Struct(">H")

#: Where a TCP worker reads the secret every connection must start with.
ENV_SECRET = "JUPYTER_MLOPS_SCORING_SECRET"
#: Seconds a new connection gets to send the secret (a probe that says nothing is dropped).
SECRET_TIMEOUT_S = 10.0

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


def frame_secret(secret: bytes) -> bytes:
    """The first frame of a connection to a TCP worker."""
    return SECRET_HEAD.pack(len(secret)) + secret


def _admitted(connection: socket.socket, stream: IO[bytes], secret: bytes) -> bool:
    """Whether the connection starts with the shared secret (compared in constant time).
    One that sends nothing (the kubelet's readiness probe) is dropped without a word."""
    connection.settimeout(SECRET_TIMEOUT_S)
    try:
        head = stream.read(SECRET_HEAD.size)
        if not head:
            return False
        given = stream.read(SECRET_HEAD.unpack(head)[0]) if len(head) == SECRET_HEAD.size else b""
    except OSError:
        given = b""
    if not hmac.compare_digest(given, secret):
        log.warning("jupyter-mlops: refused a connection without the shared secret")
        return False
    connection.settimeout(None)
    return True


def serve_connection(
    connection: socket.socket, answer: Answer, secret: bytes | None = None
) -> None:
    """Answer requests on one connection until the server closes it; with ``secret``,
    only when the connection starts with it."""
    with connection, connection.makefile("rb") as stream:
        if secret is not None and not _admitted(connection, stream, secret):
            return
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


def serve(listener: socket.socket, answer: Answer, secret: bytes | None = None) -> None:
    """Accept connections forever (the server keeps a few open and reuses them)."""
    while True:
        connection, _ = listener.accept()
        threading.Thread(
            target=serve_connection,
            args=(connection, answer, secret),
            name="scoring",
            daemon=True,
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


def parse_listen(value: str) -> tuple[str, int]:
    """(host, port) of ``tcp:HOST:PORT``."""
    scheme, _, rest = value.partition(":")
    host, _, port = rest.rpartition(":")
    if scheme != "tcp" or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected tcp:HOST:PORT, got {value!r}")
    return host, int(port)


def _listen_tcp(address: tuple[str, int]) -> socket.socket:
    return socket.create_server(address, backlog=64)


def _download(uri: str) -> Path:
    """The model at ``uri``, fetched through the server's API with the environment's
    token, which is then dropped: the model's code never sees it."""
    from ...client import MlopsClient
    from ..uris import download_model

    with MlopsClient() as client:
        folder, _ = download_model(uri, client)
    os.environ.pop("JUPYTER_MLOPS_TOKEN", None)
    return folder


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m jupyter_mlops.models.scoring.worker")
    model = parser.add_mutually_exclusive_group(required=True)
    model.add_argument("--model", type=Path, help="the model folder")
    model.add_argument("--model-uri", help="models:/NAME/VERSION, downloaded from the server")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--socket", type=Path, help="the Unix socket to listen on")
    where.add_argument("--listen", type=parse_listen, help=f"tcp:HOST:PORT (needs ${ENV_SECRET})")
    parser.add_argument("--name", required=True, help="the registered model's name")
    parser.add_argument("--version", required=True, help="the version's number")
    args = parser.parse_args(argv)
    secret = os.environ.pop(ENV_SECRET, "")  # out of the model's sight
    if args.listen is not None and not secret:
        parser.error(f"--listen needs the shared secret in ${ENV_SECRET}")
    args.secret = secret.encode("utf-8") if args.listen is not None else None
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    report = _take_report_channel()
    try:
        folder = args.model if args.model is not None else _download(args.model_uri)
        model = _load(folder)
        listener = _listen(args.socket) if args.socket else _listen_tcp(args.listen)
    except BaseException as err:  # the model's code may raise anything, even SystemExit
        traceback.print_exc()
        report.write(json.dumps({"error": describe_error(err)}) + "\n")
        report.close()
        return 1  # should a thread of the model's keep us alive, the server's SIGTERM ends us
    if args.socket is not None:  # a pod has no server holding its stdin
        threading.Thread(
            target=_exit_with_stdin, args=(sys.stdin.buffer,), name="lifeline", daemon=True
        ).start()
    report.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    report.close()
    serve(listener, make_answer(model, args.name, args.version), args.secret)
    return 0


if __name__ == "__main__":
    sys.exit(main())
