"""``c.Pipelines``: the default backend of pipeline runs (``backend_class``), its cluster
settings, and the server's pipeline loops (reconcile, schedules)."""

from __future__ import annotations

from typing import Any

from traitlets import Float, Integer, TraitError, Type, Unicode, validate
from traitlets.config import LoggingConfigurable


class Pipelines(LoggingConfigurable):
    """Settings of the pipeline domain; the wiring hands its backends what they need of it
    as one ``BackendSettings``."""

    backend_class = Type(
        default_value="jupyter_mlops.pipelines.server.backends.local.LocalBackend",
        klass="jupyter_mlops.pipelines.server.backends.base.PipelineBackend",
        config=True,
        help="""The default backend of pipeline runs (``...`` is
        ``jupyter_mlops.pipelines.server.backends``): ``....local.LocalBackend`` (steps as local
        subprocesses), ``....kubernetes.KubernetesBackend`` (a Job per step, created by this
        server as dependencies succeed) or ``....argo.ArgoBackend`` (one Argo Workflow per
        run). ``local`` stays available to runs that ask for it.""",
    )
    parallelism = Integer(
        4,
        config=True,
        help="""How many pipeline steps may run at once over all runs of a backend (the local
        backend's subprocesses; Jobs for Kubernetes). A loop's own limit can only lower it.""",
    )

    @validate("parallelism")
    def _check_parallelism(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if value < 1:
            raise TraitError("Pipelines.parallelism must be at least 1")
        return value

    namespace = Unicode(
        "default",
        config=True,
        help="The Kubernetes namespace that pipeline Jobs and Argo Workflows run in.",
    )
    default_image = Unicode(
        "python:3.11-slim",
        config=True,
        help="""Image of pipeline steps that name none, on Kubernetes and Argo. A step's image
        needs Python 3.10 or newer; when it lacks jupyter-mlops, the step downloads this
        server's own at start (and pip-installs ``requests`` if missing too).""",
    )
    service_account = Unicode(
        "", config=True, help="Service account of step pods (empty: the namespace default)."
    )
    tracking_url = Unicode(
        "",
        config=True,
        help="""The URL step pods log to and fetch from (this server as seen from the
        cluster). Default: this server's own URL.""",
    )
    poll_interval = Float(
        2.0, config=True, help="Seconds between two reconcile passes of cluster pipeline runs."
    )
    schedule_interval = Float(
        10.0, config=True, help="Seconds between two checks for due pipeline schedules."
    )
