"""Validate a pipeline spec: its shape against the JSON Schema, then its meaning.

Errors are ``InvalidParameter`` whose ``field`` is the JSON path of the fault
(``root.dag.tasks.train.inputs.parameters.lr``) and whose message says what is wrong:
an unknown step or component, a missing or unknown input, a type mismatch, a cycle.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import jsonschema

from ...errors import InvalidParameter
from . import types as t
from .document import load_schema, parse_duration

_validator: jsonschema.protocols.Validator | None = None


def _schema_validator() -> jsonschema.protocols.Validator:
    global _validator
    if _validator is None:
        schema = load_schema()
        cls = jsonschema.validators.validator_for(schema)
        _validator = cls(schema)
    return _validator


def validate_spec(spec: Any) -> dict[str, Any]:
    """The spec, normalised (data dependencies added to ``dependentTasks``), if valid."""
    if not isinstance(spec, dict):
        raise InvalidParameter("the pipeline spec must be a JSON object", field="spec")
    error = jsonschema.exceptions.best_match(_schema_validator().iter_errors(spec))
    if error is not None:
        path = ".".join(str(part) for part in error.absolute_path) or "spec"
        raise InvalidParameter(f"invalid pipeline spec at {path}: {error.message}", field=path)
    spec = copy.deepcopy(spec)
    _SemanticCheck(spec).run()
    return spec


def output_type(spec: dict[str, Any], task_name: str, key: str) -> str | None:
    """The declared type of a task's output, or None when it has no such output."""
    task = spec["root"]["dag"]["tasks"][task_name]
    component = spec["components"][task["componentRef"]["name"]]
    outputs = component.get("outputDefinitions", {}).get("parameters", {})
    definition = outputs.get(key)
    return None if definition is None else str(definition["parameterType"])


class _SemanticCheck:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.tasks: dict[str, Any] = spec["root"]["dag"]["tasks"]
        self.iterators: dict[str, Any] = spec["root"]["dag"].get("iterators", {})
        self.parameters: dict[str, Any] = (
            spec["root"].get("inputDefinitions", {}).get("parameters", {})
        )

    def run(self) -> None:
        executors = self.spec["deploymentSpec"]["executors"]
        for name, component in self.spec["components"].items():
            if component["executorLabel"] not in executors:
                raise InvalidParameter(
                    f"component {name!r} names unknown executor {component['executorLabel']!r}",
                    field=f"components.{name}.executorLabel",
                )
        for name, definition in self.parameters.items():
            if "defaultValue" in definition:
                t.check_value(
                    definition["defaultValue"],
                    definition["parameterType"],
                    field=f"root.inputDefinitions.parameters.{name}.defaultValue",
                )
        for name, iterator in self.iterators.items():
            where = f"root.dag.iterators.{name}.parameterIterator.items"
            items_type = self._ref_type(iterator["parameterIterator"]["items"], None, where)
            if not t.accepts(t.LIST, items_type):
                raise InvalidParameter(
                    f"loop {name!r} iterates over a {items_type}, not a LIST", field=where
                )
        for name, task in self.tasks.items():
            self._check_task(name, task)
        self._check_acyclic()
        for key, output in (
            self.spec["root"]["dag"].get("outputs", {}).get("parameters", {}).items()
        ):
            ref = output["valueFromParameter"]
            where = f"root.dag.outputs.parameters.{key}"
            self._producer_type(ref["producerSubtask"], ref["outputParameterKey"], where)

    def _check_task(self, name: str, task: dict[str, Any]) -> None:
        where = f"root.dag.tasks.{name}"
        component_name = task["componentRef"]["name"]
        component = self.spec["components"].get(component_name)
        if component is None:
            raise InvalidParameter(
                f"task {name!r} uses unknown component {component_name!r}",
                field=f"{where}.componentRef.name",
            )
        iterator = task.get("iterator")
        if iterator is not None and iterator not in self.iterators:
            raise InvalidParameter(
                f"task {name!r} runs in unknown loop {iterator!r}", field=f"{where}.iterator"
            )
        dependencies = set(task.get("dependentTasks", []))
        for dependency in dependencies:
            if dependency not in self.tasks:
                raise InvalidParameter(
                    f"task {name!r} depends on unknown step {dependency!r}",
                    field=f"{where}.dependentTasks",
                )
        definitions = component.get("inputDefinitions", {}).get("parameters", {})
        given = task.get("inputs", {}).get("parameters", {})
        for key in given:
            if key not in definitions:
                raise InvalidParameter(
                    f"task {name!r} gives unknown input {key!r} (component {component_name!r} "
                    f"takes: {', '.join(definitions) or 'none'})",
                    field=f"{where}.inputs.parameters.{key}",
                )
        for key, definition in definitions.items():
            field = f"{where}.inputs.parameters.{key}"
            if key not in given:
                if "defaultValue" in definition or definition.get("isOptional"):
                    continue
                raise InvalidParameter(f"task {name!r} is missing input {key!r}", field=field)
            produced = self._ref_type(given[key], task, field)
            if not t.accepts(definition["parameterType"], produced):
                raise InvalidParameter(
                    f"type mismatch: input {key!r} of task {name!r} is "
                    f"{definition['parameterType']}, but it is given a {produced}",
                    field=field,
                )
            dependencies.update(self._producers(given[key]))
        for index, condition in enumerate(task.get("triggerPolicy", {}).get("conditions", [])):
            for side in ("left", "right"):
                field = f"{where}.triggerPolicy.conditions.{index}.{side}"
                self._ref_type(condition[side], task, field)
                dependencies.update(self._producers(condition[side]))
        if iterator is not None:
            dependencies.update(
                self._producers(self.iterators[iterator]["parameterIterator"]["items"])
            )
        dependencies.discard(name)
        if dependencies:
            task["dependentTasks"] = sorted(dependencies)
        for duration_field in ("timeout",):
            if duration_field in task:
                parse_duration(task[duration_field])

    def _producers(self, ref: dict[str, Any]) -> Iterable[str]:
        if "taskOutputParameter" in ref:
            yield ref["taskOutputParameter"]["producerTask"]

    def _ref_type(self, ref: dict[str, Any], consumer: dict[str, Any] | None, field: str) -> str:
        if "componentInputParameter" in ref:
            key = ref["componentInputParameter"]
            definition = self.parameters.get(key)
            if definition is None:
                raise InvalidParameter(
                    f"unknown pipeline parameter {key!r} (parameters: "
                    f"{', '.join(self.parameters) or 'none'})",
                    field=field,
                )
            return str(definition["parameterType"])
        if "runtimeValue" in ref:
            return _type_of_constant(ref["runtimeValue"]["constant"])
        if "iteratorItem" in ref:
            loop = ref["iteratorItem"]["iterator"]
            if consumer is None or consumer.get("iterator") != loop:
                raise InvalidParameter(
                    f"the item of loop {loop!r} is only available to steps inside that loop",
                    field=field,
                )
            return t.ANY
        producer = ref["taskOutputParameter"]["producerTask"]
        key = ref["taskOutputParameter"]["outputParameterKey"]
        produced = self._producer_type(producer, key, field)
        producer_loop = self.tasks[producer].get("iterator")
        consumer_loop = None if consumer is None else consumer.get("iterator")
        if producer_loop is not None and producer_loop != consumer_loop:
            if consumer_loop is not None:
                raise InvalidParameter(
                    f"a step in loop {consumer_loop!r} cannot take outputs of a step in "
                    f"loop {producer_loop!r}",
                    field=field,
                )
            return t.LIST  # fan-in: the values of every iteration, in item order
        return produced

    def _producer_type(self, producer: str, key: str, field: str) -> str:
        if producer not in self.tasks:
            raise InvalidParameter(f"output of unknown step {producer!r}", field=field)
        produced = output_type(self.spec, producer, key)
        if produced is None:
            raise InvalidParameter(f"step {producer!r} has no output {key!r}", field=field)
        return produced

    def _check_acyclic(self) -> None:
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        path: list[str] = []

        def visit(name: str) -> None:
            state[name] = 1
            path.append(name)
            for dependency in self.tasks[name].get("dependentTasks", []):
                if state.get(dependency) == 1:
                    cycle = [*path[path.index(dependency) :], dependency]
                    raise InvalidParameter(
                        "the pipeline has a cycle: " + " -> ".join(reversed(cycle)),
                        field=f"root.dag.tasks.{name}.dependentTasks",
                    )
                if dependency not in state:
                    visit(dependency)
            path.pop()
            state[name] = 2

        for name in self.tasks:
            if name not in state:
                visit(name)


