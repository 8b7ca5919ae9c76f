"""``c.Tracking``: where runs, metrics and artifacts are kept."""

from __future__ import annotations

from traitlets import Unicode, default
from traitlets.config import LoggingConfigurable

from .. import paths


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

    @default("artifact_root")
    def _default_artifact_root(self) -> str:
        return str(paths.default_artifact_root())
