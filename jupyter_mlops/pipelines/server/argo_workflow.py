"""Compile a pipeline run into one Argo Workflow (pure), and name what Argo makes of it.

Each task becomes a container template running the step runner, and a task of the
``main`` DAG template with ``depends`` (every upstream task ``.Succeeded``, so that a
step after a failed or not-triggered one does not run, as on the other backends),
``when`` (conditions), ``withItems`` / ``withParam`` (loops) and ``retryStrategy``. The
DAG has ``failFast: false``: independent branches still finish after a failure. Values
travel as JSON text: pipeline parameters as workflow parameters, step outputs as Argo
output parameters read from ``/tmp/mlops-outputs/<name>.json`` (the runner writes them
there and also uploads them to the step's tracking run). Each step's runner creates its
own child tracking run, tagged with its pod and the run's attempt (the workflow
parameter ``mlops-attempt``, which retry-from-failure raises).

A loop whose steps depend on each other (KFP's ``ParallelFor`` with several chained steps)
runs as Argo and KFP run it: its body becomes a DAG template of its own, invoked by one
task of the main DAG (named as the loop, ``for-loop-1``) with ``withItems`` /
``withParam``. The item, and what the body's steps take from outside the loop (other
steps' outputs), arrive as the body's input parameters; inside (``failFast: false`` too),
its steps wait for each other by ``depends`` and read each other's outputs of the same
iteration; the outputs that steps after the loop consume leave it as the body's output
parameters (``<step>-<output>``, ``valueFrom.parameter``). The loop's task waits for every
step outside the loop that one of its steps needs (Argo omits the whole loop if one of
them fails, where the other backends would still run the body's steps that do not need
it). Loops whose steps are independent stay one task per step.

Fan-in (a step outside a loop taking an output of a step inside it) reads Argo's
aggregate ``{{tasks.<loop task>.outputs.parameters.<name>}}``: a JSON list of the
iterations' values in iteration order, whose items are the values' JSON text unless every
value is an object or a list (Argo then parses them). The runner's ``--input-list``
turns that into the list of values.

Refused (a message naming the field), because Argo cannot give what the other backends
give: a fan-in from a loop step that has, or runs after, a condition in its loop (in a
loop of separate tasks: any step of the loop with a condition; a skipped iteration would
shorten the list, or leave a body without its output, where the other backends do not
run the consumer), a condition on a loop's outputs, and loop items taken from a loop's
outputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...errors import InvalidParameter
from ...kube.labels import managed_labels
from ..spec.document import parse_duration
from .manifests import (
    ARGO_OUTPUTS_DIR,
    COMPONENT,
    RUN_LABEL,
    STEP_ANNOTATION,
    TOKEN_SECRET,
    _env,
    resources_of,
    runner_command,
)

WORKFLOW_API_VERSION = "argoproj.io/v1alpha1"
#: The workflow parameter holding the run's attempt (tags the steps' tracking runs).
ATTEMPT_PARAMETER = "mlops-attempt"
#: Where Argo records how it names pods ("v1": the node id; "v2", the default: below).
POD_NAME_FORMAT_ANNOTATION = "workflows.argoproj.io/pod-name-format"
_TTL_S = 3600
_MAX_POD_PREFIX = 253 - 10 - 1  # Argo keeps room for "-<hash>" in a resource name


def workflow_name(run_id: str) -> str:
    return f"mlops-{run_id[:20]}"


def template_name(task: str) -> str:
    return f"step-{task}".replace("_", "-").replace(".", "-")[:63]


def body_template_name(loop: str) -> str:
    return f"loop-{loop}".replace("_", "-").replace(".", "-")[:63]


@dataclass(frozen=True)
class _Run:
    """What the step templates of one run share."""

    run_id: str
    parent_run_id: str | None
    experiment_id: str
    tracking_url: str
    default_image: str
    token_secret: str
    labels: dict[str, str]


def build_workflow(
    *,
    run_id: str,
    spec: dict[str, Any],
    arguments: dict[str, Any],
    owner: str,
    namespace: str,
    tracking_url: str,
    parent_run_id: str | None,
    experiment_id: str,
    default_image: str,
    service_account: str | None = None,
    attempt: int = 1,
    token_secret: str = TOKEN_SECRET,
) -> dict[str, Any]:
    dag = spec["root"]["dag"]
    tasks: dict[str, Any] = dag["tasks"]
    labels = managed_labels(COMPONENT, owner, spec["pipelineInfo"]["name"])
    labels[RUN_LABEL] = run_id
    run = _Run(
        run_id, parent_run_id, experiment_id, tracking_url, default_image, token_secret, labels
    )
    scopes = _Scopes(tasks, dag.get("iterators", {}))
    templates: list[dict[str, Any]] = []
    dag_tasks: list[dict[str, Any]] = []
    for name, task in tasks.items():
        component = spec["components"][task["componentRef"]["name"]]
        executor = spec["deploymentSpec"]["executors"][component["executorLabel"]]
        template, task_arguments = _step_template(name, task, component, executor, scopes, run)
        templates.append(template)
        dag_task = _dag_task(name, task, task_arguments, scopes)
        loop = task.get("iterator")
        if loop in scopes.bodies:
            scopes.bodies[loop]["dag"]["tasks"].append(dag_task)
            if loop not in {t["name"] for t in dag_tasks}:
                dag_tasks.append({"name": loop, "template": body_template_name(loop)})
            continue
        if loop is not None:
            dag_task.update(scopes.loop_items(loop))
        dag_tasks.append(dag_task)
    templates.extend(_loop_bodies_wired(scopes, dag_tasks))
    workflow_spec = _workflow_spec(dag_tasks, templates, arguments, attempt, service_account)
    return {
        "apiVersion": WORKFLOW_API_VERSION,
        "kind": "Workflow",
        "metadata": {"name": workflow_name(run_id), "namespace": namespace, "labels": labels},
        "spec": workflow_spec,
    }


def _step_template(
    name: str,
    task: dict[str, Any],
    component: dict[str, Any],
    executor: dict[str, Any],
    scopes: _Scopes,
    run: _Run,
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The container template of a step, and the arguments its DAG task hands it."""
    outputs = component.get("outputDefinitions", {}).get("parameters", {})
    given = task.get("inputs", {}).get("parameters", {})
    runner_task = _runner_task(name, executor, outputs, run)
    args = ["--task-json", json.dumps(runner_task, separators=(",", ":"))]
    task_arguments: list[dict[str, str]] = []
    for key, ref in given.items():
        field = f"root.dag.tasks.{name}.inputs.parameters.{key}"
        flag = {"item": "--input-text", "fan-in": "--input-list"}.get(
            scopes.kind(ref, name, field), "--input"
        )
        args += [flag, f"{key}={{{{inputs.parameters.{key}}}}}"]
        task_arguments.append({"name": key, "value": scopes.value(ref, name)})
    template: dict[str, Any] = {
        "name": template_name(name),
        "metadata": {"labels": dict(run.labels), "annotations": {STEP_ANNOTATION: name}},
        "container": {
            "image": executor.get("image") or run.default_image,
            "args": args,
            "env": _env(run.tracking_url, dict(executor.get("env") or {}), run.token_secret),
            "resources": resources_of(executor),
        },
    }
    if given:
        template["inputs"] = {"parameters": [{"name": key} for key in given]}
    if outputs:
        template["outputs"] = {
            "parameters": [
                {"name": key, "valueFrom": {"path": f"{ARGO_OUTPUTS_DIR}/{key}.json"}}
                for key in outputs
            ]
        }
    retry = task.get("retryPolicy")
    if retry and retry.get("maxRetryCount"):
        template["retryStrategy"] = {
            "limit": str(retry["maxRetryCount"]),
            "retryPolicy": "OnFailure",
            "backoff": {
                "duration": retry.get("backoffDuration", "1s"),
                "factor": str(retry.get("backoffFactor", 2)),
                "maxDuration": retry.get("backoffMaxDuration", "3600s"),
            },
        }
    if "timeout" in task:
        template["activeDeadlineSeconds"] = str(int(parse_duration(task["timeout"])) or 1)
    return template, task_arguments


