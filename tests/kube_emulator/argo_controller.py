"""A test helper that plays Argo's workflow controller for the DAG Workflows our argo
backend compiles, with the pods' containers really run (:class:`jobs.PodRunner`).

What it does as Argo does (and what the tests therefore trust):
- Argo's Workflow CRD has no status subresource (``subresources: {}``): the controller
  writes whole Workflows, and so may a client (``argo retry`` does).
- Nodes as Argo names and links them: the root DAG node (id = the workflow's name), a node
  per task ``<wf>.<task>`` with id ``<wf>-<fnv32a(name)>``; a loop task is a TaskGroup
  whose children are its iterations ``<wf>.<task>(<i>:<item>)``; a template with a
  ``retryStrategy`` a Retry node whose children are the attempts' pods ``<name>(<n>)``
  (``nodeFlag.retried``). A task is a child of its dependencies' outbound nodes (its DAG's
  node for none). Pods are named as pod-name format v2: ``<wf>-<template>-<fnv32a(node)>``.
- A DAG template run by a task (a loop body, per iteration): a DAG node (its iteration
  ``<wf>.<task>(<i>:<item>)`` under the TaskGroup) whose tasks' nodes are named
  ``<its name>.<task>`` with it as ``boundaryID``; ``{{inputs.parameters.X}}`` are the
  task's arguments, ``{{tasks.X...}}`` its own tasks'; its ``outboundNodes`` are its leaf
  tasks' and its outputs, once it succeeded, its template's ``valueFrom.parameter``.
- ``depends`` (``X``, ``X.Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|
  AllFailed``, ``&&``, ``||``, ``!``) and legacy ``dependencies``; a task whose condition on
  its dependencies is false gets an Omitted node (type Skipped). ``when`` false: a Skipped
  node (per iteration in a loop). ``failFast`` (default true): no new task after a failure.
- ``{{tasks.X.outputs.parameters.Y}}`` of a loop task is the aggregate of its iterations'
  values, in iteration order, nodes without outputs left out; parsed items only when every
  value is a JSON object or list, else the values' text (``aggregatedJSONValueList``).
- Resuming: nodes that have finished are kept (a retried workflow re-runs only what is
  missing or Running); a pod that already exists under a node's pod name is adopted with
  its result instead of run again, which is why ``argo retry`` deletes the failed pods.
- ``spec.shutdown``: nothing new starts; the workflow fails "Stopped with strategy".
Steps run one after another in dependency order (no parallelism, no back-off waits).
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .resources import Resource
from .state import ApiError, Obj

WORKFLOW_API = "argoproj.io/v1alpha1"
OUTPUTS_ANNOTATION = "workflows.argoproj.io/outputs"
_DONE = frozenset({"Succeeded", "Failed", "Error", "Skipped", "Omitted"})
_FAILED = frozenset({"Failed", "Error"})
_REF = re.compile(r"\{\{([^}]+)\}\}")
_DEPENDS = re.compile(
    r"([A-Za-z0-9_-]+)(?:\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|AllFailed))?"
)
_INDEX = re.compile(r"\((\d+):")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fnv32a(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def aggregated_json_value_list(values: list[str]) -> str:
    """Argo's aggregate of a loop's output values (controller ``aggregatedJSONValueList``)."""
    parsed: list[Any] = []
    for value in values:
        try:
            item = json.loads(value)
        except json.JSONDecodeError:
            break
        if not isinstance(item, (dict, list)):
            break
        parsed.append(item)
    else:
        return json.dumps(parsed, separators=(",", ":"), sort_keys=True)
    return json.dumps(values, separators=(",", ":"))


class WorkflowRunner:
    """Plays the Argo controller: :meth:`run` operates one Workflow until it ends."""

    OUTPUTS_DIR = "/tmp/mlops-outputs"

    def __init__(self, pods: Any) -> None:
        self.pods = pods
        self.emulator = pods.emulator
        # Installed as Argo ships its CRD: no status subresource.
        self.emulator.state.resources.register(
            Resource("argoproj.io", "v1alpha1", "workflows", "Workflow", status_subresource=False)
        )

    def run(self, namespace: str, name: str) -> Obj:
        state = self.emulator.state
        resource = state.resource(WORKFLOW_API, "Workflow")
        workflow = state.get(resource, namespace, name)
        if (workflow.get("status") or {}).get("phase") in ("Succeeded", "Failed", "Error"):
            return workflow
        _Operation(self, workflow, namespace).operate()
        return state.replace(resource, namespace, name, workflow)


@dataclass
class _Scope:
    """A DAG template being run: the root DAG, or a loop iteration's nested DAG."""

    prefix: str  # the DAG node's name: its tasks' nodes are "<prefix>.<task>"
    boundary: str  # the DAG node's id (the boundaryID of its tasks' nodes)
    tasks: dict[str, Obj]
    fail_fast: bool
    inputs: dict[str, str] = field(default_factory=dict)


