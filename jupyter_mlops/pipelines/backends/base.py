"""The interface every pipeline backend implements (swapped by the ``pipeline_backend``
Type trait of the server extension)."""

from __future__ import annotations

import abc
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..engine import RunEngine

if TYPE_CHECKING:
    from ...auth.service import TokenService

log = logging.getLogger(__name__)


@dataclass
class BackendSettings:
    """What a backend needs to know about its surroundings."""

    #: How many steps may run at once (over all runs of this backend).
    parallelism: int = 4
    #: The tracking URI and token the runner logs to (a server URL or a store URI).
    tracking_uri: str = ""
    tracking_token: str | None = None
    #: Cluster backends: issues each run an API token of its owner for its steps (then
    #: ``tracking_token`` is not given to pods); None: every run's steps use that token.
    tokens: TokenService | None = None
    #: The artifact root, when the runner may write it directly (local backend).
    artifact_root: Path | None = None
    #: The Python that runs the step runner locally.
    python: str = field(default_factory=lambda: sys.executable)
    #: Kubernetes: namespace, image for steps that name none, service account, API client.
    namespace: str = "default"
    default_image: str = "python:3.11-slim"
    service_account: str | None = None
    kube_config: object | None = None
    #: Seconds between reconcile passes (kubernetes, argo).
    poll_interval: float = 2.0


class PipelineBackend(abc.ABC):
    """Runs the steps of pipeline runs. One instance per process, thread-safe."""

    #: The name users pass as ``backend=...``.
    name: ClassVar[str]

    def __init__(self, engine: RunEngine, settings: BackendSettings) -> None:
        self.engine = engine
        self.settings = settings

    def check_spec(self, spec: dict[str, Any]) -> None:  # noqa: B027 - optional hook
        """Refuse (InvalidParameter) a valid spec this backend cannot run, before a run
        is created."""

    @abc.abstractmethod
    def start(self, run_id: str) -> None:
        """Start running a run that the engine has created (state PENDING)."""

    @abc.abstractmethod
    def cancel(self, run_id: str) -> None:
        """Stop a run: running steps are killed, pending ones CANCELED, the run CANCELED."""

    def retry(self, run_id: str) -> None:
        """Run again the steps that retry-from-failure reset (the engine did the reset)."""
        self.start(run_id)

    def reconcile(self) -> None:  # noqa: B027 - optional hook
        """Bring runs recorded as active in line with reality; called on start-up and,
        for cluster backends, periodically. No run may stay RUNNING without a driver."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Stop background work (running steps of the local backend are killed)."""

    def runner_environment(self) -> dict[str, str]:
        """Environment of the step runner: where to log, and unbuffered output."""
        env = {"PYTHONUNBUFFERED": "1", "JUPYTER_MLOPS_TRACKING_URI": self.settings.tracking_uri}
        if self.settings.tracking_token:
            env["JUPYTER_MLOPS_TOKEN"] = self.settings.tracking_token
        if self.settings.artifact_root is not None:
            env["JUPYTER_MLOPS_ARTIFACT_ROOT"] = str(self.settings.artifact_root)
        return env


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
