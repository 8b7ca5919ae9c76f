"""``c.Scoring``: the worker processes (or pods) that load model versions for
``mlops/api/models/<name>/predict``."""

from __future__ import annotations

from traitlets import CaselessStrEnum, Float, Integer, Unicode
from traitlets.config import LoggingConfigurable


class Scoring(LoggingConfigurable):
    """Where and how the model registry's scoring workers run."""

    idle_timeout = Float(
        600.0,
        config=True,
        help="""Seconds a scoring worker (the process that loads a model version for
        ``mlops/api/models/<name>/predict``) stays up without requests before it is stopped.""",
    )
    backend = CaselessStrEnum(
        ["auto", "local", "kubernetes"],
        default_value="auto",
        config=True,
        help="""Where scoring workers run: ``local`` (processes of this server's machine; in
        multi-user mode as the model owner's OS account), ``kubernetes`` (a pod per worker in
        ``Pipelines.namespace``, with an API token of the model's owner), or ``auto``:
        ``kubernetes`` when ``NotebookServers.backend_class`` is a Kubernetes backend, else
        ``local``.""",
    )
    image = Unicode(
        "",
        config=True,
        help="""Image of scoring pods (``Scoring.backend`` kubernetes); it needs the libraries
        of the models it serves. Empty: ``Pipelines.default_image``.""",
    )
    pod_port = Integer(
        8080, config=True, help="The TCP port scoring workers listen on in their pods."
    )
    max_workers = Integer(
        4,
        config=True,
        help="""Most scoring workers alive at once (one per model version); the least
        recently used is stopped to start another.""",
    )
    python = Unicode(
        "",
        config=True,
        help="""The Python interpreter that runs scoring workers; it must import jupyter_mlops
        and the libraries of the models it serves. In multi-user mode every user's OS account
        must be able to run it (an interpreter under ``/root`` is not). Empty (default): the
        server's own.""",
    )