class _Operation:
    def __init__(self, runner: WorkflowRunner, workflow: Obj, namespace: str) -> None:
        self.runner = runner
        self.state = runner.emulator.state
        self.workflow = workflow
        self.namespace = namespace
        self.name: str = workflow["metadata"]["name"]
        spec = workflow["spec"]
        self.templates = {t["name"]: t for t in spec["templates"]}
        # spec.templateDefaults merges under every template (a strategic merge patch: for a
        # container's scalar and list fields, the template's own value wins).
        self.container_defaults: Obj = (spec.get("templateDefaults") or {}).get("container") or {}
        self.parameters = {
            p["name"]: p.get("value", "") for p in spec.get("arguments", {}).get("parameters", [])
        }
        self.stopping = bool(spec.get("shutdown"))
        self.status = workflow.setdefault("status", {})
        self.nodes: dict[str, Obj] = self.status.setdefault("nodes", {})

    def _scope(self, prefix: str, boundary: str, template: Obj, inputs: dict[str, str]) -> _Scope:
        dag = template["dag"]
        tasks = {t["name"]: t for t in dag["tasks"]}
        return _Scope(prefix, boundary, tasks, dag.get("failFast", True), inputs)

    # -- the pass ------------------------------------------------------------------------
    def operate(self) -> None:
        metadata = self.workflow["metadata"]
        metadata.setdefault("annotations", {}).setdefault(
            "workflows.argoproj.io/pod-name-format", "v2"
        )
        metadata.setdefault("labels", {})["workflows.argoproj.io/phase"] = "Running"
        self.status["phase"] = "Running"
        self.status.setdefault("startedAt", _now())
        entrypoint = self.workflow["spec"]["entrypoint"]
        root = self.nodes.setdefault(
            self.name,
            {
                "id": self.name,
                "name": self.name,
                "displayName": self.name,
                "type": "DAG",
                "templateName": entrypoint,
                "phase": "Running",
                "startedAt": _now(),
                "children": [],
            },
        )
        scope = self._scope(self.name, self.name, self.templates[entrypoint], {})
        failed_nodes = self._run_dag(scope, root)
        if self.stopping:
            phase, message = "Failed", "Stopped with strategy 'Terminate'"
        elif root["phase"] != "Succeeded":
            phase = "Failed"
            message = f"child '{failed_nodes[0]['id']}' failed" if failed_nodes else ""
        else:
            phase, message = "Succeeded", ""
        root["phase"] = phase
        self.status.update(phase=phase, message=message, finishedAt=_now())
        self.status["conditions"] = [{"type": "Completed", "status": "True"}]
        metadata["labels"]["workflows.argoproj.io/phase"] = phase
        metadata["labels"]["workflows.argoproj.io/completed"] = "true"

    def _run_dag(self, scope: _Scope, dag_node: Obj) -> list[Obj]:
        """Runs what is left of a DAG; ends its node; returns its failed task nodes."""
        for task_name in self._order(scope):
            node = self._node(f"{scope.prefix}.{task_name}")
            if node is not None and node["phase"] in _DONE:
                continue
            failed = any(
                n["phase"] in _FAILED for n in self._task_nodes(scope).values() if n is not None
            )
            if node is None and (self.stopping or (scope.fail_fast and failed)):
                continue  # never started
            self._execute_task(scope, task_name, node)
        task_nodes = self._task_nodes(scope)
        failed_nodes = [n for n in task_nodes.values() if n is not None and n["phase"] in _FAILED]
        missing = any(n is None for n in task_nodes.values())
        dag_node["phase"] = "Failed" if failed_nodes or missing else "Succeeded"
        dag_node["finishedAt"] = _now()
        dag_node["outboundNodes"] = [
            outbound
            for task_name, node in task_nodes.items()
            if node is not None and not self._dependents(scope, task_name)
            for outbound in self._outbound(node)
        ]
        return failed_nodes

    def _order(self, scope: _Scope) -> list[str]:
        order: list[str] = []

        def visit(task: str) -> None:
            if task not in order:
                for dependency in self._dependencies(scope, task):
                    visit(dependency)
                order.append(task)

        for task in scope.tasks:
            visit(task)
        return order

    def _dependencies(self, scope: _Scope, task: str) -> list[str]:
        spec = scope.tasks[task]
        if "depends" in spec:
            return [
                m.group(1) for m in _DEPENDS.finditer(spec["depends"]) if m.group(1) in scope.tasks
            ]
        return list(spec.get("dependencies", []))

    def _dependents(self, scope: _Scope, task: str) -> list[str]:
        return [other for other in scope.tasks if task in self._dependencies(scope, other)]

    def _task_nodes(self, scope: _Scope) -> dict[str, Obj | None]:
        return {task: self._node(f"{scope.prefix}.{task}") for task in scope.tasks}

    def _node(self, node_name: str) -> Obj | None:
        return self.nodes.get(self._id(node_name))

    def _id(self, node_name: str) -> str:
        return self.name if node_name == self.name else f"{self.name}-{_fnv32a(node_name)}"

    # -- a task ----------------------------------------------------------------------------
    def _depends_hold(self, scope: _Scope, task: str) -> bool:
        spec = scope.tasks[task]
        nodes = {d: self._node(f"{scope.prefix}.{d}") for d in self._dependencies(scope, task)}
        if "depends" not in spec:
            return all(
                n is not None and n["phase"] in ("Succeeded", "Skipped") for n in nodes.values()
            )

        def result(match: re.Match[str]) -> str:
            node = nodes.get(match.group(1))
            if match.group(1) not in nodes:
                return match.group(0)
            phase = "" if node is None else node["phase"]
            children = [self.nodes[c] for c in (node or {}).get("children", []) if c in self.nodes]
            value = {
                None: phase in ("Succeeded", "Skipped"),
                "Succeeded": phase == "Succeeded",
                "Failed": phase == "Failed",
                "Errored": phase == "Error",
                "Skipped": phase == "Skipped",
                "Omitted": phase == "Omitted",
                "Daemoned": False,
                "AnySucceeded": any(c["phase"] == "Succeeded" for c in children),
                "AllFailed": bool(children) and all(c["phase"] in _FAILED for c in children),
            }[match.group(2)]
            return str(value)

        expression = _DEPENDS.sub(result, spec["depends"])
        expression = expression.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
        return bool(eval(expression, {"__builtins__": {}}))

    def _execute_task(self, scope: _Scope, task_name: str, node: Obj | None) -> None:
        task = scope.tasks[task_name]
        node_name = f"{scope.prefix}.{task_name}"
        template = task["template"]
        if node is None:
            if not self._depends_hold(scope, task_name):
                node = self._new(node_name, task_name, "Skipped", template, "Omitted", scope)
                node["message"] = "omitted: depends condition not met"
                self._link(scope, task_name, node)
                return
            looped = "withItems" in task or "withParam" in task
            if not looped and "when" in task and not self._when(scope, task["when"], None):
                node = self._new(node_name, task_name, "Skipped", template, "Skipped", scope)
                node["message"] = f"when '{self._substitute(scope, task['when'])}' evaluated false"
                self._link(scope, task_name, node)
                return
        if "withItems" in task or "withParam" in task:
            self._loop(scope, task_name, node)
        else:
            created = node is None
            node = self._execute(scope, task, node_name, task_name, None, node)
            if created:
                self._link(scope, task_name, node)

    def _loop(self, scope: _Scope, task_name: str, group: Obj | None) -> None:
        task = scope.tasks[task_name]
        node_name = f"{scope.prefix}.{task_name}"
        if "withItems" in task:
            items: list[Any] = list(task["withItems"])
        else:
            items = json.loads(self._substitute(scope, task["withParam"]))
        if group is None:
            if not items:
                group = self._new(
                    node_name, task_name, "Skipped", task["template"], "Skipped", scope
                )
                group["message"] = "Skipped, empty params"
                self._link(scope, task_name, group)
                return
            group = self._new(node_name, task_name, "TaskGroup", task["template"], "Running", scope)
            self._link(scope, task_name, group)
        children = group.setdefault("children", [])
        for index, item in enumerate(items):
            display = f"{task_name}({index}:{_item_text(item)})"
            child_name = f"{scope.prefix}.{display}"
            child = self._node(child_name)
            if child is not None and child["phase"] in _DONE:
                continue
            if child is None and "when" in task and not self._when(scope, task["when"], item):
                child = self._new(
                    child_name, display, "Skipped", task["template"], "Skipped", scope
                )
                message = self._substitute(scope, task["when"], item)
                child["message"] = f"when '{message}' evaluated false"
            else:
                child = self._execute(scope, task, child_name, display, item, child)
            if child["id"] not in children:
                children.append(child["id"])
        states = [self.nodes[c]["phase"] for c in children]
        group["phase"] = "Failed" if any(p in _FAILED for p in states) else "Succeeded"
        group["finishedAt"] = _now()
        group["outboundNodes"] = [o for c in children for o in self._outbound(self.nodes[c])]

    def _execute(
        self, scope: _Scope, task: Obj, node_name: str, display: str, item: Any, node: Obj | None
    ) -> Obj:
        template = self.templates[task["template"]]
        inputs = {
            p["name"]: self._substitute(scope, p["value"], item, scope.inputs)
            for p in task.get("arguments", {}).get("parameters", [])
        }
        if "dag" in template:
            return self._execute_dag(scope, template, node_name, display, inputs, node)
        retry = template.get("retryStrategy")
        if retry is None:
            return self._run_pod(scope, template, node_name, display, inputs, item, retried=False)
        if node is None:
            node = self._new(node_name, display, "Retry", template["name"], "Running", scope)
        attempts = node.setdefault("children", [])
        limit = int(retry.get("limit", 0))
        last = self.nodes[attempts[-1]] if attempts else None
        # A Retry node set Running again (by a retry) ends as its last attempt did, or
        # goes on with attempts while some are left.
        while last is None or (last["phase"] != "Succeeded" and len(attempts) <= limit):
            number = len(attempts)
            pod = self._run_pod(
                scope,
                template,
                f"{node_name}({number})",
                f"{display}({number})",
                inputs,
                item,
                retried=True,
            )
            attempts.append(pod["id"])
            last = pod
        node.update(
            phase=last["phase"], message=last.get("message", ""), outputs=last.get("outputs", {})
        )
        node["finishedAt"] = _now()
        return node

    def _execute_dag(
        self,
        scope: _Scope,
        template: Obj,
        node_name: str,
        display: str,
        inputs: dict[str, str],
        node: Obj | None,
    ) -> Obj:
        """A DAG template as a task (a loop iteration's body): a DAG node whose tasks' nodes
        are named "<its name>.<task>"; its outputs are its template's, read in its scope."""
        if node is None:
            node = self._new(node_name, display, "DAG", template["name"], "Running", scope)
        node["inputs"] = {"parameters": [{"name": k, "value": v} for k, v in inputs.items()]}
        inner = self._scope(node_name, node["id"], template, inputs)
        self._run_dag(inner, node)
        if node["phase"] == "Succeeded":
            node["outputs"] = {
                "parameters": [
                    {
                        "name": p["name"],
                        "value": self._substitute(inner, p["valueFrom"]["parameter"]),
                    }
                    for p in (template.get("outputs") or {}).get("parameters", [])
                ]
            }
        return node

    def _run_pod(
        self,
        scope: _Scope,
        template: Obj,
        node_name: str,
        display: str,
        inputs: dict[str, str],
        item: Any,
        *,
        retried: bool,
    ) -> Obj:
        pod_name = f"{self.name}-{template['name']}-{_fnv32a(node_name)}"
        adopted = self._finished_pod(pod_name)
        if adopted is not None:
            code, parameters = adopted
        else:
            code, parameters = self._create_and_run_pod(
                scope, template, pod_name, node_name, inputs, item
            )
        node = self._new(
            node_name,
            display,
            "Pod",
            template["name"],
            "Succeeded" if code == 0 else "Failed",
            scope,
        )
        node.update(
            message="" if code == 0 else f"Error (exit code {code})",
            finishedAt=_now(),
            inputs={"parameters": [{"name": k, "value": v} for k, v in inputs.items()]},
            outputs={"parameters": parameters, "exitCode": str(code)},
            hostNodeName="node-1",
        )
        if retried:
            node["nodeFlag"] = {"retried": True}
        return node

    def _finished_pod(self, pod_name: str) -> tuple[int, list[Obj]] | None:
        """(exit code, output parameters) of a finished pod of this node that is there
        already (not deleted before a retry), to adopt; None: there is none."""
        pods = self.state.resource("v1", "Pod")
        existing = self.state.find(pods, self.namespace, pod_name)
        if existing is None or existing.get("status", {}).get("phase") not in _FAILED | {
            "Succeeded"
        }:
            return None
        code = 0 if existing["status"]["phase"] == "Succeeded" else 1
        annotation = (existing["metadata"].get("annotations") or {}).get(OUTPUTS_ANNOTATION)
        parameters = json.loads(annotation)["parameters"] if annotation else []
        return code, parameters

    def _create_and_run_pod(
        self,
        scope: _Scope,
        template: Obj,
        pod_name: str,
        node_name: str,
        inputs: dict[str, str],
        item: Any,
    ) -> tuple[int, list[Obj]]:
        """Creates the node's pod and runs it (a real step runner); (exit code, output
        parameters), which the pod keeps in an annotation, as Argo's executor does."""
        pods = self.state.resource("v1", "Pod")
        folder = tempfile.mkdtemp(prefix="argo-outputs-")
        container = {**self.container_defaults, **template["container"]}
        container["name"] = "main"
        container["args"] = [
            self._substitute(scope, arg, item, inputs)
            .replace("{{pod.name}}", pod_name)
            .replace(WorkflowRunner.OUTPUTS_DIR, folder)
            for arg in container.get("args", [])
        ]
        try:
            pod = self.state.create(
                pods,
                self.namespace,
                {
                    "metadata": {
                        "name": pod_name,
                        "namespace": self.namespace,
                        "labels": {"workflows.argoproj.io/workflow": self.name},
                        "annotations": {"workflows.argoproj.io/node-name": node_name},
                    },
                    "spec": {"containers": [container], "restartPolicy": "Never"},
                    "status": {"phase": "Pending"},
                },
            )
        except ApiError as exc:  # a running pod of that name: not something we play
            raise AssertionError(f"pod {pod_name} exists: {exc}") from None
        code = self.runner.pods.run_pod(pod)
        parameters = []
        for parameter in (template.get("outputs") or {}).get("parameters", []):
            path = Path(parameter["valueFrom"]["path"].replace(WorkflowRunner.OUTPUTS_DIR, folder))
            if code == 0 and path.exists():
                parameters.append({"name": parameter["name"], "value": path.read_text()})
        self.state.patch(
            pods,
            self.namespace,
            pod_name,
            {
                "metadata": {
                    "annotations": {OUTPUTS_ANNOTATION: json.dumps({"parameters": parameters})}
                }
            },
            "application/merge-patch+json",
        )
        return code, parameters

    # -- nodes -----------------------------------------------------------------------------
    def _new(
        self, node_name: str, display: str, type_: str, template: str, phase: str, scope: _Scope
    ) -> Obj:
        node = {
            "id": self._id(node_name),
            "name": node_name,
            "displayName": display,
            "type": type_,
            "templateName": template,
            "templateScope": f"local/{self.name}",
            "phase": phase,
            "boundaryID": scope.boundary,
            "startedAt": _now(),
        }
        if phase in _DONE:
            node["finishedAt"] = _now()
        self.nodes[node["id"]] = node
        return node

    def _link(self, scope: _Scope, task_name: str, node: Obj) -> None:
        """A task's node is a child of its dependencies' outbound nodes (else of its DAG's
        node)."""
        parents: list[str] = []
        for dependency in self._dependencies(scope, task_name):
            upstream = self._node(f"{scope.prefix}.{dependency}")
            if upstream is not None:
                parents += self._outbound(upstream)
        for parent in parents or [scope.boundary]:
            children = self.nodes[parent].setdefault("children", [])
            if node["id"] not in children:
                children.append(node["id"])

    def _outbound(self, node: Obj) -> list[str]:
        children = [self.nodes[c] for c in node.get("children", []) if c in self.nodes]
        if node["type"] == "Retry" and children:
            return [children[-1]["id"]]
        if node["type"] == "TaskGroup" and children:
            return [o for child in children for o in self._outbound(child)]
        if node["type"] == "DAG" and node.get("outboundNodes"):
            return list(node["outboundNodes"])
        return [node["id"]]

    # -- values ----------------------------------------------------------------------------
    def _when(self, scope: _Scope, expression: str, item: Any) -> bool:
        text = self._substitute(scope, expression, item, scope.inputs)
        text = text.replace("&&", " and ").replace("||", " or ")
        names: dict[str, Any] = {"true": True, "false": False, "null": None, "__builtins__": {}}
        return bool(eval(text, names))

    def _substitute(
        self,
        scope: _Scope,
        text: str,
        item: Any = None,
        inputs: dict[str, str] | None = None,
    ) -> str:
        def value(match: re.Match[str]) -> str:
            expression = match.group(1).strip()
            if expression.startswith("workflow.parameters."):
                return str(self.parameters[expression.split(".", 2)[2]])
            if expression.startswith("tasks."):
                _, task, _, _, key = expression.split(".", 4)
                return self._output(scope, task, key)
            if expression == "item":
                return item if isinstance(item, str) else json.dumps(item)
            if expression.startswith("item."):
                member = item[expression[5:]]
                return member if isinstance(member, str) else json.dumps(member)
            if expression.startswith("inputs.parameters.") and inputs is not None:
                return inputs[expression[len("inputs.parameters.") :]]
            return match.group(0)

        return _REF.sub(value, text)

    def _output(self, scope: _Scope, task: str, key: str) -> str:
        node = self._node(f"{scope.prefix}.{task}")
        if node is None:
            raise AssertionError(f"{{{{tasks.{task}...}}}} before {task} ran")
        if node["type"] == "TaskGroup":
            children = sorted(
                (self.nodes[c] for c in node.get("children", [])),
                key=lambda child: int(_INDEX.search(child["displayName"]).group(1)),  # type: ignore[union-attr]
            )
            values = [
                p["value"]
                for child in children
                for p in (child.get("outputs") or {}).get("parameters") or []
                if p["name"] == key
            ]
            return aggregated_json_value_list(values)
        for parameter in (node.get("outputs") or {}).get("parameters") or []:
            if parameter["name"] == key:
                return str(parameter["value"])
        raise AssertionError(f"{task} has no output {key}")


def _item_text(item: Any) -> str:
    if isinstance(item, str):
        return item
    return json.dumps(item, separators=(",", ":"))
