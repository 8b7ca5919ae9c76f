"""The ``argo`` backend: a whole run compiled into one Argo Workflow, submitted where Argo
is installed. Argo schedules the steps; our reconcile loop reads the Workflow's status
into the step rows (loop iterations included), copies step pods' logs into each step's
log artifact while the pods exist, and ends the run when the Workflow ends.

A node is read as the planner's step instance: ``<task>``, a loop iteration
``<task>(<i>:<item>)`` -> ``<task>[<i>]``, and a step inside a loop body's iteration
(node ``<wf>.<loop>(<i>:<item>).<task>``, whose boundary is that iteration's DAG node)
-> ``<task>[<i>]``. A loop omitted as a whole stands for all its steps' instances.

Retry from failure is ``argo retry`` done through the Kubernetes API (:mod:`..argo_retry`):
the engine resets the steps and raises the run's attempt; the Workflow, whose parameter
``mlops-attempt`` still holds the previous attempt, is then rewritten (its failed nodes
and what follows them removed, Running again, the new attempt) after deleting the failed
nodes' pods, and Argo's controller re-runs only those. The attempt on the Workflow is the
record that this was done: a server that stopped half-way does it on its next reconcile.

Steps act as the run's owner with a token of the run's own (:mod:`.step_credentials`):
issued at submit and at retry, released when the run ends.

Differences from the other backends, stated in the docs: no step cache (every run
executes), and what Argo cannot give as they do is refused at submit (see :mod:`..argo`).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from ....kube.client import KubeError
from ...spec import states as s
from ...spec.entities import PipelineRun, StepRun
from ..argo_retry import retry_workflow
from ..argo_workflow import (
    ATTEMPT_PARAMETER,
    WORKFLOW_API_VERSION,
    build_workflow,
    pod_name,
    workflow_name,
)
from ..planner import instance_id
from .cluster import ClusterBackend

log = logging.getLogger(__name__)

_GROUP, _VERSION = WORKFLOW_API_VERSION.split("/")
_PLURAL = "workflows"
_ITERATION = re.compile(r"^(?P<task>[^()]+)\((?P<index>\d+):.*\)$")
#: The nodes that stand for a step (a Retry node for a step with retries, its attempts'
#: pods are named "<step>(<n>)"; Skipped: a false condition, or Omitted upstream).
_STEP_NODES = ("Pod", "Retry", "Skipped")
_NODE_STATES = {
    "Pending": s.RUNNING,
    "Running": s.RUNNING,
    "Succeeded": s.SUCCEEDED,
    "Failed": s.FAILED,
    "Error": s.FAILED,
    "Skipped": s.NOT_TRIGGERED,
}


class ArgoBackend(ClusterBackend):
    """Runs as Argo Workflows."""

    name = "argo"

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
        with self._lock:
            self._start(run_id)

    def _start(self, run_id: str) -> None:
        run = self.engine.run(run_id)
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
            attempt=run.attempt,
            token_secret=self.credentials.secret_name(run.run_id),
        )
        self.credentials.issue(run)
        self.engine.run_handed_to(run_id, manifest["metadata"]["name"], running=True)
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
            run = self.engine.run(run_id)
            name = run.backend_ref or workflow_name(run_id)
            try:
                self._sync(run, name, resume=False)
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
            run = self.engine.run(run_id)
            for step in run.steps or []:
                if step.state == s.RUNNING:
                    self.engine.step_failed(run, step, "canceled", state=s.CANCELED)
            self.engine.cancel_pending(run)
            self.engine.finish_run(run, s.CANCELED, message="canceled")
            self.credentials.release(run_id)

    def retry(self, run_id: str) -> None:
        """The engine reset the steps and raised the attempt: retry the Workflow now (or,
        while a canceled one is still stopping, on a later reconcile)."""
        with self._lock:
            run = self.engine.run(run_id)
            if run.backend_ref is None:
                self._start(run_id)  # never submitted: submit now
                return
            try:
                # The retried steps' pods act with a fresh token (the last one was revoked
                # when the run ended).
                self.credentials.issue(run)
                if self._sync(run, run.backend_ref):
                    self.credentials.release(run_id)
            except KubeError as exc:  # recorded: the next reconcile retries the workflow
                log.warning("pipeline run %s: retry waits for the API: %s", run_id, exc)

    def reconcile_run(self, run_id: str) -> None:
        with self._lock:
            run = self.engine.run(run_id)
            if run.state == s.CANCELING:
                self.cancel(run_id)
            elif run.backend_ref is None:
                self._start(run_id)  # created, then the server stopped: submit now
            else:
                # A retry recorded by a server that stopped before issuing the retried
                # steps' token: issue it now.
                self.credentials.ensure(run)
                if self._sync(run, run.backend_ref):
                    self.credentials.release(run_id)

    # -- reading the workflow --------------------------------------------------------------
    def _sync(self, run: PipelineRun, name: str, *, resume: bool = True) -> bool:
        """Read the workflow into the run; True when that ended the run."""
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
            return True
        status = workflow.get("status") or {}
        phase = status.get("phase")
        if _attempt(workflow) < run.attempt and phase != "Succeeded":
            # Retried here, not yet on the cluster: the status is the failed attempt's.
            if resume and phase in ("Failed", "Error"):
                self._retry_workflow(run, workflow)
            return False  # (a canceled workflow still stopping is retried once it has ended)
        steps = {step.step_id: step for step in run.steps or []}
        tasks = run.spec["root"]["dag"]["tasks"]
        nodes: dict[str, Any] = status.get("nodes") or {}
        # A Retry node stands for its step; its attempts' pods do not.
        attempts = {
            child
            for node in nodes.values()
            if node.get("type") == "Retry"
            for child in node.get("children") or []
        }
        omitted: list[tuple[str, str, int | None]] = []
        for node_id, node in nodes.items():
            if node.get("type") not in _STEP_NODES or node_id in attempts:
                continue
            if node.get("phase") == "Omitted":
                omitted += _omitted_steps(node, nodes, run.spec)
                continue
            step_id, task, index = _step_of(node, nodes, tasks)
            if task is None:
                continue
            self._sync_node(run, workflow, steps, step_id, task, index, node)
        # Steps after a failed or skipped one, decided as the planner does (upstream first).
        steps = {step.step_id: step for step in self.engine.run(run.run_id).steps or []}
        order = list(tasks)
        for step_id, task, index in sorted(omitted, key=lambda o: (order.index(o[1]), o[2] or 0)):
            self._omit(run, steps, step_id, task, index)
        if phase in ("Succeeded", "Failed", "Error"):
            run = self.engine.run(run.run_id)
            if phase == "Succeeded":
                self.engine.finish_run(run, s.SUCCEEDED, outputs=_pipeline_outputs(run))
            else:
                self.engine.skip_pending_steps(run.run_id, "the workflow ended")
                self.engine.finish_run(run, s.FAILED, message=status.get("message", ""))
            return True
        return False

    def _step(
        self,
        run: PipelineRun,
        steps: dict[str, StepRun],
        step_id: str,
        task: str,
        index: int | None,
    ) -> StepRun:
        step = steps.get(step_id)
        if step is None:
            step = StepRun(
                run_id=run.run_id, step_id=step_id, task=task, iteration=index, state=s.PENDING
            )
            # The loop expanded: its placeholder row gives way to the iterations.
            placeholder = task if index is not None and task in steps else None
            self.engine.step_discovered(step, replaces=placeholder)
            if placeholder is not None:
                del steps[placeholder]
            steps[step_id] = step
        return step

    def _sync_node(
        self,
        run: PipelineRun,
        workflow: dict[str, Any],
        steps: dict[str, StepRun],
        step_id: str,
        task: str,
        index: int | None,
        node: dict[str, Any],
    ) -> None:
        tasks = run.spec["root"]["dag"]["tasks"]
        step = self._step(run, steps, step_id, task, index)
        if step.state in s.STEP_FINAL:
            return
        state = _NODE_STATES.get(node.get("phase", ""), s.RUNNING)
        pod = _pod_of(workflow, node)
        tracking_run_id = step.tracking_run_id or self._tracking_run(run, pod)
        if tracking_run_id:
            step.tracking_run_id = tracking_run_id
            self._capture_log(step, pod)
        if state == s.RUNNING:
            self.engine.mark_step_running(run.run_id, step_id, node.get("id"), tracking_run_id)
            return
        outputs = {
            parameter["name"]: _json(parameter.get("value"))
            for parameter in (node.get("outputs") or {}).get("parameters") or []
        }
        self.engine.record_step_outputs(
            run.run_id, step_id, outputs, node.get("id"), tracking_run_id
        )
        if state == s.SUCCEEDED:
            self.engine.step_succeeded(run, step, outputs)
        elif state == s.NOT_TRIGGERED:
            condition = tasks[task].get("triggerPolicy", {}).get("condition", "")
            message = "condition is false: " + (condition or node.get("message", ""))
            self.engine.step_failed(run, step, message, state=state)
        else:
            self.engine.step_failed(
                run, step, node.get("message") or node.get("phase", ""), state=state
            )

    def _omit(
        self,
        run: PipelineRun,
        steps: dict[str, StepRun],
        step_id: str,
        task: str,
        index: int | None,
    ) -> None:
        """An Omitted node: NOT_TRIGGERED when only not-triggered steps blocked it, else
        SKIPPED, with the planner's message."""
        step = self._step(run, steps, step_id, task, index)
        if step.state in s.STEP_FINAL:
            return
        tasks = run.spec["root"]["dag"]["tasks"]
        loop = tasks[task].get("iterator")
        blocking = [
            other
            for other in steps.values()
            if other.task in tasks[task].get("dependentTasks", [])
            # a step of the same loop: only the same iteration's instance blocks
            and (
                index is None
                or tasks[other.task].get("iterator") != loop
                or other.iteration == index
            )
            and other.state in s.STEP_FINAL
            and other.state != s.SUCCEEDED
        ]
        state = (
            s.NOT_TRIGGERED
            if blocking and all(b.state == s.NOT_TRIGGERED for b in blocking)
            else s.SKIPPED
        )
        if blocking:
            first = blocking[0]
            verb = (
                "did not run"
                if first.state in (s.NOT_TRIGGERED, s.SKIPPED)
                else first.state.lower()
            )
            message = f"upstream step {first.step_id!r} {verb}"
        else:
            message = "an upstream step did not succeed"
        self.engine.detach_step(run.run_id, step_id)
        self.engine.step_failed(run, step, message, state=state)
        step.state = state

    def _retry_workflow(self, run: PipelineRun, workflow: dict[str, Any]) -> None:
        """``argo retry``: the failed pods deleted, the workflow written back Running."""
        retried, pods = retry_workflow(workflow, attempt=run.attempt)
        # The steps to run again forget the failed attempt's node and tracking run (their
        # re-run pods have the same names; their runs are told apart by the attempt).
        kept = retried["status"]["nodes"]
        for step in run.steps or []:
            node = kept.get(step.backend_ref or "")
            if step.state == s.PENDING and (node is None or node.get("phase") != "Succeeded"):
                self.engine.forget_step_attempt(run.run_id, step.step_id)
        for pod in pods:
            self.api.delete_if_exists(self.api.core.delete_namespaced_pod, pod, self.namespace)
        # A replace with the read resourceVersion: a workflow changed meanwhile (409) is
        # retried on the next reconcile, from its new state.
        self.api.call(
            self.api.custom.replace_namespaced_custom_object,
            _GROUP,
            _VERSION,
            self.namespace,
            _PLURAL,
            workflow["metadata"]["name"],
            retried,
        )
        log.info("pipeline run %s: workflow retried (attempt %d)", run.run_id, run.attempt)

    def _tracking_run(self, run: PipelineRun, pod: str | None) -> str | None:
        """The child run the step's runner created (tagged with the run, its pod and the
        run's attempt)."""
        if not pod:
            return None
        page = self.engine.tracking.search_runs(
            run.owner,
            [run.experiment_id],
            filter_string=(
                f"tags.`mlops.pipeline.run_id` = '{run.run_id}' "
                f"and tags.`mlops.pipeline.pod` = '{pod}' "
                f"and tags.`mlops.pipeline.attempt` = '{run.attempt}'"
            ),
            max_results=1,
        )
        return page.items[0].info.run_id if page.items else None

    def _capture_log(self, step: StepRun, pod: str | None) -> None:
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