def _runner_task(
    name: str, executor: dict[str, Any], outputs: dict[str, Any], run: _Run
) -> dict[str, Any]:
    """The step runner's ``--task-json``: what to run, where its outputs go, its tracking."""
    return {
        "executor": executor,
        "inputs": {},
        "outputs": {key: value["parameterType"] for key, value in outputs.items()},
        "outputsDir": ARGO_OUTPUTS_DIR,
        "uploadOutputs": True,
        "tracking": {
            "parentRunId": run.parent_run_id,
            "experimentId": run.experiment_id,
            "runName": name,
            # The pod's name tells loop iterations' runs apart (Argo fills it in), the
            # attempt a retried step's run from the failed one (same pod name).
            "tags": {
                "mlops.pipeline.run_id": run.run_id,
                "mlops.pipeline.step": name,
                "mlops.pipeline.pod": "{{pod.name}}",
                "mlops.pipeline.attempt": f"{{{{workflow.parameters.{ATTEMPT_PARAMETER}}}}}",
            },
        },
    }


def _dag_task(
    name: str, task: dict[str, Any], task_arguments: list[dict[str, str]], scopes: _Scopes
) -> dict[str, Any]:
    """The step's task in its DAG (the main one, or its loop's body): what it waits for,
    what it is given and when it runs."""
    tasks = scopes.tasks
    loop = task.get("iterator")
    dag_task: dict[str, Any] = {"name": name, "template": template_name(name)}
    in_body = loop in scopes.bodies
    # In a body, its steps' order; the loop's task waits for what is outside it.
    depends = dict.fromkeys(
        dependency if in_body else scopes.dag_task(dependency)
        for dependency in task.get("dependentTasks", [])
        if not in_body or tasks[dependency].get("iterator") == loop
    )
    if depends:
        dag_task["depends"] = " && ".join(f"{d}.Succeeded" for d in depends)
    if task_arguments:
        dag_task["arguments"] = {"parameters": task_arguments}
    conditions = task.get("triggerPolicy", {}).get("conditions", [])
    if conditions:
        field = f"root.dag.tasks.{name}.triggerPolicy.conditions"
        dag_task["when"] = " && ".join(
            " ".join(
                (
                    scopes.operand(c["left"], name, field),
                    c["operator"],
                    scopes.operand(c["right"], name, field),
                )
            )
            for c in conditions
        )
    return dag_task


