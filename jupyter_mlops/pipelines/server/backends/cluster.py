"""What the two cluster backends (``kubernetes``, ``argo``) share: a lazily built
Kubernetes API client, one lock for their reconcile passes, the runs' step tokens, and
the reconcile loop over the engine's live runs."""

from __future__ import annotations

import abc
import logging
import threading
from typing import Any

from ....kube.client import KubeApi, KubeConfig, KubeError
from .base import PipelineBackend
from .step_credentials import StepCredentials

log = logging.getLogger(__name__)


class ClusterBackend(PipelineBackend):
    """A backend whose steps run in the cluster, driven by the server's reconcile loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._api: KubeApi | None = None
        self._lock = threading.RLock()
        self.credentials = StepCredentials(self.settings, lambda: self.api)

    @property
    def api(self) -> KubeApi:
        """The client, built on first use (no API call, no config read in constructors)."""
        if self._api is None:
            config = self.settings.kube_config
            self._api = KubeApi.from_config(
                config if isinstance(config, KubeConfig) else KubeConfig()
            )
        return self._api

    @property
    def namespace(self) -> str:
        return self.settings.namespace

    def reconcile(self) -> None:
        for run_id in self.engine.live_runs(self.name):
            try:
                self.reconcile_run(run_id)
            except KubeError as exc:  # the API is down: try again next pass
                log.warning("pipeline run %s: Kubernetes API error: %s", run_id, exc)
        try:
            with self._lock:
                self.credentials.sweep(self.engine.has_ended)
        except KubeError as exc:
            log.warning("pipeline runs' tokens: Kubernetes API error: %s", exc)

    @abc.abstractmethod
    def reconcile_run(self, run_id: str) -> None:
        """One pass over one live run: read the cluster into it, start what is ready."""

    def close(self) -> None:
        if self._api is not None:
            self._api.close()
