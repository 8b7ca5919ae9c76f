"""The settings of jupyter-mlops, one configurable class per domain.

Set them in ``jupyter_server_config.py`` (``c.Tracking.store_uri = ...``,
``c.NotebookServers.images = [...]``, ``c.Pipelines.parallelism = 4``,
``c.Kube.context = ...``) or on the command line (``--Tracking.store_uri=...``).
``MlopsExtension`` builds one of each with itself as parent, so ``c.X.y`` reaches them,
and hands each domain's wiring the object it needs; what stays on ``MlopsExtension`` is
the server's own (see ``jupyter_mlops.server.extension``).
``docs/configuration.md`` lists every setting, generated from the help texts.
"""

from __future__ import annotations

from traitlets.config import LoggingConfigurable

from .kube import Kube
from .notebook_servers import NotebookServers
from .pipelines import Pipelines
from .scoring import Scoring
from .tracking import Tracking

#: Every settings class, in the order the configuration reference lists them.
SETTINGS_CLASSES: tuple[type[LoggingConfigurable], ...] = (
    Tracking,
    NotebookServers,
    Pipelines,
    Scoring,
    Kube,
)

__all__ = ["SETTINGS_CLASSES", "Kube", "NotebookServers", "Pipelines", "Scoring", "Tracking"]