def _step_of(
    node: dict[str, Any], nodes: dict[str, Any], tasks: dict[str, Any]
) -> tuple[str, str | None, int | None]:
    """The step instance a node stands for: ``<task>`` or an iteration ``<task>(<i>:<item>)``
    of the main DAG, or ``<task>`` in the DAG of a loop body's iteration ``<loop>(<i>:...)``
    (the node's boundary)."""
    display = str(node.get("displayName") or "")
    match = _ITERATION.match(display)
    if match:
        task, index = match["task"], int(match["index"])
    else:
        task, index = display, None
        boundary = nodes.get(str(node.get("boundaryID")))
        if boundary is not None and boundary.get("type") == "DAG":
            iteration = _ITERATION.match(str(boundary.get("displayName") or ""))
            if iteration and task in tasks and tasks[task].get("iterator") == iteration["task"]:
                index = int(iteration["index"])
    if task not in tasks:
        return display, None, None
    return instance_id(task, index), task, index


def _omitted_steps(
    node: dict[str, Any], nodes: dict[str, Any], spec: dict[str, Any]
) -> list[tuple[str, str, int | None]]:
    """The step instances an Omitted node stands for: its step's; a whole loop's (its task
    in the main DAG), one per item where the items are known, as the planner expands it."""
    dag = spec["root"]["dag"]
    tasks = dag["tasks"]
    step_id, task, index = _step_of(node, nodes, tasks)
    if task is not None and (index is not None or tasks[task].get("iterator") is None):
        return [(step_id, task, index)]
    if task is not None:  # a loop step of the main DAG
        loop, members = tasks[task]["iterator"], [task]
    else:  # a loop body's task: its loop's name
        loop = str(node.get("displayName"))
        members = [name for name, other in tasks.items() if other.get("iterator") == loop]
    if not members:
        return []
    source = dag.get("iterators", {}).get(loop, {}).get("parameterIterator", {}).get("items", {})
    if "runtimeValue" not in source:
        return [(member, member, None) for member in members]
    count = len(source["runtimeValue"]["constant"])
    return [(instance_id(m, i), m, i) for m in members for i in range(count)]


