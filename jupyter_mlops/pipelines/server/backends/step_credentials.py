"""The API token that the steps of a cluster pipeline run act with, in a Secret their pods
read as ``JUPYTER_MLOPS_TOKEN`` (to fetch the runtime wheel and to log).

With a token service (the server extension always wires one), each submission of a run,
and each retry, gets a fresh API token of the run's owner (as a notebook server gets one
of its owner at each start), kept in the run's own Secret ``mlops-<run12>-token``; when
the run ends the token is revoked and the Secret deleted. The store keeps the token and
the cluster the Secret, so a server that stopped meanwhile still finds both: its first
reconcile pass (and one every few minutes) releases those of runs that ended.

Without a token service (a backend built on its own), every run's pods read the
namespace-wide Secret holding ``BackendSettings.tracking_token``, as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from ....kube.client import KubeApi
from ...spec.entities import PipelineRun
from ..manifests import (
    RUN_LABEL,
    TOKEN_SECRET,
    TOKEN_SECRET_LABEL,
    build_run_token_secret,
    build_token_secret,
    run_token_secret_name,
)
from .base import BackendSettings

log = logging.getLogger(__name__)

#: Seconds between two looks for the Secrets of runs that ended while nobody watched.
SWEEP_INTERVAL_S = 300.0


class StepCredentials:
    """Issues, writes and releases the token Secrets of one backend's runs. Callers hold
    the backend's lock."""

    def __init__(self, settings: BackendSettings, api: Callable[[], KubeApi]) -> None:
        self.settings = settings
        self._api = api
        self._written: set[str] = set()  # runs whose Secret this process wrote or saw
        self._shared_written: str | None = None
        self._next_sweep = 0.0

    @property
    def namespace(self) -> str:
        return self.settings.namespace

    def secret_name(self, run_id: str) -> str:
        """The Secret the run's pods read their token from."""
        if self.settings.tokens is None:
            return TOKEN_SECRET
        return run_token_secret_name(run_id)

    def issue(self, run: PipelineRun) -> None:
        """On submission and retry: a fresh token of the run's owner, in the run's Secret
        (replacing the run's previous token, which stops working)."""
        tokens = self.settings.tokens
        if tokens is None:
            self._write_shared()
            return
        token = tokens.issue_pipeline_token(run.owner, run.run_id)
        self._write(build_run_token_secret(self.namespace, run.run_id, run.owner, run.name, token))
        self._written.add(run.run_id)

    def ensure(self, run: PipelineRun) -> None:
        """Before creating pods of a run: its Secret exists (a server that stopped between
        recording the run and writing the Secret issues the token now)."""
        if self.settings.tokens is None:
            self._write_shared()
            return
        if run.run_id in self._written:
            return
        api = self._api()
        name = run_token_secret_name(run.run_id)
        if api.get_or_none(api.core.read_namespaced_secret, name, self.namespace) is None:
            self.issue(run)
        self._written.add(run.run_id)

    def release(self, run_id: str) -> None:
        """The run ended: its token stops working and its Secret goes (revoked first: a
        server stopping in between leaves a Secret of a dead token, which a sweep finds)."""
        self._written.discard(run_id)
        tokens = self.settings.tokens
        if tokens is None:
            return
        tokens.revoke_pipeline_tokens(run_id)
        api = self._api()
        api.delete_if_exists(
            api.core.delete_namespaced_secret, run_token_secret_name(run_id), self.namespace
        )

    def sweep(self, has_ended: Callable[[str], bool]) -> None:
        """Now and then (first on start-up): release the Secrets (and tokens) of runs that
        ended, or were deleted, while no server released them."""
        if self.settings.tokens is None or time.monotonic() < self._next_sweep:
            return
        api = self._api()
        listing = api.call(
            api.core.list_namespaced_secret,
            self.namespace,
            label_selector=f"{TOKEN_SECRET_LABEL}=run",
        )
        for secret in listing.get("items") or []:
            run_id = ((secret.get("metadata") or {}).get("labels") or {}).get(RUN_LABEL)
            if not run_id:
                continue
            if has_ended(run_id):
                log.info("pipeline run %s ended: releasing its token", run_id)
                self.release(run_id)
        self._next_sweep = time.monotonic() + SWEEP_INTERVAL_S

    def _write_shared(self) -> None:
        token = self.settings.tracking_token
        if not token or self._shared_written == token:
            return
        self._write(build_token_secret(self.namespace, token))
        self._shared_written = token

    def _write(self, manifest: dict[str, Any]) -> None:
        api = self._api()
        if not api.create_or_keep(api.core.create_namespaced_secret, self.namespace, manifest):
            api.call(
                api.core.replace_namespaced_secret,
                manifest["metadata"]["name"],
                self.namespace,
                manifest,
            )
