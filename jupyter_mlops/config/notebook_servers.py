"""``c.NotebookServers``: the notebook servers users spawn, what they may ask for, where
they run (``backend_class``) and when they are culled."""

from __future__ import annotations

from traitlets import Bool, Dict, Float, Integer, List, Type, Unicode, Union, default
from traitlets.config import LoggingConfigurable

from .. import paths


class NotebookServers(LoggingConfigurable):
    """Settings of the notebook-server domain; its backend is built with this as parent, so
    backend options (``c.LocalNotebookBackend.*``) are configured as usual."""

    backend_class = Type(
        default_value="jupyter_mlops.notebooks.backends.local.LocalNotebookBackend",
        klass="jupyter_mlops.notebooks.backends.base.NotebookBackend",
        config=True,
        help="""Where notebook servers run (``...`` is ``jupyter_mlops.notebooks.backends``):
        ``...local.LocalNotebookBackend`` (default): ``jupyter lab`` processes on this
        machine. ``...kubernetes.KubernetesNotebookBackend``: a StatefulSet, Service, PVC and
        Secret per server. ``...kubeflow.KubeflowNotebookBackend``: a Kubeflow
        ``kubeflow.org/v1`` Notebook per server (the CRD must be installed).""",
    )
    images = List(
        Union([Unicode(), Dict()]),
        config=True,
        help="""Images users may choose: strings, or ``{"image": ..., "display_name": ...,
        "default": true}``. Empty: one built-in Jupyter image.""",
    )
    allow_custom_image = Bool(
        False, config=True, help="Let users type any image instead of choosing a configured one."
    )
    profiles = List(
        Dict(),
        config=True,
        help="""Named profiles, like KubeSpawner's profile list: ``{"slug": "gpu",
        "display_name": "1 GPU", "description": ..., "default": false, "overrides": {...}}``
        where overrides may set ``image``, ``cpu``, ``cpu_limit``, ``memory``,
        ``memory_limit``, ``gpus``, ``gpu_resource``, ``node_selector``, ``tolerations``,
        ``shm_size``, ``env`` and ``workspace_size``. Only profiles (and admins) may set node
        selectors and tolerations.""",
    )
    gpu_resources = List(
        Unicode(),
        config=True,
        help="""Extended resource names of the GPUs nodes offer (e.g. ``nvidia.com/gpu``). Empty
        (default): no GPU choices are offered and GPU requests are refused.""",
    )
    max_gpus = Integer(8, config=True, help="Most GPUs one notebook server may ask for.")
    quotas = Dict(
        config=True,
        help="""Per-user limits: ``{"default": {"servers": 3, "cpu": "8", "memory": "32Gi",
        "gpus": 1}, "users": {"alice": {...}}}``. CPU, memory and GPUs count the requests of
        running and starting servers; ``servers`` counts all of a user's servers. A missing
        key means no limit.""",
    )
    default_cpu = Unicode(
        "0.5",
        config=True,
        help="CPU request of a notebook server when neither request nor profile sets one.",
    )
    default_memory = Unicode(
        "1Gi",
        config=True,
        help="Memory request of a notebook server when neither request nor profile sets one.",
    )
    workspace_size = Unicode(
        "5Gi", config=True, help="Size of a new workspace volume when none is given."
    )
    storage_class = Unicode(
        "", config=True, help="StorageClass of new workspace volumes (empty: the cluster default)."
    )
    namespace = Unicode(
        "default",
        config=True,
        help="The Kubernetes namespace of every notebook server (unless a template is set).",
    )
    namespace_template = Unicode(
        "",
        config=True,
        help="""One namespace per user instead, e.g. ``mlops-{username}`` (``{username}`` is a
        DNS-safe slug of the user name); created on first use.""",
    )
    service_account = Unicode(
        "", config=True, help="Service account of notebook pods (empty: the namespace default)."
    )
    tracking_url = Unicode(
        "",
        config=True,
        help="""The URL notebook servers log runs to (``JUPYTER_MLOPS_TRACKING_URI`` in them).
        Empty: this server's own URL, which suits the local backend; on Kubernetes set the
        URL pods reach this server at.""",
    )
    state_dir = Unicode(
        config=True,
        help="""Folder of the local backend: one sub-folder per server (workspace and log).
        Default: ``<data dir>/mlops/notebook-servers``.""",
    )

    @default("state_dir")
    def _default_state_dir(self) -> str:
        return str(paths.default_data_dir() / "notebook-servers")

    cull_idle_timeout = Integer(
        3600,
        config=True,
        help="""Seconds without activity (no busy kernel, no open terminal, no request) after
        which a notebook server is stopped (never deleted); 0 disables. A server's own
        ``cull_idle_seconds`` overrides it.""",
    )
    cull_interval = Integer(
        60, config=True, help="Seconds between two checks of the culler (0: no culling)."
    )
    cull_max_age = Integer(
        0, config=True, help="Stop servers running longer than this many seconds (0: no limit)."
    )
    monitor_interval = Float(
        2.0, config=True, help="Seconds between two status checks of starting or stopping servers."
    )
