"""Plan the next moves of a pipeline run from its spec and its steps' states (pure).

Every backend that drives steps itself (``local``, ``kubernetes``) calls :func:`plan`
after each change: it expands loops whose items are known, marks steps that will never
run (SKIPPED after a failure, NOT_TRIGGERED when a condition is false), lists the steps
ready to start with their resolved inputs, and says when the run is over.

A step *instance* is a task, or one iteration of a task in a loop: ``train`` or
``train[2]``.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..spec import states as s


def instance_id(task: str, index: int | None) -> str:
    return task if index is None else f"{task}[{index}]"


@dataclass
class StepView:
    """What the planner needs to know of one step instance."""

    task: str
    index: int | None
    state: str
    outputs: dict[str, Any] | None = None


@dataclass
class ReadyStep:
    id: str
    task: str
    index: int | None
    inputs: dict[str, Any]


@dataclass
class Plan:
    #: New step instances to record (loop iterations once their items are known).
    create: list[StepView] = field(default_factory=list)
    #: Loops expanded by this plan: loop name -> items (None: will not run).
    loops: dict[str, list[Any] | None] = field(default_factory=dict)
    #: Instances that will not run: id -> (state, message).
    finish: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Instances to start now.
    ready: list[ReadyStep] = field(default_factory=list)
    #: The run's final state when nothing is left to do, else None.
    outcome: str | None = None
    #: The pipeline's outputs when it succeeded.
    outputs: dict[str, Any] = field(default_factory=dict)


_COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class _Unavailable(Exception):
    """A value whose producer has not succeeded."""


def initial_steps(spec: dict[str, Any]) -> list[StepView]:
    """The step instances a new run starts with: every task outside loops."""
    tasks = spec["root"]["dag"]["tasks"]
    return [
        StepView(name, None, s.PENDING) for name, task in tasks.items() if "iterator" not in task
    ]


def plan(
    spec: dict[str, Any],
    arguments: Mapping[str, Any],
    steps: Mapping[str, StepView],
    loops: Mapping[str, list[Any] | None],
    *,
    running_limit: int | None = None,
) -> Plan:
    """What to do next. ``steps`` maps instance ids to their views; ``loops`` holds the
    items of loops already expanded. ``running_limit`` caps how many may run at once."""
    return _Planner(spec, arguments, dict(steps), dict(loops), running_limit).run()


class _Planner:
    def __init__(
        self,
        spec: dict[str, Any],
        arguments: Mapping[str, Any],
        steps: dict[str, StepView],
        loops: dict[str, list[Any] | None],
        running_limit: int | None,
    ) -> None:
        self.spec = spec
        self.dag = spec["root"]["dag"]
        self.tasks: dict[str, Any] = self.dag["tasks"]
        self.iterators: dict[str, Any] = self.dag.get("iterators", {})
        self.arguments = arguments
        self.steps = steps
        # Instances by task: a fan-in over n iterations, or n iterations waiting on one
        # step, would otherwise scan every step for each of n steps (O(n^2) a pass).
        self.by_task: dict[str, list[StepView]] = {}
        for view in steps.values():
            self.by_task.setdefault(view.task, []).append(view)
        self.loops = loops
        self.running_limit = running_limit
        self.result = Plan()

    # -- the pass ------------------------------------------------------------------------
    def run(self) -> Plan:
        self._expand_loops()
        changed = True
        while changed:  # a skip can make further skips decidable in the same pass
            changed = self._settle_blocked()
        self._collect_ready()
        self._decide_outcome()
        return self.result

    def _instances(self, task: str) -> list[StepView]:
        return self.by_task.get(task, [])

    def _expand_loops(self) -> None:
        for loop, iterator in self.iterators.items():
            if loop in self.loops:
                continue
            source = iterator["parameterIterator"]["items"]
            members = [name for name, task in self.tasks.items() if task.get("iterator") == loop]
            producer = source.get("taskOutputParameter", {}).get("producerTask")
            if producer is not None:
                states = {view.state for view in self._instances(producer)}
                if not states or not states <= s.STEP_FINAL:
                    continue
                if states != {s.SUCCEEDED}:
                    self._record_loop(loop, None)
                    blocked = s.NOT_TRIGGERED if s.NOT_TRIGGERED in states else s.SKIPPED
                    for member in members:
                        view = StepView(member, None, blocked)
                        self._add(view)
                        self.result.finish[member] = (
                            blocked,
                            f"loop items from {producer!r} unavailable",
                        )
                    continue
            try:
                items = self._resolve(source, None, None)
            except _Unavailable:
                continue
            if not isinstance(items, list):
                items = [] if items is None else list(items)
            self._record_loop(loop, items)
            for member in members:
                for index in range(len(items)):
                    self._add(StepView(member, index, s.PENDING))

    def _record_loop(self, loop: str, items: list[Any] | None) -> None:
        self.loops[loop] = items
        self.result.loops[loop] = items

    def _add(self, view: StepView) -> None:
        replaced = self.steps.get(instance_id(view.task, view.index))
        if replaced is not None:
            self.by_task[replaced.task].remove(replaced)
        self.steps[instance_id(view.task, view.index)] = view
        self.by_task.setdefault(view.task, []).append(view)
        self.result.create.append(view)

    def _upstream(self, view: StepView) -> list[StepView]:
        """The instances ``view`` waits for; raises _Unavailable while a loop is unexpanded."""
        task = self.tasks[view.task]
        found: list[StepView] = []
        for dependency in task.get("dependentTasks", []):
            producer_loop = self.tasks[dependency].get("iterator")
            if producer_loop is not None and producer_loop not in self.loops:
                raise _Unavailable(dependency)
            if (
                producer_loop is not None
                and producer_loop == task.get("iterator")
                and view.index is not None
            ):
                same = self.steps.get(instance_id(dependency, view.index))
                found.extend([same] if same is not None else [])
            else:
                found.extend(self._instances(dependency))
        return found

    def _settle_blocked(self) -> bool:
        changed = False
        for key, view in list(self.steps.items()):
            if view.state != s.PENDING:
                continue
            try:
                upstream = self._upstream(view)
            except _Unavailable:
                continue
            blocking = [u for u in upstream if u.state in s.STEP_FINAL and u.state != s.SUCCEEDED]
            if not blocking:
                continue
            first = blocking[0]
            state = (
                s.NOT_TRIGGERED if all(u.state == s.NOT_TRIGGERED for u in blocking) else s.SKIPPED
            )
            upstream_id = instance_id(first.task, first.index)
            verb = (
                "did not run"
                if first.state in (s.NOT_TRIGGERED, s.SKIPPED)
                else first.state.lower()
            )
            self._finish(key, view, state, f"upstream step {upstream_id!r} {verb}")
            changed = True
        return changed

    def _finish(self, key: str, view: StepView, state: str, message: str) -> None:
        view.state = state
        self.result.finish[key] = (state, message)

    def _collect_ready(self) -> None:
        running = sum(1 for view in self.steps.values() if view.state == s.RUNNING)
        running_per_loop: dict[str, int] = {}
        for view in self.steps.values():
            loop = self.tasks[view.task].get("iterator")
            if view.state == s.RUNNING and loop is not None:
                running_per_loop[loop] = running_per_loop.get(loop, 0) + 1
        for key, view in self.steps.items():
            if view.state != s.PENDING:
                continue
            try:
                upstream = self._upstream(view)
            except _Unavailable:
                continue
            if any(u.state != s.SUCCEEDED for u in upstream):
                continue
            task = self.tasks[view.task]
            try:
                if not self._conditions_hold(task, view.index):
                    self._finish(
                        key,
                        view,
                        s.NOT_TRIGGERED,
                        "condition is false: " + task["triggerPolicy"].get("condition", ""),
                    )
                    continue
            except TypeError as exc:
                self._finish(key, view, s.FAILED, f"condition cannot be evaluated: {exc}")
                continue
            if self.running_limit is not None and running >= self.running_limit:
                continue
            loop = task.get("iterator")
            if loop is not None:
                limit = self.iterators[loop].get("iteratorPolicy", {}).get("parallelismLimit", 0)
                if limit and running_per_loop.get(loop, 0) >= limit:
                    continue
                running_per_loop[loop] = running_per_loop.get(loop, 0) + 1
            inputs = {
                name: self._resolve(ref, task, view.index)
                for name, ref in task.get("inputs", {}).get("parameters", {}).items()
            }
            self.result.ready.append(ReadyStep(key, view.task, view.index, inputs))
            running += 1

    def _conditions_hold(self, task: dict[str, Any], index: int | None) -> bool:
        for condition in task.get("triggerPolicy", {}).get("conditions", []):
            left = self._resolve(condition["left"], task, index)
            right = self._resolve(condition["right"], task, index)
            if not _COMPARE[condition["operator"]](left, right):
                return False
        return True

    def _resolve(
        self, ref: dict[str, Any], consumer: dict[str, Any] | None, index: int | None
    ) -> Any:
        if "runtimeValue" in ref:
            return ref["runtimeValue"]["constant"]
        if "componentInputParameter" in ref:
            return self.arguments.get(ref["componentInputParameter"])
        if "iteratorItem" in ref:
            loop = ref["iteratorItem"]["iterator"]
            items = self.loops.get(loop) or []
            item = items[index] if index is not None else None
            key = ref["iteratorItem"].get("key")
            return item.get(key) if key is not None and isinstance(item, dict) else item
        producer = ref["taskOutputParameter"]["producerTask"]
        key = ref["taskOutputParameter"]["outputParameterKey"]
        producer_loop = self.tasks[producer].get("iterator")
        consumer_loop = None if consumer is None else consumer.get("iterator")
        if producer_loop is not None and producer_loop == consumer_loop:
            return self._output(instance_id(producer, index), key)
        if producer_loop is not None:
            produced = self.loops.get(producer_loop)
            if produced is None:
                raise _Unavailable(producer)
            return [self._output(instance_id(producer, i), key) for i in range(len(produced))]
        return self._output(producer, key)

    def _output(self, step_id: str, key: str) -> Any:
        view = self.steps.get(step_id)
        if view is None or view.state != s.SUCCEEDED:
            raise _Unavailable(step_id)
        return (view.outputs or {}).get(key)

    def _decide_outcome(self) -> None:
        if self.result.ready:
            return
        if any(view.state not in s.STEP_FINAL for view in self.steps.values()):
            return
        if any(loop not in self.loops for loop in self.iterators):
            return
        states = {view.state for view in self.steps.values()}
        if s.FAILED in states:
            self.result.outcome = s.FAILED
        elif s.CANCELED in states:
            self.result.outcome = s.CANCELED
        else:
            self.result.outcome = s.SUCCEEDED
            self.result.outputs = self._pipeline_outputs()

    def _pipeline_outputs(self) -> dict[str, Any]:
        outputs: dict[str, Any] = {}
        for key, output in self.dag.get("outputs", {}).get("parameters", {}).items():
            ref = output["valueFromParameter"]
            try:
                outputs[key] = self._resolve(
                    {
                        "taskOutputParameter": {
                            "producerTask": ref["producerSubtask"],
                            "outputParameterKey": ref["outputParameterKey"],
                        }
                    },
                    None,
                    None,
                )
            except _Unavailable:
                outputs[key] = None  # its producer did not run (a false condition)
        return outputs
