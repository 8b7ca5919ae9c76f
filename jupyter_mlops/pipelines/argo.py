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

Fan-in (a step outside a loop taking an output of a step inside it) reads Argo's
aggregate ``{{tasks.<loop step>.outputs.parameters.<name>}}``: a JSON list of the
iterations' values in iteration order, whose items are the values' JSON text unless every
value is an object or a list (Argo then parses them). The runner's ``--input-list``
turns that into the list of values.

Refused (a message naming the field), because one flat DAG cannot express it: a loop step
taking an output of another step of the same iteration (Argo would pass the list of
every iteration's values), a fan-in from a loop with a condition inside (a skipped
iteration would shorten the list where the other backends do not run the consumer), a
condition on a loop's outputs, and loop items taken from a loop's outputs.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import InvalidParameter
from ..kube.labels import managed_labels
from .manifests import (
    ARGO_OUTPUTS_DIR,
    COMPONENT,
    RUN_LABEL,
    STEP_ANNOTATION,
    _env,
    resources_of,
    runner_command,
)
from .spec_format import parse_duration

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
) -> dict[str, Any]:
    dag = spec["root"]["dag"]
    tasks: dict[str, Any] = dag["tasks"]
    iterators: dict[str, Any] = dag.get("iterators", {})
    labels = managed_labels(COMPONENT, owner, spec["pipelineInfo"]["name"])
    labels[RUN_LABEL] = run_id
    templates: list[dict[str, Any]] = []
    dag_tasks: list[dict[str, Any]] = []
    for name, task in tasks.items():
        component = spec["components"][task["componentRef"]["name"]]
        executor = spec["deploymentSpec"]["executors"][component["executorLabel"]]
        outputs = component.get("outputDefinitions", {}).get("parameters", {})
        given = task.get("inputs", {}).get("parameters", {})
        loop = task.get("iterator")
        runner_task = {
            "executor": executor,
            "inputs": {},
            "outputs": {key: value["parameterType"] for key, value in outputs.items()},
            "outputsDir": ARGO_OUTPUTS_DIR,
            "uploadOutputs": True,
            "tracking": {
                "parentRunId": parent_run_id,
                "experimentId": experiment_id,
                "runName": name,
                # The pod's name tells loop iterations' runs apart (Argo fills it in), the
                # attempt a retried step's run from the failed one (same pod name).
                "tags": {
                    "mlops.pipeline.run_id": run_id,
                    "mlops.pipeline.step": name,
                    "mlops.pipeline.pod": "{{pod.name}}",
                    "mlops.pipeline.attempt": f"{{{{workflow.parameters.{ATTEMPT_PARAMETER}}}}}",
                },
            },
        }
        args = ["--task-json", json.dumps(runner_task, separators=(",", ":"))]
        task_arguments: list[dict[str, str]] = []
        for key, ref in given.items():
            field = f"root.dag.tasks.{name}.inputs.parameters.{key}"
            flag = {"item": "--input-text", "fan-in": "--input-list"}.get(
                _kind(ref, tasks, name, field), "--input"
            )
            args += [flag, f"{key}={{{{inputs.parameters.{key}}}}}"]
            task_arguments.append({"name": key, "value": _value(ref)})
        template: dict[str, Any] = {
            "name": template_name(name),
            "metadata": {"labels": dict(labels), "annotations": {STEP_ANNOTATION: name}},
            "container": {
                "image": executor.get("image") or default_image,
                "args": args,
                "env": _env(tracking_url, dict(executor.get("env") or {})),
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
        templates.append(template)
        dag_task: dict[str, Any] = {"name": name, "template": template_name(name)}
        if task.get("dependentTasks"):
            dag_task["depends"] = " && ".join(f"{d}.Succeeded" for d in task["dependentTasks"])
        if task_arguments:
            dag_task["arguments"] = {"parameters": task_arguments}
        conditions = task.get("triggerPolicy", {}).get("conditions", [])
        if conditions:
            field = f"root.dag.tasks.{name}.triggerPolicy.conditions"
            dag_task["when"] = " && ".join(
                " ".join(
                    (
                        _operand(c["left"], tasks, name, field),
                        c["operator"],
                        _operand(c["right"], tasks, name, field),
                    )
                )
                for c in conditions
            )
        if loop is not None:
            source = iterators[loop]["parameterIterator"]["items"]
            if "runtimeValue" in source:
                dag_task["withItems"] = [
                    json.dumps(item) for item in source["runtimeValue"]["constant"]
                ]
            else:
                if _kind(source, tasks, name, f"root.dag.iterators.{loop}") != "value":
                    raise InvalidParameter(
                        f"loop {loop!r} iterates over the outputs of a loop's steps; the argo "
                        "backend cannot: use the kubernetes or local backend",
                        field=f"root.dag.iterators.{loop}",
                    )
                dag_task["withParam"] = _value(source)
        dag_tasks.append(dag_task)
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
    return {
        "apiVersion": WORKFLOW_API_VERSION,
        "kind": "Workflow",
        "metadata": {"name": workflow_name(run_id), "namespace": namespace, "labels": labels},
        "spec": workflow_spec,
    }


def _kind(ref: dict[str, Any], tasks: dict[str, Any], consumer: str, field: str) -> str:
    """How a value reaches the consumer: "item" (a loop item, text), "fan-in" (Argo's
    aggregate of a loop step's outputs) or "value" (JSON text). Refuses what Argo cannot
    hand over as the other backends do."""
    if "iteratorItem" in ref:
        return "item"
    if "taskOutputParameter" not in ref:
        return "value"
    producer = ref["taskOutputParameter"]["producerTask"]
    loop = tasks[producer].get("iterator")
    if loop is None:
        return "value"
    if loop == tasks[consumer].get("iterator"):
        raise InvalidParameter(
            f"step {consumer!r} takes the output of {producer!r} from the same loop "
            "iteration; the argo backend runs a loop's steps as separate Argo tasks, which "
            "would pass the values of every iteration: use the kubernetes or local backend",
            field=field,
        )
    conditioned = sorted(
        name
        for name, task in tasks.items()
        if task.get("iterator") == loop and task.get("triggerPolicy", {}).get("conditions")
    )
    if conditioned:
        raise InvalidParameter(
            f"step {consumer!r} takes the outputs of every iteration of {producer!r} (fan-in) "
            f"and step {conditioned[0]!r} of that loop has a condition: on Argo a skipped "
            "iteration would shorten the list, where the other backends do not run "
            f"{consumer!r}; use the kubernetes or local backend",
            field=field,
        )
    return "fan-in"


def _value(ref: dict[str, Any]) -> str:
    """An Argo expression giving the JSON text of a value reference (an aggregate for a
    loop step's outputs)."""
    if "runtimeValue" in ref:
        return json.dumps(ref["runtimeValue"]["constant"])
    if "componentInputParameter" in ref:
        return f"{{{{workflow.parameters.{ref['componentInputParameter']}}}}}"
    if "iteratorItem" in ref:
        key = ref["iteratorItem"].get("key")
        return "{{item}}" if key is None else f"{{{{item.{key}}}}}"
    producer = ref["taskOutputParameter"]["producerTask"]
    key = ref["taskOutputParameter"]["outputParameterKey"]
    return f"{{{{tasks.{producer}.outputs.parameters.{key}}}}}"


def _operand(ref: dict[str, Any], tasks: dict[str, Any], consumer: str, field: str) -> str:
    """A ``when`` operand: numbers and booleans bare, strings quoted."""
    if "runtimeValue" in ref:
        constant = ref["runtimeValue"]["constant"]
        if isinstance(constant, str):
            return "'" + constant.replace("'", "\\'") + "'"
        return json.dumps(constant)
    if _kind(ref, tasks, consumer, field) == "fan-in":
        raise InvalidParameter(
            f"the condition of step {consumer!r} compares the outputs of every iteration of a "
            "loop; the argo backend cannot: use the kubernetes or local backend",
            field=field,
        )
    # Outputs are JSON text: a string output is quoted by JSON already ("heads"), which
    # govaluate reads as a string literal.
    return _value(ref)


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
