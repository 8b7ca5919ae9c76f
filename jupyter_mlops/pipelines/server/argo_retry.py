"""What ``argo retry`` does to a failed Workflow, without the Argo server (pure).

As Argo's ``FormulateRetryWorkflow``: every failed or errored pod node (a retried attempt
counts through its Retry node, and not at all when a later attempt succeeded) is removed
from ``status.nodes`` with everything downstream of it (its children: the steps that
depend on it, omitted ones included); the group nodes above it (the DAG, a loop's
TaskGroup, a loop body's iteration DAG and that loop's TaskGroup, a Retry node) go back to
Running; the workflow is Running again, without its ``completed`` label, ``shutdown`` or
end time. The controller then resumes it: nodes that succeeded are kept with their
outputs, the removed ones run again. The caller deletes the returned pods first (a re-run
pod has the same name) and then writes the workflow back.
"""

from __future__ import annotations

import copy
from collections import deque
from datetime import datetime, timezone
from typing import Any

from ...errors import InvalidState
from .argo_workflow import ATTEMPT_PARAMETER, pod_name

COMPLETED_LABEL = "workflows.argoproj.io/completed"
PHASE_LABEL = "workflows.argoproj.io/phase"
_ARCHIVING_LABEL = "workflows.argoproj.io/workflow-archiving-status"
_GROUPS = frozenset({"DAG", "TaskGroup", "Steps", "StepGroup"})
_EXECUTIONS = frozenset({"Pod", "Container", "HTTP", "Plugin"})


def retry_workflow(
    workflow: dict[str, Any], *, attempt: int, now: datetime | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The workflow to write back, and the pods to delete before writing it."""
    status = workflow.get("status") or {}
    phase = status.get("phase")
    if phase not in ("Failed", "Error"):
        raise InvalidState(
            f"Workflow {workflow['metadata']['name']} is {phase or 'not started'}; only a "
            "Failed or Error workflow can be retried",
            field="run_id",
        )
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    retried = copy.deepcopy(workflow)
    _reset_workflow(retried, attempt, stamp)

    nodes: dict[str, Any] = status.get("nodes") or {}
    parents = {
        child: node_id for node_id, node in nodes.items() for child in node.get("children") or []
    }
    to_delete: set[str] = set()
    to_reset: set[str] = set()
    for start in _breadth_first(nodes, workflow["metadata"]["name"]):
        if start in to_delete or not _failed(nodes, parents, start):
            continue
        to_delete |= {start, *_descendants(nodes, start)}
        to_reset |= _path_to_reset(nodes, parents, start)
    kept: dict[str, Any] = {}
    for node_id, node in nodes.items():
        if node_id in to_delete:
            continue
        node = copy.deepcopy(node)
        if node_id in to_reset:
            node["phase"] = "Skipped" if node.get("phase") == "Skipped" else "Running"
            node["message"] = ""
            node["startedAt"] = stamp
            node.pop("finishedAt", None)
        for key in ("children", "outboundNodes"):
            if key in node:
                node[key] = [other for other in node[key] if other not in to_delete]
        kept[node_id] = node
    retried["status"]["nodes"] = kept
    pods = sorted(
        {pod_name(workflow, nodes[i]) for i in to_delete if nodes[i].get("type") == "Pod"}
    )
    return retried, pods


def _reset_workflow(workflow: dict[str, Any], attempt: int, stamp: str) -> None:
    metadata = workflow["metadata"]
    labels = metadata.setdefault("labels", {})
    labels.pop(COMPLETED_LABEL, None)
    labels.pop(_ARCHIVING_LABEL, None)
    labels[PHASE_LABEL] = "Running"
    status = workflow.setdefault("status", {})
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != "Completed"]
    status["conditions"] = [*conditions, {"type": "Completed", "status": "False"}]
    status["phase"] = "Running"
    status["message"] = ""
    status["startedAt"] = stamp
    status.pop("finishedAt", None)
    status["persistentVolumeClaims"] = []
    stored = status.get("storedWorkflowTemplateSpec")
    spec = workflow["spec"]
    spec.pop("shutdown", None)
    if spec.get("activeDeadlineSeconds") == 0:  # a terminated workflow's deadline
        spec.pop("activeDeadlineSeconds")
    # As `argo retry -p mlops-attempt=N`: re-run steps tag their tracking runs with it.
    for holder in (spec, stored or {}):
        parameters = (holder.get("arguments") or {}).get("parameters") or []
        for parameter in parameters:
            if parameter.get("name") == ATTEMPT_PARAMETER:
                parameter["value"] = str(attempt)
    if stored:
        stored.pop("shutdown", None)


def _breadth_first(nodes: dict[str, Any], root: str) -> list[str]:
    """Node ids from the root down (upstream failures first, as Argo orders them)."""
    order: list[str] = []
    seen: set[str] = set()
    queue = deque([root] if root in nodes else [])
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        order.append(current)
        queue.extend(nodes[current].get("children") or [])
    return order


def _descendants(nodes: dict[str, Any], start: str) -> set[str]:
    found: set[str] = set()
    queue = deque(nodes[start].get("children") or [])
    while queue:
        current = queue.popleft()
        if current in found or current not in nodes:
            continue
        found.add(current)
        queue.extend(nodes[current].get("children") or [])
    return found


def _failed(nodes: dict[str, Any], parents: dict[str, str], node_id: str) -> bool:
    """A failed execution node whose step has no succeeded attempt or successor."""
    node = nodes[node_id]
    if node.get("type") not in _EXECUTIONS or node.get("phase") not in ("Failed", "Error"):
        return False
    owner = node_id
    if (node.get("nodeFlag") or {}).get("retried") and node_id in parents:
        owner = parents[node_id]  # an attempt: its Retry node stands for the step
    return not any(nodes[d].get("phase") == "Succeeded" for d in _descendants(nodes, owner))


def _path_to_reset(nodes: dict[str, Any], parents: dict[str, str], start: str) -> set[str]:
    """The Retry and group nodes between ``start`` and the root, up its boundaries."""
    reset: set[str] = set()
    current: str | None = parents.get(start)
    while current is not None:
        node = nodes[current]
        if node.get("type") == "Retry":
            reset.add(current)
        elif node.get("type") in _GROUPS:
            reset.add(current)
            group = parents.get(current)
            if group is not None and nodes[group].get("type") == "TaskGroup":
                reset.add(group)  # a loop iteration's DAG (a loop body): its loop too
            # Up to the node that bounds it (a TaskGroup's DAG), past dependency nodes.
            boundary = node.get("boundaryID")
            while boundary and current != boundary:
                current = parents.get(current)
                if current is None:
                    break
            if current is not None and boundary:
                reset.add(current)
        current = parents.get(current) if current is not None else None
    return reset