def _type_of_constant(value: Any) -> str:
    if isinstance(value, bool):
        return t.BOOLEAN
    if isinstance(value, int):
        return t.NUMBER_INTEGER
    if isinstance(value, float):
        return t.NUMBER_DOUBLE
    if isinstance(value, str):
        return t.STRING
    if isinstance(value, list):
        return t.LIST
    if isinstance(value, dict):
        return t.STRUCT
    return t.ANY  # null


def topological_order(spec: dict[str, Any]) -> list[str]:
    """Task names, each after its dependencies (the spec must be valid)."""
    tasks = spec["root"]["dag"]["tasks"]
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for dependency in tasks[name].get("dependentTasks", []):
            visit(dependency)
        order.append(name)

    for name in tasks:
        visit(name)
    return order


def bind_arguments(spec: dict[str, Any], arguments: dict[str, Any] | None) -> dict[str, Any]:
    """The pipeline parameters' values: ``arguments`` checked, defaults filled in."""
    arguments = dict(arguments or {})
    definitions = spec["root"].get("inputDefinitions", {}).get("parameters", {})
    for key in arguments:
        if key not in definitions:
            raise InvalidParameter(
                f"unknown pipeline parameter {key!r} (parameters: "
                f"{', '.join(definitions) or 'none'})",
                field=f"arguments.{key}",
            )
    bound: dict[str, Any] = {}
    for key, definition in definitions.items():
        if key in arguments:
            bound[key] = t.check_value(
                arguments[key], definition["parameterType"], field=f"arguments.{key}"
            )
        elif "defaultValue" in definition:
            bound[key] = definition["defaultValue"]
        elif definition.get("isOptional"):
            bound[key] = None
        else:
            raise InvalidParameter(f"missing pipeline parameter {key!r}", field=f"arguments.{key}")
    return bound
