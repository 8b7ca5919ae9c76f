"""The ``argo`` backend: a whole run compiled into one Argo Workflow, submitted where Argo
is installed. Argo schedules the steps; our reconcile loop reads the Workflow's status
into the step rows (loop iterations included), copies step pods' logs into each step's
log artifact while the pods exist, and ends the run when the Workflow ends.

Differences from the other backends, all stated in the docs: no step cache (every run
executes), no retry-from-failure (resubmit instead), and no fan-in from a loop.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import Any

from ...errors import InvalidState
from ...kube.client import KubeApi, KubeConfig, KubeError
from .. import states as s
from ..argo import WORKFLOW_API_VERSION, build_workflow, workflow_name
from ..entities import PipelineRun, StepRun
from ..manifests import build_token_secret
from ..planner import instance_id
from .base import PipelineBackend

log = logging.getLogger(__name__)

_GROUP, _VERSION = WORKFLOW_API_VERSION.split("/")
_PLURAL = "workflows"
_ITERATION = re.compile(r"^(?P<task>[^()]+)\((?P<index>\d+):.*\)$")
_NODE_STATES = {
    "Pending": s.RUNNING,
    "Running": s.RUNNING,
    "Succeeded": s.SUCCEEDED,
    "Failed": s.FAILED,
    "Error": s.FAILED,
    "Skipped": s.NOT_TRIGGERED,
    "Omitted": s.SKIPPED,
}


class ArgoBackend(PipelineBackend):
    """Runs as Argo Workflows."""

    name = "argo"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._api: KubeApi | None = None
        self._lock = threading.RLock()

    @property
    def api(self) -> KubeApi:
        if self._api is None:
            config = self.settings.kube_config
            self._api = KubeApi.from_config(
                config if isinstance(config, KubeConfig) else KubeConfig()
            )
        return self._api

    @property
    def namespace(self) -> str:
        return self.settings.namespace

    # -- the interface ---------------------------------------------------------------------
    def check_spec(self, spec: dict[str, Any]) -> None:
        build_workflow(
            run_id="0" * 32,
            spec=spec,
            arguments={},
            owner="check",
            namespace=self.namespace,
            tracking_url="",
            parent_run_id=None,
            experiment_id="0",
            default_image=self.settings.default_image,
        )

    def start(self, run_id: str) -> None:
        run = self.engine.store.get_run(run_id)
        manifest = build_workflow(
            run_id=run.run_id,
            spec=run.spec,
            arguments=run.arguments,
            owner=run.owner,
            namespace=self.namespace,
            tracking_url=self.settings.tracking_uri,
            parent_run_id=run.tracking_run_id,
            experiment_id=run.experiment_id,
            default_image=self.settings.default_image,
            service_account=self.settings.service_account,
        )
        if self.settings.tracking_token:
            secret = build_token_secret(self.namespace, self.settings.tracking_token)
            self.api.create_or_keep(self.api.core.create_namespaced_secret, self.namespace, secret)
        self.engine.store.update_run(
            run_id, backend_ref=manifest["metadata"]["name"], state=s.RUNNING
        )
        self.api.create_or_keep(
            self.api.custom.create_namespaced_custom_object,
            _GROUP,
            _VERSION,
            self.namespace,
            _PLURAL,
            manifest,
        )

    def cancel(self, run_id: str) -> None:
        with self._lock:
            run = self.engine.store.get_run(run_id)
            name = run.backend_ref or workflow_name(run_id)
            try:
                self._sync(run, name)
            except KubeError:
                log.warning("pipeline run %s: could not read the workflow", run_id, exc_info=True)
            # Argo's own way to stop a workflow: running pods are killed, nothing new starts.
            self.api.get_or_none(
                self.api.custom.patch_namespaced_custom_object,
                _GROUP,
                _VERSION,
                self.namespace,
                _PLURAL,
                name,
                {"spec": {"shutdown": "Terminate"}},
                _content_type="application/merge-patch+json",
            )
            run = self.engine.store.get_run(run_id)
            for step in run.steps or []:
                if step.state == s.RUNNING:
                    self.engine.step_failed(run, step, "canceled", state=s.CANCELED)
            self.engine.cancel_pending(run)
            self.engine.finish_run(run, s.CANCELED, message="canceled")

    def retry(self, run_id: str) -> None:
        raise InvalidState(
            "retry from failure is not supported on the argo backend; submit the pipeline again",
            field="run_id",
        )

    def reconcile(self) -> None:
        for run_id in self.engine.store.run_ids_in_states(
            (s.PENDING, s.RUNNING, s.CANCELING), backend=self.name
        ):
            try:
                with self._lock:
                    run = self.engine.store.get_run(run_id)
                    if run.state == s.CANCELING:
                        self.cancel(run_id)
                    elif run.backend_ref is None:
                        self.start(run_id)  # created, then the server stopped: submit now
                    else:
                        self._sync(run, run.backend_ref)
            except KubeError as exc:
                log.warning("pipeline run %s: Kubernetes API error: %s", run_id, exc)

    def close(self) -> None:
        if self._api is not None:
            self._api.close()

    # -- reading the workflow --------------------------------------------------------------
    def _sync(self, run: PipelineRun, name: str) -> None:
        workflow = self.api.get_or_none(
            self.api.custom.get_namespaced_custom_object,
            _GROUP,
            _VERSION,
            self.namespace,
            _PLURAL,
            name,
        )
        if workflow is None:
            self.engine.finish_run(run, s.FAILED, message=f"Workflow {name} disappeared")
            return
        status = workflow.get("status") or {}
        steps = {step.step_id: step for step in run.steps or []}
        tasks = run.spec["root"]["dag"]["tasks"]
        for node in (status.get("nodes") or {}).values():
            if node.get("type") not in ("Pod", "Skipped", "Omitted"):
                continue
            step_id, task, index = self._step_of(node, tasks)
            if task is None:
                continue
            self._sync_node(run, steps, step_id, task, index, node)
        phase = status.get("phase")
        if phase in ("Succeeded", "Failed", "Error"):
            run = self.engine.store.get_run(run.run_id)
            if phase == "Succeeded":
                self.engine.finish_run(run, s.SUCCEEDED, outputs=_pipeline_outputs(run))
            else:
                self.engine.store.update_steps_in_states(
                    run.run_id, (s.PENDING,), state=s.SKIPPED, message="the workflow ended"
                )
                self.engine.finish_run(run, s.FAILED, message=status.get("message", ""))

    @staticmethod
    def _step_of(node: dict[str, Any], tasks: dict[str, Any]) -> tuple[str, str | None, int | None]:
        display = str(node.get("displayName") or "")
        match = _ITERATION.match(display)
        if match:
            task, index = match["task"], int(match["index"])
        else:
            task, index = display, None
        if task not in tasks:
            return display, None, None
        return instance_id(task, index), task, index

    def _sync_node(
        self,
        run: PipelineRun,
        steps: dict[str, StepRun],
        step_id: str,
        task: str,
        index: int | None,
        node: dict[str, Any],
    ) -> None:
        store = self.engine.store
        step = steps.get(step_id)
        if step is None:
            step = StepRun(
                run_id=run.run_id, step_id=step_id, task=task, iteration=index, state=s.PENDING
            )
            store.add_steps([step])
            if index is not None and task in steps:
                # The loop expanded: its placeholder row gives way to the iterations.
                store.delete_steps(run.run_id, [task])
            steps[step_id] = step
        state = _NODE_STATES.get(node.get("phase", ""), s.RUNNING)
        if step.state in s.STEP_FINAL:
            return
        pod = node.get("podName") or node.get("id")
        tracking_run_id = step.tracking_run_id or self._tracking_run(run, pod)
        changes: dict[str, Any] = {"backend_ref": node.get("id")}
        if tracking_run_id:
            changes["tracking_run_id"] = tracking_run_id
            step.tracking_run_id = tracking_run_id
            self._capture_log(step, node)
        if state == s.RUNNING:
            store.update_step(run.run_id, step_id, state=s.RUNNING, **changes)
            return
        outputs = {
            parameter["name"]: _json(parameter.get("value"))
            for parameter in (node.get("outputs") or {}).get("parameters") or []
        }
        store.update_step(run.run_id, step_id, outputs=outputs, **changes)
        if state == s.SUCCEEDED:
            self.engine.step_succeeded(run, step, outputs)
        else:
            self.engine.step_failed(
                run, step, node.get("message") or node.get("phase", ""), state=state
            )

    def _tracking_run(self, run: PipelineRun, pod: str | None) -> str | None:
        """The child run the step's runner created (tagged with the run and its pod)."""
        if not pod:
            return None
        page = self.engine.tracking.search_runs(
            run.owner,
            [run.experiment_id],
            filter_string=(
                f"tags.`mlops.pipeline.run_id` = '{run.run_id}' "
                f"and tags.`mlops.pipeline.pod` = '{pod}'"
            ),
            max_results=1,
        )
        return page.items[0].info.run_id if page.items else None

    def _capture_log(self, step: StepRun, node: dict[str, Any]) -> None:
        pod = node.get("podName") or node.get("id")
        if not pod or not step.tracking_run_id:
            return
        try:
            text = self.api.call(
                self.api.core.read_namespaced_pod_log, pod, self.namespace, container="main"
            )
        except KubeError as exc:
            if exc.status in (400, 404):
                return
            raise
        path = self.engine.log_path(step)
        if path is None or not text:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or len(text.encode()) >= path.stat().st_size:
            path.write_text(text, encoding="utf-8")


def _json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _pipeline_outputs(run: PipelineRun) -> dict[str, Any]:
    steps = {step.step_id: step for step in run.steps or []}
    outputs: dict[str, Any] = {}
    for key, output in run.spec["root"]["dag"].get("outputs", {}).get("parameters", {}).items():
        ref = output["valueFromParameter"]
        step = steps.get(ref["producerSubtask"])
        outputs[key] = None if step is None else step.outputs.get(ref["outputParameterKey"])
    return outputs
