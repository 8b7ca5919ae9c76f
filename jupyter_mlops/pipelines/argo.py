"""Compile a pipeline run into one Argo Workflow (pure).

Each task becomes a container template running the step runner, and a task of the
``main`` DAG template with ``dependencies``, ``when`` (conditions), ``withItems`` /
``withParam`` (loops) and ``retryStrategy``. Values travel as JSON text: pipeline
parameters as workflow parameters, step outputs as Argo output parameters read from
``/tmp/mlops-outputs/<name>.json`` (the runner writes them there and also uploads them
to the step's tracking run). Each step's runner creates its own child tracking run.

Not compiled (refused with a message): a step outside a loop taking the outputs of a
step inside it (fan-in); Argo has no per-run output collection we can pass on as-is.
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
_TTL_S = 3600


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
                # The pod's name tells loop iterations' runs apart (Argo fills it in).
                "tags": {
                    "mlops.pipeline.run_id": run_id,
                    "mlops.pipeline.step": name,
                    "mlops.pipeline.pod": "{{pod.name}}",
                },
            },
        }
        args = ["--task-json", json.dumps(runner_task, separators=(",", ":"))]
        task_arguments: list[dict[str, str]] = []
        for key, ref in given.items():
            flag = "--input-text" if "iteratorItem" in ref else "--input"
            args += [flag, f"{key}={{{{inputs.parameters.{key}}}}}"]
            task_arguments.append({"name": key, "value": _value(ref, tasks, name)})
        template: dict[str, Any] = {
            "name": template_name(name),
            "metadata": {"labels": dict(labels), "annotations": {STEP_ANNOTATION: name}},
            "container": {
                "image": executor.get("image") or default_image,
                "command": runner_command(),
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
            dag_task["dependencies"] = list(task["dependentTasks"])
        if task_arguments:
            dag_task["arguments"] = {"parameters": task_arguments}
        conditions = task.get("triggerPolicy", {}).get("conditions", [])
        if conditions:
            dag_task["when"] = " && ".join(
                " ".join(
                    (
                        _operand(c["left"], tasks, name),
                        c["operator"],
                        _operand(c["right"], tasks, name),
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
                dag_task["withParam"] = _value(source, tasks, name)
        dag_tasks.append(dag_task)
    workflow_spec: dict[str, Any] = {
        "entrypoint": "main",
        "arguments": {
            "parameters": [
                {"name": key, "value": json.dumps(value)} for key, value in arguments.items()
            ]
        },
        # Pods stay until the workflow is deleted: the server copies their logs first.
        "ttlStrategy": {"secondsAfterCompletion": _TTL_S},
        "automountServiceAccountToken": bool(service_account),
        "templates": [{"name": "main", "dag": {"tasks": dag_tasks}}, *templates],
    }
    if service_account:
        workflow_spec["serviceAccountName"] = service_account
    return {
        "apiVersion": WORKFLOW_API_VERSION,
        "kind": "Workflow",
        "metadata": {"name": workflow_name(run_id), "namespace": namespace, "labels": labels},
        "spec": workflow_spec,
    }


def _value(ref: dict[str, Any], tasks: dict[str, Any], consumer: str) -> str:
    """An Argo expression giving the JSON text of a value reference."""
    if "runtimeValue" in ref:
        return json.dumps(ref["runtimeValue"]["constant"])
    if "componentInputParameter" in ref:
        return f"{{{{workflow.parameters.{ref['componentInputParameter']}}}}}"
    if "iteratorItem" in ref:
        key = ref["iteratorItem"].get("key")
        return "{{item}}" if key is None else f"{{{{item.{key}}}}}"
    producer = ref["taskOutputParameter"]["producerTask"]
    if tasks[producer].get("iterator") and tasks[producer].get("iterator") != tasks[consumer].get(
        "iterator"
    ):
        raise InvalidParameter(
            f"step {consumer!r} takes the outputs of every iteration of {producer!r} "
            "(fan-in); the argo backend cannot pass those on: use the kubernetes or local backend",
            field=f"root.dag.tasks.{consumer}",
        )
    key = ref["taskOutputParameter"]["outputParameterKey"]
    return f"{{{{tasks.{producer}.outputs.parameters.{key}}}}}"


def _operand(ref: dict[str, Any], tasks: dict[str, Any], consumer: str) -> str:
    """A ``when`` operand: numbers and booleans bare, strings quoted."""
    if "runtimeValue" in ref:
        constant = ref["runtimeValue"]["constant"]
        if isinstance(constant, str):
            return "'" + constant.replace("'", "\\'") + "'"
        return json.dumps(constant)
    # Outputs are JSON text: a string output is quoted by JSON already ("heads"), which
    # govaluate reads as a string literal.
    return _value(ref, tasks, consumer)
