"""The ``jupyter-mlops`` command (also ``jupyter mlops``): ``serve`` a model over HTTP,
``sync`` the metric points a killed process left in its spool.

    jupyter mlops serve models:/churn@champion --port 5000
    jupyter mlops sync

The tracking server comes from ``--tracking-uri`` (and ``--token``), else from
``JUPYTER_MLOPS_TRACKING_URI`` / ``JUPYTER_MLOPS_TOKEN``, else the embedded local store.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

from .errors import InvalidParameter, MLOpsError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter-mlops", description="jupyter-mlops command-line tools."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="Serve a model with MLflow's scoring protocol (/invocations, /ping, /health).",
        description="Serve a model with MLflow's scoring protocol.",
    )
    serve.add_argument(
        "model_uri",
        help="models:/<name>@<alias>, models:/<name>/<version>, runs:/<run_id>/<path> "
        "or a local model folder",
    )
    serve.add_argument("--port", "-p", type=int, default=5000, help="Port (0: any free port).")
    serve.add_argument("--host", "-H", default="127.0.0.1", help="Interface to listen on.")
    serve.add_argument(
        "--tracking-uri",
        default=None,
        help="Tracking server (http(s)://host:port/) or store URI the model is fetched from "
        "(default: $JUPYTER_MLOPS_TRACKING_URI).",
    )
    serve.add_argument("--token", default=None, help="Token of the tracking server.")
    serve.add_argument("--workers", type=int, default=4, help="Threads that run predictions.")
    sync = commands.add_parser(
        "sync",
        help="Store the metric points that killed processes left in their spools.",
        description="Store, exactly once, the metric points that processes killed before "
        "writing them left in their spools (see docs/python-api.md, 'When a process ends').",
    )
    sync.add_argument(
        "--tracking-uri",
        default=None,
        help="Only the spools of this server or store (default: $JUPYTER_MLOPS_TRACKING_URI, "
        "else the embedded store). With --all, every spool goes to the URI it names.",
    )
    sync.add_argument("--token", default=None, help="Token of the tracking server.")
    sync.add_argument("--all", action="store_true", help="Spools of every tracking URI.")
    sync.add_argument(
        "--spool-dir", default=None, help="Spool folder (default: $JUPYTER_MLOPS_SPOOL_DIR)."
    )
    return parser


def sync(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .client import MlopsClient
    from .client.spool_replay import ReplayReport, orphaned_spools, read_header, replay_spool
    from .client.uri import resolve_tracking_uri

    directory = Path(args.spool_dir).expanduser() if args.spool_dir else None
    uri, token = resolve_tracking_uri(args.tracking_uri, args.token)
    report = ReplayReport()
    by_uri: dict[str, list[Path]] = {}
    for path in orphaned_spools(None if args.all else uri, directory):
        header = read_header(path) or {}
        by_uri.setdefault(str(header.get("uri", uri)), []).append(path)
    for target, paths in by_uri.items():
        client = MlopsClient(target, token)
        try:
            for path in paths:
                replay_spool(path, client.transport, report)
        finally:
            client.close()
    for skipped in report.skipped:
        print(f"skipped {skipped}", file=sys.stderr)
    print(f"stored {report.points} point(s) from {report.spools} spool(s)", flush=True)
    return 0


def serve(args: argparse.Namespace) -> int:
    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_sockets

    from .models.api import load_model
    from .models.scoring.server import DEFAULT_MAX_BODY_BYTES, make_app

    if args.workers < 1:
        raise InvalidParameter("--workers must be at least 1", field="workers")
    client = None
    if args.tracking_uri is not None or args.token is not None:
        from .client import MlopsClient

        client = MlopsClient(args.tracking_uri, args.token)
    try:
        model = load_model(args.model_uri, client=client)
    finally:
        if client is not None:  # the model is in memory now; the tracking server is not needed
            client.close()
    sockets = bind_sockets(args.port, args.host)
    port = sockets[0].getsockname()[1]

    async def run() -> None:
        server = HTTPServer(make_app(model, args.workers), max_body_size=DEFAULT_MAX_BODY_BYTES)
        server.add_sockets(sockets)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        # Flushed at once: whoever started us (a test, a supervisor) waits for this line.
        print(f"Serving {args.model_uri} on http://{args.host}:{port}", flush=True)
        await stop.wait()
        server.stop()

    asyncio.run(run())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            return serve(args)
        if args.command == "sync":
            return sync(args)
    except MLOpsError as err:
        print(f"jupyter-mlops: {err.message}", file=sys.stderr)
        return 2
    return 1


if __name__ == "__main__":
    sys.exit(main())
