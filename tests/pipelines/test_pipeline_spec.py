"""The DSL compiles to a spec the shipped JSON Schema accepts; hand-written specs are
validated with errors that name the fault."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.errors import InvalidParameter
from jupyter_mlops.pipelines.server.planner import StepView, initial_steps, plan
from jupyter_mlops.pipelines.spec.document import load_schema
from jupyter_mlops.pipelines.spec.validation import bind_arguments, validate_spec


@mlops.step(
    image="python:3.12", cpu="500m", memory="1Gi", gpu=1, retries=3, timeout=60, packages=["numpy"]
)
def train(lr: float, epochs: int = 2) -> float:
    return lr * epochs


@mlops.step(cache=False)
def report(score: float) -> None:
    print(score)


@mlops.step
def collect(scores: list) -> float:
    return max(scores)


@mlops.pipeline(description="Tunes a learning rate.")
def tune(rates: list = [0.1, 0.2], threshold: float = 0.3):  # noqa: B006
    for rate in mlops.parallel_for(rates, parallelism=2):
        score = train(lr=rate)
    best = collect(scores=score)
    with mlops.condition(best > threshold):
        report(score=best)
    return best


def test_compiled_spec_has_kfp_shape_and_validates_against_the_schema() -> None:
    spec = tune.compile()

    jsonschema.validate(spec, load_schema())
    assert spec["pipelineInfo"] == {"name": "tune", "description": "Tunes a learning rate."}
    executor = spec["deploymentSpec"]["executors"]["exec-train"]
    assert executor["image"] == "python:3.12"
    assert executor["resources"] == {
        "cpuLimit": "500m",
        "memoryLimit": "1Gi",
        "accelerator": {"type": "nvidia.com/gpu", "count": 1},
    }
    assert executor["packages"] == ["numpy"]
    assert executor["python"]["functionName"] == "train"
    assert executor["python"]["source"].startswith("def train(")
    tasks = spec["root"]["dag"]["tasks"]
    assert tasks["train"]["iterator"] == "for-loop-1"
    assert tasks["train"]["retryPolicy"]["maxRetryCount"] == 3
    assert tasks["train"]["timeout"] == "60s"
    assert tasks["collect"]["dependentTasks"] == ["train"]
    assert tasks["report"]["cachingOptions"] == {"enableCache": False}
    assert tasks["report"]["triggerPolicy"]["conditions"][0]["operator"] == ">"
    assert spec["root"]["dag"]["iterators"]["for-loop-1"]["iteratorPolicy"] == {
        "parallelismLimit": 2
    }
    params = spec["root"]["inputDefinitions"]["parameters"]
    assert params["threshold"] == {
        "parameterType": "NUMBER_DOUBLE",
        "defaultValue": 0.3,
        "isOptional": True,
    }
    assert (
        spec["components"]["comp-train"]["inputDefinitions"]["parameters"]["epochs"]["defaultValue"]
        == 2
    )


def test_the_schema_itself_is_valid() -> None:
    schema = load_schema()
    jsonschema.validators.validator_for(schema).check_schema(schema)


def _hand_written() -> dict[str, Any]:
    return {
        "schemaVersion": "jupyter-mlops.pipeline/v1",
        "pipelineInfo": {"name": "hand"},
        "components": {
            "comp-echo": {
                "executorLabel": "exec-echo",
                "inputDefinitions": {"parameters": {"text": {"parameterType": "STRING"}}},
                "outputDefinitions": {"parameters": {"Output": {"parameterType": "STRING"}}},
            },
            "comp-count": {
                "executorLabel": "exec-echo",
                "inputDefinitions": {"parameters": {"n": {"parameterType": "NUMBER_INTEGER"}}},
                "outputDefinitions": {"parameters": {"Output": {"parameterType": "STRING"}}},
            },
        },
        "deploymentSpec": {
            "executors": {
                "exec-echo": {
                    "image": "alpine",
                    "container": {"command": ["echo", "{{inputs.text}}"]},
                }
            }
        },
        "root": {
            "inputDefinitions": {"parameters": {"word": {"parameterType": "STRING"}}},
            "dag": {
                "tasks": {
                    "a": {
                        "componentRef": {"name": "comp-echo"},
                        "inputs": {"parameters": {"text": {"componentInputParameter": "word"}}},
                    },
                    "b": {
                        "componentRef": {"name": "comp-echo"},
                        "inputs": {
                            "parameters": {
                                "text": {
                                    "taskOutputParameter": {
                                        "producerTask": "a",
                                        "outputParameterKey": "Output",
                                    }
                                }
                            }
                        },
                    },
                }
            },
        },
    }


def test_hand_written_spec_is_accepted_and_data_edges_become_dependencies() -> None:
    spec = validate_spec(_hand_written())
    assert spec["root"]["dag"]["tasks"]["b"]["dependentTasks"] == ["a"]


def _broken(change: Any) -> dict[str, Any]:
    spec = copy.deepcopy(_hand_written())
    change(spec)
    return spec


def _tasks(spec: dict[str, Any]) -> dict[str, Any]:
    tasks: dict[str, Any] = spec["root"]["dag"]["tasks"]
    return tasks


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            lambda spec: _tasks(spec)["a"].update(dependentTasks=["b"]),
            "root.dag.tasks",
            "cycle",
        ),
        (
            lambda spec: _tasks(spec)["a"]["inputs"]["parameters"].clear(),
            "root.dag.tasks.a.inputs.parameters.text",
            "missing input 'text'",
        ),
        (
            lambda spec: _tasks(spec)["b"].update(dependentTasks=["nope"]),
            "root.dag.tasks.b.dependentTasks",
            "unknown step 'nope'",
        ),
        (
            lambda spec: _tasks(spec)["b"]["inputs"]["parameters"]["text"][
                "taskOutputParameter"
            ].update(producerTask="ghost"),
            "root.dag.tasks.b.inputs.parameters.text",
            "unknown step 'ghost'",
        ),
        (
            lambda spec: _tasks(spec)["b"].update(
                componentRef={"name": "comp-count"},
                inputs={
                    "parameters": {
                        "n": {
                            "taskOutputParameter": {
                                "producerTask": "a",
                                "outputParameterKey": "Output",
                            }
                        }
                    }
                },
            ),
            "root.dag.tasks.b.inputs.parameters.n",
            "type mismatch",
        ),
        (
            lambda spec: _tasks(spec)["a"]["inputs"]["parameters"].update(
                text={"runtimeValue": {"constant": 3}}
            ),
            "root.dag.tasks.a.inputs.parameters.text",
            "type mismatch",
        ),
        (
            lambda spec: _tasks(spec)["a"].update(componentRef={"name": "comp-missing"}),
            "root.dag.tasks.a.componentRef.name",
            "unknown component",
        ),
        (
            lambda spec: _tasks(spec)["a"].update(retryPolicy={"maxRetryCount": -1}),
            "root.dag.tasks.a.retryPolicy.maxRetryCount",
            "invalid pipeline spec",
        ),
        (
            lambda spec: spec["pipelineInfo"].update(name="Bad Name"),
            "pipelineInfo.name",
            "invalid pipeline spec",
        ),
    ],
)
def test_invalid_specs_are_refused_naming_the_fault(change: Any, field: str, message: str) -> None:
    with pytest.raises(InvalidParameter) as raised:
        validate_spec(_broken(change))
    assert raised.value.field is not None and raised.value.field.startswith(field)
    assert message in raised.value.message


def test_cycle_message_names_the_cycle() -> None:
    spec = _broken(lambda spec: _tasks(spec)["a"].update(dependentTasks=["b"]))
    with pytest.raises(InvalidParameter, match=r"cycle: (a -> b -> a|b -> a -> b)"):
        validate_spec(spec)


def test_arguments_are_checked_against_parameters() -> None:
    spec = tune.compile()
    assert bind_arguments(spec, {"threshold": 1}) == {"rates": [0.1, 0.2], "threshold": 1.0}
    with pytest.raises(InvalidParameter) as raised:
        bind_arguments(spec, {"threshold": "high"})
    assert raised.value.field == "arguments.threshold"
    with pytest.raises(InvalidParameter) as raised:
        bind_arguments(spec, {"nope": 1})
    assert raised.value.field == "arguments.nope"


def test_dsl_refuses_mistakes_at_definition_time() -> None:
    @mlops.pipeline
    def wrong_input():
        train(rate=0.1)

    with pytest.raises(InvalidParameter, match="no input 'rate'"):
        wrong_input.compile()

    @mlops.pipeline
    def uses_if(x: int):
        value = train(lr=0.1)
        if value > x:  # a run-time value cannot steer Python's if
            report(score=value)

    with pytest.raises(TypeError, match=r"mlops\.condition"):
        uses_if.compile()


def test_planner_expands_loops_and_fans_in() -> None:
    spec = tune.compile()
    arguments = {"rates": [0.1, 0.2, 0.3], "threshold": 0.3}
    steps = {view.task: view for view in initial_steps(spec)}
    first = plan(spec, arguments, steps, {})
    assert first.loops == {"for-loop-1": [0.1, 0.2, 0.3]}
    assert [ready.id for ready in first.ready] == ["train[0]", "train[1]"]  # parallelism 2
    assert first.ready[1].inputs == {"lr": 0.2}
    all_steps = {**steps, **{f"train[{v.index}]": v for v in first.create}}
    for index, view in enumerate(v for v in all_steps.values() if v.task == "train"):
        view.state, view.outputs = "SUCCEEDED", {"Output": index * 2.0}
    second = plan(spec, arguments, all_steps, first.loops)
    assert [(r.id, r.inputs) for r in second.ready] == [("collect", {"scores": [0.0, 2.0, 4.0]})]
    all_steps["collect"] = StepView("collect", None, "SUCCEEDED", {"Output": 4.0})
    third = plan(spec, arguments, all_steps, first.loops)
    assert [r.id for r in third.ready] == ["report"]