def _attempt(workflow: dict[str, Any]) -> int:
    """The run attempt the workflow runs (1 for workflows made before it was recorded)."""
    for parameter in (workflow.get("spec", {}).get("arguments") or {}).get("parameters") or []:
        if parameter.get("name") == ATTEMPT_PARAMETER:
            try:
                return int(parameter.get("value", 1))
            except (TypeError, ValueError):
                return 1
    return 1


def _pod_of(workflow: dict[str, Any], node: dict[str, Any]) -> str | None:
    """The pod of a step's node: its own, or its latest attempt's (a Retry node)."""
    if node.get("type") == "Pod":
        return pod_name(workflow, node)
    if node.get("type") == "Retry":
        nodes = (workflow.get("status") or {}).get("nodes") or {}
        attempts = [nodes[c] for c in node.get("children") or [] if c in nodes]
        pods = [a for a in attempts if a.get("type") == "Pod"]
        return pod_name(workflow, pods[-1]) if pods else None
    return None


def _json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _pipeline_outputs(run: PipelineRun) -> dict[str, Any]:
    steps = {step.step_id: step for step in run.steps or []}
    tasks = run.spec["root"]["dag"]["tasks"]
    outputs: dict[str, Any] = {}
    for key, output in run.spec["root"]["dag"].get("outputs", {}).get("parameters", {}).items():
        ref = output["valueFromParameter"]
        producer, name = ref["producerSubtask"], ref["outputParameterKey"]
        if tasks[producer].get("iterator") is not None:  # a loop's step: every iteration's
            iterations = sorted(
                (
                    step
                    for step in steps.values()
                    if step.task == producer and step.iteration is not None
                ),
                key=lambda step: step.iteration or 0,
            )
            outputs[key] = [step.outputs.get(name) for step in iterations]
            continue
        step = steps.get(producer)
        outputs[key] = None if step is None else step.outputs.get(name)
    return outputs
