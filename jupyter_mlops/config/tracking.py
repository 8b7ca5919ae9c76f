"""``c.Tracking``: where runs, metrics and artifacts are kept."""

from __future__ import annotations

from traitlets import Float, List, Unicode, default, validate
from traitlets.config import LoggingConfigurable

from .. import paths
from ..tracking.external_stores import normalise_store_prefix
from ..tracking.service import DEFAULT_HEARTBEAT_TIMEOUT_S


class Tracking(LoggingConfigurable):
    """The tracking store and the artifact root (shared by the model registry)."""

    store_uri = Unicode(
        config=True,
        help="""SQLAlchemy URL of the tracking store, e.g.
        ``postgresql+psycopg://user@db/mlops`` for a team. The default is a SQLite file in
        the Jupyter data directory (``<data dir>/mlops/mlops.db``). The schema is created or
        migrated on start-up.""",
    )

    @default("store_uri")
    def _default_store_uri(self) -> str:
        return paths.default_store_uri()

    artifact_root = Unicode(
        config=True,
        help="""Folder that holds every run's artifacts (one sub-folder per experiment and
        run). Use a shared volume when several servers log to the same store. The default is
        ``<data dir>/mlops/artifacts``; it is created when missing.""",
    )

    heartbeat_timeout = Float(
        DEFAULT_HEARTBEAT_TIMEOUT_S,
        config=True,
        help="""Seconds without a heartbeat after which a RUNNING run is marked KILLED (tag
        ``mlops.end_reason`` = "heartbeat lost"). Our clients send one every 15 seconds
        (``JUPYTER_MLOPS_HEARTBEAT_INTERVAL``) while a run is open; a late heartbeat makes
        the run RUNNING again. Runs that never sent one (MLflow clients) are never marked.
        The server sweeps every quarter of this time (at least every second); 0 turns the
        sweep off.""",
    )

    @validate("heartbeat_timeout")
    def _check_heartbeat_timeout(self, proposal: dict[str, float]) -> float:
        if proposal["value"] < 0:
            raise ValueError("Tracking.heartbeat_timeout must be 0 (off) or more seconds")
        return float(proposal["value"])

    external_artifact_stores = List(
        Unicode(),
        config=True,
        help="""Object-store prefixes (``s3://bucket/folder/``; also gs, wasbs, abfss, oss)
        that MLflow clients may name as an experiment's ``artifact_location`` or a model
        version's ``source``. The server only records such URIs: the client reads and
        writes the files there itself, as with MLflow's own server. Anything outside the
        artifact root and these prefixes is refused with 400. Empty by default.""",
    )

    @validate("external_artifact_stores")
    def _check_external_artifact_stores(self, proposal: dict[str, list[str]]) -> list[str]:
        try:
            return [normalise_store_prefix(p) for p in proposal["value"]]
        except ValueError as error:
            raise ValueError(f"Tracking.external_artifact_stores: {error}") from None

    @default("artifact_root")
    def _default_artifact_root(self) -> str:
        return str(paths.default_artifact_root())
