"""Compile a traced ``@pipeline`` into the JSON pipeline spec.

The spec follows Kubeflow Pipelines' compiled form (PipelineSpec): ``components`` with
input and output definitions, ``deploymentSpec.executors`` saying how each runs,
``root.dag.tasks`` with ``componentRef``, ``dependentTasks``, ``inputs``,
``triggerPolicy``, ``retryPolicy`` and ``cachingOptions``. Loops are listed once in
``root.dag.iterators`` (KFP nests them as sub-DAG components) and tasks name the loop
they belong to. The JSON Schema is ``schema/pipeline-spec.schema.json``.
"""

from __future__ import annotations

from typing import Any

from ...errors import InvalidParameter
from ..spec.document import SCHEMA_VERSION
from ..spec.validation import validate_spec
from .tracing import DEFAULT_IMAGE, Pipeline, Task, TaskOutput, ValueRef, _value_spec


def compile_pipeline(pipeline: Pipeline) -> dict[str, Any]:
    builder, returned = pipeline.trace()
    if not builder.tasks:
        raise InvalidParameter(f"pipeline {pipeline.name!r} calls no step", field="pipeline")
    components: dict[str, Any] = {}
    executors: dict[str, Any] = {}
    tasks: dict[str, Any] = {}
    for task in builder.tasks.values():
        component_name = f"comp-{task.step.name}"
        executor_name = f"exec-{task.step.name}"
        if component_name not in components:
            components[component_name] = _component(task, executor_name)
            executors[executor_name] = _executor(task)
        tasks[task.name] = _task(task, component_name)
    iterators = {}
    for loop in builder.loops:
        items = loop.items
        source = (
            items.to_spec()
            if isinstance(items, ValueRef)
            else {"runtimeValue": {"constant": items}}
        )
        iterator: dict[str, Any] = {"parameterIterator": {"items": source}}
        if loop.parallelism:
            iterator["iteratorPolicy"] = {"parallelismLimit": loop.parallelism}
        iterators[loop.name] = iterator
    dag: dict[str, Any] = {"tasks": tasks}
    if iterators:
        dag["iterators"] = iterators
    root: dict[str, Any] = {
        "inputDefinitions": {"parameters": _parameter_definitions(pipeline.parameters)},
        "dag": dag,
    }
    outputs = _pipeline_outputs(returned)
    if outputs:
        dag["outputs"] = {
            "parameters": {
                key: {
                    "valueFromParameter": {
                        "producerSubtask": ref.task.name,
                        "outputParameterKey": ref.key,
                    }
                }
                for key, ref in outputs.items()
            }
        }
        root["outputDefinitions"] = {
            "parameters": {
                key: {"parameterType": ref.parameter_type} for key, ref in outputs.items()
            }
        }
    spec = {
        "schemaVersion": SCHEMA_VERSION,
        "pipelineInfo": {"name": pipeline.name, "description": pipeline.description},
        "components": components,
        "deploymentSpec": {"executors": executors},
        "root": root,
    }
    return validate_spec(spec)


def _parameter_definitions(parameters: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    for key, (ptype, default) in parameters.items():
        definition: dict[str, Any] = {"parameterType": ptype}
        if default is not _required():
            definition["defaultValue"] = default
            definition["isOptional"] = True
        definitions[key] = definition
    return definitions


def _required() -> Any:
    import inspect

    return inspect.Parameter.empty


def _component(task: Task, executor_name: str) -> dict[str, Any]:
    component: dict[str, Any] = {"executorLabel": executor_name}
    if task.step.inputs:
        component["inputDefinitions"] = {"parameters": _parameter_definitions(task.step.inputs)}
    if task.step.outputs:
        component["outputDefinitions"] = {
            "parameters": {
                key: {"parameterType": ptype} for key, ptype in task.step.outputs.items()
            }
        }
    return component


def _executor(task: Task) -> dict[str, Any]:
    options = task.step.options
    executor: dict[str, Any] = dict(task.step.executor)
    executor["image"] = options.image or DEFAULT_IMAGE
    resources: dict[str, Any] = {}
    if options.cpu:
        resources["cpuLimit"] = options.cpu
    if options.memory:
        resources["memoryLimit"] = options.memory
    if options.gpu:
        resources["accelerator"] = {"type": options.gpu_type, "count": options.gpu}
    if resources:
        executor["resources"] = resources
    if options.packages:
        executor["packages"] = list(options.packages)
    if options.env:
        executor["env"] = dict(options.env)
    return executor


def _task(task: Task, component_name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "componentRef": {"name": component_name},
        "taskInfo": {"name": task.name},
    }
    dependencies: set[str] = {other.name for other in task.after_tasks}
    parameters: dict[str, Any] = {}
    for key, value in task.arguments.items():
        parameters[key] = _value_spec(value)
        if isinstance(value, Task):
            dependencies.add(value.name)
        elif isinstance(value, TaskOutput):
            dependencies.add(value.task.name)
    if parameters:
        spec["inputs"] = {"parameters": parameters}
    if task.conditions:
        spec["triggerPolicy"] = {
            "condition": " and ".join(c.describe() for c in task.conditions),
            "conditions": [c.to_spec() for c in task.conditions],
        }
        for condition in task.conditions:
            for side in (condition.left, condition.right):
                if isinstance(side, Task):
                    dependencies.add(side.name)
                elif isinstance(side, TaskOutput):
                    dependencies.add(side.task.name)
    if task.loop is not None:
        spec["iterator"] = task.loop.name
        if isinstance(task.loop.items, TaskOutput):
            dependencies.add(task.loop.items.task.name)
    dependencies.discard(task.name)
    if dependencies:
        spec["dependentTasks"] = sorted(dependencies)
    options = task.options
    if options.retries:
        spec["retryPolicy"] = {
            "maxRetryCount": options.retries,
            "backoffDuration": f"{options.retry_backoff:g}s",
            "backoffFactor": options.retry_backoff_factor,
            "backoffMaxDuration": f"{options.retry_backoff_max:g}s",
        }
    spec["cachingOptions"] = {"enableCache": options.cache}
    if options.timeout:
        spec["timeout"] = f"{options.timeout:g}s"
    return spec


def _pipeline_outputs(returned: Any) -> dict[str, TaskOutput]:
    if returned is None:
        return {}
    if isinstance(returned, Task):
        if list(returned.step.outputs) == ["Output"]:
            returned = returned.output
        else:
            return dict(returned.outputs)
    if isinstance(returned, TaskOutput):
        return {"Output": returned}
    if isinstance(returned, dict):
        outputs: dict[str, TaskOutput] = {}
        for key, value in returned.items():
            if isinstance(value, Task):
                value = value.output
            if not isinstance(value, TaskOutput):
                raise InvalidParameter(
                    f"pipeline output {key!r} must be a step output, got {value!r}", field=key
                )
            outputs[str(key)] = value
        return outputs
    raise InvalidParameter(
        f"a pipeline returns a step, a step output or a dict of them, not {returned!r}",
        field="return",
    )
