"""The interface every pipeline backend implements (swapped by the ``pipeline_backend``
Type trait of the server extension)."""

from __future__ import annotations

import abc
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ....processes import ProcessPolicy
from ..engine import RunEngine

if TYPE_CHECKING:
    from ....auth.service import TokenService

log = logging.getLogger(__name__)


@dataclass
class BackendSettings:
    """What a backend needs to know about its surroundings."""

    #: How many steps may run at once (over all runs of this backend).
    parallelism: int = 4
    #: The tracking URI and token the runner logs to: this server's URL; or, for a local
    #: backend built without a server (the in-process Python API, tests), a store URI.
    tracking_uri: str = ""
    #: Where ``tracking_uri`` comes from while it is empty: a server's URL is final only
    #: once the server listens, and requests may come before the server's start-up work
    #: has set it.
    tracking_uri_source: Callable[[], str] | None = None
    tracking_token: str | None = None
    #: Issues each run an API token of its owner for its steps (then ``tracking_token``
    #: is not given to them); None: every run's steps use ``tracking_token``.
    tokens: TokenService | None = None
    #: The artifact root, when the runner may write it directly (a local backend on a
    #: store URI, with no server between its steps and the store).
    artifact_root: Path | None = None
    #: Local backend: who steps run as (multi-user mode: their owner's OS account) and
    #: the allowlist their environment is built from.
    process_policy: ProcessPolicy = field(default_factory=ProcessPolicy)
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

    def check_owner(self, owner: str) -> None:  # noqa: B027 - optional hook
        """Refuse (PermissionDenied, InvalidState) to run ``owner``'s steps here, before a
        run is created or retried: say why at once rather than fail the run later."""

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

    @property
    def tracking_uri(self) -> str:
        """Where steps log (the settings', or their source's once it knows)."""
        settings = self.settings
        if not settings.tracking_uri and settings.tracking_uri_source is not None:
            settings.tracking_uri = settings.tracking_uri_source()
        return settings.tracking_uri

    def runner_environment(self, token: str | None = None) -> dict[str, str]:
        """What the step runner is told on top of its allowlisted environment: where to
        log (with ``token``, else the settings' token), and unbuffered output."""
        env = {"PYTHONUNBUFFERED": "1", "JUPYTER_MLOPS_TRACKING_URI": self.tracking_uri}
        token = token or self.settings.tracking_token
        if token:
            env["JUPYTER_MLOPS_TOKEN"] = token
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
