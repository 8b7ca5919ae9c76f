"""The ``kubernetes`` backend: a Job per step, created by our server as its dependencies
succeed.

The store records intent, the cluster holds truth: every reconcile pass (on submit, on
cancel, every ``pipeline_poll_interval`` seconds, and on start-up) reads each running
step's Job, copies its pods' logs into the step's log artifact (so that a garbage-
collected pod loses nothing), records the outcome, and creates the Jobs of the steps
that became ready. Job names are derived from the run and step, so a server that died
between creating a Job and recording it finds the Job again instead of starting a second.
Retries are the Job's ``backoffLimit``; the timeout its ``activeDeadlineSeconds``. Steps
act as the run's owner with a token of the run's own (:mod:`.step_credentials`), released
when the run ends.
"""

from __future__ import annotations

import logging
from typing import Any

from ....kube.client import KubeError
from ...spec import states as s
from ...spec.entities import PipelineRun, StepRun
from ..engine import Launch
from ..manifests import CONTAINER, StepJobSpec, build_step_job, job_name
from .cluster import ClusterBackend

log = logging.getLogger(__name__)

_MAX_PASSES = 20  # cached steps finish at once; plan again, but never forever


class KubernetesBackend(ClusterBackend):
    """Steps as Kubernetes Jobs, driven by the server's reconcile loop."""

    name = "kubernetes"

    # -- the interface ---------------------------------------------------------------------
    def start(self, run_id: str) -> None:
        with self._lock:
            self.credentials.issue(self.engine.run(run_id, with_steps=False))
        self.engine.run_handed_to(run_id, f"{self.name}:{self.namespace}")
        self.reconcile_run(run_id)

    def cancel(self, run_id: str) -> None:
        self.reconcile_run(run_id)

    # -- one run ---------------------------------------------------------------------------
    def reconcile_run(self, run_id: str) -> None:
        with self._lock:
            if self._drive(run_id):
                self.credentials.release(run_id)

    def _drive(self, run_id: str) -> bool:
        """One pass over a run: read its Jobs, create the ready ones. True once it ended."""
        run = self.engine.run(run_id)
        if run.state in s.RUN_FINAL:
            return True
        if run.state == s.CANCELING:
            self._cancel(run)
            return True
        for step in run.steps or []:
            if step.state == s.RUNNING:
                self._sync_step(run, step)
        for _ in range(_MAX_PASSES):
            run = self.engine.run(run_id)
            running = sum(1 for step in run.steps or [] if step.state == s.RUNNING)
            limit = max(self.settings.parallelism, running)
            run, plan = self.engine.advance(run_id, running_limit=limit)
            if plan.outcome is not None or not plan.ready:
                return plan.outcome is not None
            cached = False
            for ready in plan.ready:
                launch = self.engine.prepare(run, ready)
                if launch is None:
                    cached = True
                else:
                    self._create_job(launch)
            if not cached:
                return False
        return False

    def _create_job(self, launch: Launch) -> None:
        self.credentials.ensure(launch.run)
        name = job_name(launch.run.run_id, launch.step.step_id)
        self.engine.step_started(launch.run, launch.step, name)
        self.api.create_or_keep(
            self.api.batch.create_namespaced_job, self.namespace, self._job_manifest(launch)
        )

    def _job_manifest(self, launch: Launch) -> dict[str, Any]:
        task = launch.runner_task(uploadOutputs=True)
        return build_step_job(
            StepJobSpec(
                run_id=launch.run.run_id,
                step_id=launch.step.step_id,
                pipeline=launch.run.name,
                owner=launch.run.owner,
                namespace=self.namespace,
                image=launch.executor.get("image") or self.settings.default_image,
                task=task,
                executor=launch.executor,
                tracking_url=self.settings.tracking_uri,
                retries=launch.retries,
                timeout_s=launch.timeout,
                service_account=self.settings.service_account,
                env=dict(launch.executor.get("env") or {}),
                token_secret=self.credentials.secret_name(launch.run.run_id),
            )
        )

    def _sync_step(self, run: PipelineRun, step: StepRun) -> None:
        launch = self.engine.relaunch(run, step)
        name = step.backend_ref or job_name(run.run_id, step.step_id)
        job = self.api.get_or_none(self.api.batch.read_namespaced_job, name, self.namespace)
        if job is None:
            if step.backend_ref is None:
                # Prepared, then the server stopped before the Job was created: create it.
                self._create_job(launch)
            else:
                self.engine.step_failed(run, step, f"Job {name} disappeared before it finished")
            return
        pods, text = self._capture_logs(launch, name)
        status = job.get("status") or {}
        conditions = {
            c.get("type"): c for c in status.get("conditions") or [] if c.get("status") == "True"
        }
        if "Complete" in conditions or status.get("succeeded"):
            try:
                outputs = self.engine.read_outputs(launch)
            except (OSError, ValueError) as exc:
                self.engine.step_failed(run, step, f"unreadable outputs: {exc}")
                return
            missing = [key for key in launch.output_types if key not in outputs]
            if missing:
                self.engine.step_failed(run, step, f"the step stored no output {missing[0]!r}")
                return
            self.engine.step_succeeded(run, step, outputs)
        elif "Failed" in conditions:
            reason = conditions["Failed"].get("reason") or "Failed"
            message = (
                _termination_message(pods)
                or _runner_error(text)
                or conditions["Failed"].get("message")
                or _container_failure(pods)
            )
            if reason == "DeadlineExceeded" and launch.timeout:
                message = f"timed out after {launch.timeout:g}s"
            self.engine.step_failed(run, step, message or f"Job {name} failed ({reason})")

    def _capture_logs(self, launch: Launch, name: str) -> tuple[list[dict[str, Any]], str]:
        """Copy the logs of the Job's pods into the step's log artifact (all attempts)."""
        listing = self.api.call(
            self.api.core.list_namespaced_pod, self.namespace, label_selector=f"job-name={name}"
        )
        pods = sorted(
            listing.get("items") or [],
            key=lambda pod: pod["metadata"].get("creationTimestamp") or "",
        )
        parts: list[str] = []
        for index, pod in enumerate(pods):
            try:
                text = self.api.call(
                    self.api.core.read_namespaced_pod_log,
                    pod["metadata"]["name"],
                    self.namespace,
                    container=CONTAINER,
                )
            except KubeError as exc:
                if exc.status in (400, 404):  # not started yet, or gone
                    continue
                raise
            if index:
                parts.append(f"\n--- attempt {index + 1} ---\n")
            parts.append(text or "")
        combined = "".join(parts)
        # A pod gone (GC) gives nothing: keep what was captured before.
        if combined:
            path = launch.log_path
            path.parent.mkdir(parents=True, exist_ok=True)
            previous = path.stat().st_size if path.exists() else 0
            if len(combined.encode()) >= previous:
                path.write_text(combined, encoding="utf-8")
        return pods, combined

    def _cancel(self, run: PipelineRun) -> None:
        for step in run.steps or []:
            if step.state != s.RUNNING:
                continue
            name = step.backend_ref or job_name(run.run_id, step.step_id)
            try:
                self._capture_logs(self.engine.relaunch(run, step), name)
            except KubeError:
                log.warning("could not keep the logs of %s", name, exc_info=True)
            self.api.delete_if_exists(
                self.api.batch.delete_namespaced_job,
                name,
                self.namespace,
                propagation_policy="Background",
            )
            self.engine.step_failed(run, step, "canceled", state=s.CANCELED)
        self.engine.cancel_pending(run)
        self.engine.finish_run(run, s.CANCELED, message="canceled")


def _termination_message(pods: list[dict[str, Any]]) -> str:
    for pod in reversed(pods):
        for container in (pod.get("status") or {}).get("containerStatuses") or []:
            terminated = (container.get("state") or {}).get("terminated") or {}
            message = terminated.get("message") or ""
            if message:
                return str(message).strip()
    return ""


def _container_failure(pods: list[dict[str, Any]]) -> str:
    for pod in reversed(pods):
        for container in (pod.get("status") or {}).get("containerStatuses") or []:
            terminated = (container.get("state") or {}).get("terminated") or {}
            if terminated.get("exitCode"):
                reason = terminated.get("reason", "Error")
                return f"container {reason} (exit code {terminated['exitCode']})"
    return ""


def _runner_error(log_text: str) -> str:
    """The step runner's own summary line ("step failed: ..."), if the log has one."""
    for line in reversed(log_text.splitlines()):
        if line.startswith("step failed: "):
            return line[len("step failed: ") :]
    return ""