def _loop_bodies_wired(scopes: _Scopes, dag_tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The loops' body templates, their inputs and outputs declared, once each body's task
    in the main DAG has its items and what its steps need from outside the loop (upstream
    steps and values, handed in as input parameters)."""
    tasks = scopes.tasks
    bodies = []
    for loop, body in scopes.bodies.items():
        outer = next(t for t in dag_tasks if t["name"] == loop)
        external = dict.fromkeys(
            scopes.dag_task(dependency)
            for member in scopes.members(loop)
            for dependency in tasks[member].get("dependentTasks", [])
            if tasks[dependency].get("iterator") != loop
        )
        if external:
            outer["depends"] = " && ".join(f"{d}.Succeeded" for d in external)
        passed = scopes.body_inputs[loop]
        if passed:
            outer["arguments"] = {
                "parameters": [{"name": key, "value": value} for key, value in passed.items()]
            }
            body["inputs"] = {"parameters": [{"name": key} for key in passed]}
        outer.update(scopes.loop_items(loop))
        exported = scopes.exports[loop]
        if exported:
            body["outputs"] = {
                "parameters": [
                    {"name": key, "valueFrom": {"parameter": value}}
                    for key, value in exported.items()
                ]
            }
        bodies.append(body)
    return bodies


def _workflow_spec(
    dag_tasks: list[dict[str, Any]],
    templates: list[dict[str, Any]],
    arguments: dict[str, Any],
    attempt: int,
    service_account: str | None,
) -> dict[str, Any]:
    workflow_spec: dict[str, Any] = {
        "entrypoint": "main",
        "arguments": {
            "parameters": [
                *({"name": key, "value": json.dumps(value)} for key, value in arguments.items()),
                {"name": ATTEMPT_PARAMETER, "value": str(attempt)},
            ]
        },
        # Pods stay until the workflow is deleted: the server copies their logs first.
        "ttlStrategy": {"secondsAfterCompletion": _TTL_S},
        "automountServiceAccountToken": bool(service_account),
        # The runner's bootstrap (~4 kB) once for every step, not in each step's template:
        # a Workflow is one Kubernetes object, and etcd caps those at ~1.5 MB.
        "templateDefaults": {"container": {"command": runner_command()}},
        "templates": [
            {"name": "main", "dag": {"failFast": False, "tasks": dag_tasks}},
            *templates,
        ],
    }
    if service_account:
        workflow_spec["serviceAccountName"] = service_account
    return workflow_spec


def loop_bodies(tasks: dict[str, Any]) -> set[str]:
    """The loops whose steps take something of each other (an output, an order, a value in
    a condition): each runs as a DAG template of its own (the body), invoked once per item,
    so that a step gets what its own iteration made."""
    bodies: set[str] = set()
    for task in tasks.values():
        loop = task.get("iterator")
        if loop is None:
            continue
        conditions = task.get("triggerPolicy", {}).get("conditions", [])
        refs = [
            *task.get("inputs", {}).get("parameters", {}).values(),
            *(c[side] for c in conditions for side in ("left", "right")),
        ]
        upstream = {
            *task.get("dependentTasks", []),
            *(r["taskOutputParameter"]["producerTask"] for r in refs if "taskOutputParameter" in r),
        }
        if any(tasks[other].get("iterator") == loop for other in upstream):
            bodies.add(loop)
    return bodies


class _Scopes:
    """How a value reaches a step: in the main DAG, or in a loop's body (where the loop
    item, and what comes from outside the loop, arrive as the body's input parameters)."""

    def __init__(self, tasks: dict[str, Any], iterators: dict[str, Any]) -> None:
        self.tasks = tasks
        self.iterators = iterators
        self.bodies: dict[str, dict[str, Any]] = {}
        for loop in sorted(loop_bodies(tasks)):
            if loop in tasks:
                raise InvalidParameter(
                    f"step {loop!r} has the name of a loop; rename it",
                    field=f"root.dag.tasks.{loop}",
                )
            self.bodies[loop] = {
                "name": body_template_name(loop),
                "dag": {"failFast": False, "tasks": []},
            }
        #: Per body: input parameter -> its value in the main DAG.
        self.body_inputs: dict[str, dict[str, str]] = {loop: {} for loop in self.bodies}
        #: Per body: output parameter -> the body step's output it exports.
        self.exports: dict[str, dict[str, str]] = {loop: {} for loop in self.bodies}

    def members(self, loop: str) -> list[str]:
        return [name for name, task in self.tasks.items() if task.get("iterator") == loop]

    def _in_loop_upstream(self, task: str) -> set[str]:
        """``task`` and the steps of its loop it runs after."""
        loop = self.tasks[task].get("iterator")
        found: set[str] = set()
        pending = [task]
        while pending:
            current = pending.pop()
            if current not in found:
                found.add(current)
                pending += [
                    d
                    for d in self.tasks[current].get("dependentTasks", [])
                    if self.tasks[d].get("iterator") == loop
                ]
        return found

    def dag_task(self, task: str) -> str:
        """The main DAG's task that runs ``task`` (its loop's, for a body's step)."""
        loop = self.tasks[task].get("iterator")
        return loop if loop in self.bodies else task

    def body_of(self, task: str) -> str | None:
        loop = self.tasks[task].get("iterator")
        return loop if loop in self.bodies else None

    def loop_items(self, loop: str) -> dict[str, Any]:
        source = self.iterators[loop]["parameterIterator"]["items"]
        if "runtimeValue" in source:
            return {"withItems": [json.dumps(item) for item in source["runtimeValue"]["constant"]]}
        field = f"root.dag.iterators.{loop}"
        if self.kind(source, None, field) != "value":
            raise InvalidParameter(
                f"loop {loop!r} iterates over the outputs of a loop's steps; the argo "
                "backend cannot: use the kubernetes or local backend",
                field=field,
            )
        return {"withParam": self.value(source, None)}

    def kind(self, ref: dict[str, Any], consumer: str | None, field: str) -> str:
        """How a value reaches the consumer: "item" (a loop item, text), "fan-in" (Argo's
        aggregate of a loop step's outputs) or "value" (JSON text). Refuses what Argo
        cannot hand over as the other backends do."""
        if "iteratorItem" in ref:
            return "item"
        if "taskOutputParameter" not in ref:
            return "value"
        producer = ref["taskOutputParameter"]["producerTask"]
        loop = self.tasks[producer].get("iterator")
        if loop is None:
            return "value"
        if consumer is not None and loop == self.tasks[consumer].get("iterator"):
            return "value"  # the same iteration's (the loop is a body: loop_bodies)
        # In a body, only the conditions the producer runs after matter (another step
        # skipped leaves its iteration's outputs whole); a loop of separate tasks: any.
        suspects = self._in_loop_upstream(producer) if loop in self.bodies else self.members(loop)
        conditioned = sorted(
            name for name in suspects if self.tasks[name].get("triggerPolicy", {}).get("conditions")
        )
        if conditioned:
            raise InvalidParameter(
                f"step {consumer!r} takes the outputs of every iteration of {producer!r} "
                f"(fan-in) and step {conditioned[0]!r} of that loop has a condition: on Argo "
                "a skipped iteration would shorten the list, where the other backends do not "
                f"run {consumer!r}; use the kubernetes or local backend",
                field=field,
            )
        return "fan-in"

    def value(self, ref: dict[str, Any], consumer: str | None) -> str:
        """An Argo expression giving the JSON text of a value reference, in the scope of
        ``consumer`` (an aggregate for a loop step's outputs, in the main DAG)."""
        body = None if consumer is None else self.body_of(consumer)
        if body is None:
            return self._main_value(ref)
        if "runtimeValue" in ref or "componentInputParameter" in ref:
            return self._main_value(ref)  # workflow parameters are global
        if "taskOutputParameter" in ref:
            producer = ref["taskOutputParameter"]["producerTask"]
            if self.tasks[producer].get("iterator") == body:
                key = ref["taskOutputParameter"]["outputParameterKey"]
                return f"{{{{tasks.{producer}.outputs.parameters.{key}}}}}"
            name = f"{producer}-{ref['taskOutputParameter']['outputParameterKey']}"
        else:
            key = ref["iteratorItem"].get("key")
            name = "item" if key is None else f"item-key-{key}"
        self.body_inputs[body][name] = self._main_value(ref)
        return f"{{{{inputs.parameters.{name}}}}}"

    def _main_value(self, ref: dict[str, Any]) -> str:
        if "runtimeValue" in ref:
            return json.dumps(ref["runtimeValue"]["constant"])
        if "componentInputParameter" in ref:
            return f"{{{{workflow.parameters.{ref['componentInputParameter']}}}}}"
        if "iteratorItem" in ref:
            key = ref["iteratorItem"].get("key")
            return "{{item}}" if key is None else f"{{{{item.{key}}}}}"
        producer = ref["taskOutputParameter"]["producerTask"]
        key = ref["taskOutputParameter"]["outputParameterKey"]
        body = self.body_of(producer)
        if body is not None:  # exported by the body: Argo aggregates it over iterations
            name = f"{producer}-{key}"
            self.exports[body][name] = f"{{{{tasks.{producer}.outputs.parameters.{key}}}}}"
            return f"{{{{tasks.{body}.outputs.parameters.{name}}}}}"
        return f"{{{{tasks.{producer}.outputs.parameters.{key}}}}}"

    def operand(self, ref: dict[str, Any], consumer: str, field: str) -> str:
        """A ``when`` operand: numbers and booleans bare, strings quoted."""
        if "runtimeValue" in ref:
            constant = ref["runtimeValue"]["constant"]
            if isinstance(constant, str):
                return "'" + constant.replace("'", "\\'") + "'"
            return json.dumps(constant)
        if self.kind(ref, consumer, field) == "fan-in":
            raise InvalidParameter(
                f"the condition of step {consumer!r} compares the outputs of every iteration "
                "of a loop; the argo backend cannot: use the kubernetes or local backend",
                field=field,
            )
        # Outputs are JSON text: a string output is quoted by JSON already ("heads"), which
        # govaluate reads as a string literal.
        return self.value(ref, consumer)


# -- what Argo's controller names ----------------------------------------------------------
def _fnv32a(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def node_id(workflow: str, node_name: str) -> str:
    """The id Argo gives the node named ``node_name`` (``<workflow>-<fnv32a(name)>``)."""
    return workflow if node_name == workflow else f"{workflow}-{_fnv32a(node_name)}"


def pod_name(workflow: dict[str, Any], node: dict[str, Any]) -> str:
    """The name of a Pod node's pod, as Argo derives it (format v1: the node's id; v2,
    the default since Argo 3.4: ``<workflow>-<template>-<fnv32a(node name)>``)."""
    name = workflow["metadata"]["name"]
    annotations = workflow["metadata"].get("annotations") or {}
    if annotations.get(POD_NAME_FORMAT_ANNOTATION) == "v1":
        return str(node["id"])
    if node.get("name") == name:
        return name
    prefix = name
    if node.get("templateName"):
        prefix = f"{name}-{node['templateName']}"
    return f"{prefix[:_MAX_POD_PREFIX]}-{_fnv32a(str(node.get('name', '')))}"
