"""The pipeline DSL: ``@step``, ``@pipeline``, ``parallel_for``, ``condition``.

A pipeline function is *traced*, not run: calling a step inside it records a task, and
passing one task's output to another step records the edge. The trace compiles to the
JSON spec (:mod:`jupyter_mlops.pipelines.dsl.compiler`) that every backend runs::

    import jupyter_mlops as mlops

    @mlops.step(retries=2, packages=["numpy"])
    def train(lr: float, epochs: int) -> float:
        import numpy as np
        return float(np.exp(-lr * epochs))

    @mlops.pipeline
    def tune(epochs: int = 3):
        for lr in mlops.parallel_for([0.1, 0.2, 0.3]):
            train(lr=lr, epochs=epochs)

Python steps ship their source code, so they must be self-contained (imports inside
the body), as in Kubeflow Pipelines. Called outside a pipeline, a step is the plain
function, which makes it easy to try in a cell.
"""

from __future__ import annotations

import inspect
import json
import re
import textwrap
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

from ...errors import InvalidParameter
from ..spec import types as t

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_IMAGE = "python:3.11-slim"
SINGLE_OUTPUT = "Output"
_NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$")


# -- references to values known only when the pipeline runs ------------------------------
class ValueRef:
    """A value known at run time: a pipeline parameter, a task output or a loop item.

    Comparing it (``==``, ``<``, ...) builds a :class:`Condition` for :func:`condition`.
    """

    parameter_type: str = t.ANY

    def to_spec(self) -> dict[str, Any]:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def _compare(self, operator: str, other: Any) -> Condition:
        return Condition(self, operator, other)

    def __eq__(self, other: object) -> Condition:  # type: ignore[override]
        return self._compare("==", other)

    def __ne__(self, other: object) -> Condition:  # type: ignore[override]
        return self._compare("!=", other)

    def __lt__(self, other: Any) -> Condition:
        return self._compare("<", other)

    def __le__(self, other: Any) -> Condition:
        return self._compare("<=", other)

    def __gt__(self, other: Any) -> Condition:
        return self._compare(">", other)

    def __ge__(self, other: Any) -> Condition:
        return self._compare(">=", other)

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise TypeError(
            f"{self.describe()} is only known when the pipeline runs; use "
            "`with mlops.condition(...)` instead of `if`"
        )

    def __iter__(self) -> Iterator[Any]:
        raise TypeError(
            f"{self.describe()} is only known when the pipeline runs; use "
            "`for item in mlops.parallel_for(...)` instead of `for`"
        )


class PipelineParameter(ValueRef):
    def __init__(self, name: str, parameter_type: str) -> None:
        self.name = name
        self.parameter_type = parameter_type

    def to_spec(self) -> dict[str, Any]:
        return {"componentInputParameter": self.name}

    def describe(self) -> str:
        return f"pipeline parameter {self.name!r}"


class TaskOutput(ValueRef):
    def __init__(self, task: Task, key: str, parameter_type: str) -> None:
        self.task = task
        self.key = key
        self.parameter_type = parameter_type

    def to_spec(self) -> dict[str, Any]:
        return {
            "taskOutputParameter": {"producerTask": self.task.name, "outputParameterKey": self.key}
        }

    def describe(self) -> str:
        return f"output {self.key!r} of step {self.task.name!r}"


class LoopItem(ValueRef):
    """The current item of a :func:`parallel_for`; ``item["key"]`` reads a dict item's member."""

    def __init__(self, loop: Loop, key: str | None = None) -> None:
        self.loop = loop
        self.key = key

    def __getitem__(self, key: str) -> LoopItem:
        return LoopItem(self.loop, key)

    def to_spec(self) -> dict[str, Any]:
        ref: dict[str, Any] = {"iterator": self.loop.name}
        if self.key is not None:
            ref["key"] = self.key
        return {"iteratorItem": ref}

    def describe(self) -> str:
        return f"item of {self.loop.name}"


OPERATORS = ("==", "!=", "<", "<=", ">", ">=")


@dataclass
class Condition:
    left: ValueRef
    operator: str
    right: Any

    def to_spec(self) -> dict[str, Any]:
        return {
            "left": _value_spec(self.left),
            "operator": self.operator,
            "right": _value_spec(self.right),
        }

    def __bool__(self) -> bool:
        raise TypeError(
            f"{self.describe()} is only known when the pipeline runs; use "
            "`with mlops.condition(...)` instead of `if`"
        )

    def describe(self) -> str:
        right = self.right.describe() if isinstance(self.right, ValueRef) else repr(self.right)
        return f"{self.left.describe()} {self.operator} {right}"


def _value_spec(value: Any) -> dict[str, Any]:
    if isinstance(value, Task):
        value = value.output
    if isinstance(value, ValueRef):
        return value.to_spec()
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        raise InvalidParameter(
            f"constant {value!r} is not JSON-serialisable; pass str, int, float, bool, "
            "list or dict",
            field="arguments",
        ) from None
    return {"runtimeValue": {"constant": value}}


# -- steps ------------------------------------------------------------------------------
@dataclass
class StepOptions:
    """How a step runs: where (image, resources) and how hard it tries (retries, timeout)."""

    image: str | None = None
    cpu: str | None = None
    memory: str | None = None
    gpu: int = 0
    gpu_type: str = "nvidia.com/gpu"
    retries: int = 0
    retry_backoff: float = 1.0
    retry_backoff_factor: float = 2.0
    retry_backoff_max: float = 3600.0
    timeout: float | None = None
    cache: bool = True
    packages: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def check(self, where: str) -> None:
        if self.retries < 0:
            raise InvalidParameter(f"{where}: retries must be >= 0", field="retries")
        if self.timeout is not None and self.timeout <= 0:
            raise InvalidParameter(f"{where}: timeout must be positive seconds", field="timeout")
        if self.gpu < 0:
            raise InvalidParameter(f"{where}: gpu must be >= 0", field="gpu")


class Step:
    """A unit of work of a pipeline. Made by :func:`step`, :func:`shell_step` or
    :func:`notebook_step`; calling it inside a ``@pipeline`` function adds a task."""

    def __init__(
        self,
        name: str,
        executor: dict[str, Any],
        inputs: Mapping[str, tuple[str, Any]],
        outputs: Mapping[str, str],
        options: StepOptions,
        func: Callable[..., Any] | None = None,
    ) -> None:
        _check_name(name, "step")
        options.check(f"step {name!r}")
        self.name = name
        self.executor = executor
        # input name -> (parameter type, default or _REQUIRED)
        self.inputs = dict(inputs)
        self.outputs = dict(outputs)
        self.options = options
        self.func = func

    def __repr__(self) -> str:
        return f"<mlops step {self.name!r}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        builder = _current_builder.get()
        if builder is None:
            if self.func is None:
                raise TypeError(f"step {self.name!r} can only be called inside a @pipeline")
            return self.func(*args, **kwargs)
        return builder.add_task(self, args, kwargs)


_REQUIRED = inspect.Parameter.empty


if TYPE_CHECKING:
    from typing import TypedDict, Unpack

    class _StepKeywords(TypedDict, total=False):
        """The keywords of ``@step(...)``, as its implementation below takes them."""

        name: str | None
        image: str | None
        cpu: str | float | None
        memory: str | None
        gpu: int
        gpu_type: str
        retries: int
        retry_backoff: float
        timeout: float | None
        cache: bool
        packages: Sequence[str]
        env: Mapping[str, str] | None


@overload
def step(func: F, /) -> Step: ...


@overload
def step(func: None = None, /, **keywords: Unpack[_StepKeywords]) -> Callable[[F], Step]: ...


def step(
    func: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    image: str | None = None,
    cpu: str | float | None = None,
    memory: str | None = None,
    gpu: int = 0,
    gpu_type: str = "nvidia.com/gpu",
    retries: int = 0,
    retry_backoff: float = 1.0,
    timeout: float | None = None,
    cache: bool = True,
    packages: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Step | Callable[[F], Step]:
    """Make a Python function a pipeline step (``@step`` or ``@step(retries=2, ...)``).

    Parameters and the return value must be str, int, float, bool, list or dict (they
    travel as JSON); annotate them to have types checked. Return a ``typing.NamedTuple``
    for several outputs. ``image`` and ``cpu``/``memory``/``gpu`` matter on Kubernetes;
    ``packages`` are pip-installed before the step runs; ``timeout`` is in seconds;
    ``retries`` re-runs a failed step with exponential back-off from ``retry_backoff``
    seconds; ``cache=False`` always re-runs it.
    """
    options = StepOptions(
        image=image,
        cpu=None if cpu is None else str(cpu),
        memory=memory,
        gpu=gpu,
        gpu_type=gpu_type,
        retries=retries,
        retry_backoff=retry_backoff,
        timeout=timeout,
        cache=cache,
        packages=list(packages),
        env=dict(env or {}),
    )

    def wrap(fn: Callable[..., Any]) -> Step:
        return _python_step(fn, name or fn.__name__.lower().replace("_", "-"), options)

    return wrap(func) if func is not None else wrap


def _python_step(fn: Callable[..., Any], name: str, options: StepOptions) -> Step:
    where = f"step {name!r}"
    signature = inspect.signature(fn)
    hints = _type_hints(fn)
    inputs: dict[str, tuple[str, Any]] = {}
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise InvalidParameter(f"{where}: *args and **kwargs are not supported", field="step")
        ptype = t.parameter_type_of(
            hints.get(parameter.name), where=f"{where} input {parameter.name!r}"
        )
        inputs[parameter.name] = (ptype, parameter.default)
    outputs = _outputs_of(hints.get("return", _REQUIRED), signature, where)
    executor = {"python": {"source": _function_source(fn), "functionName": fn.__name__}}
    return Step(name, executor, inputs, outputs, options, func=fn)


def _type_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn)
    except Exception:  # unresolvable forward references: fall back to the raw annotations
        return dict(getattr(fn, "__annotations__", {}))


def _outputs_of(annotation: Any, signature: inspect.Signature, where: str) -> dict[str, str]:
    if annotation is _REQUIRED:
        annotation = signature.return_annotation
    if annotation is None or annotation is type(None):
        return {}
    if annotation is _REQUIRED:
        return {SINGLE_OUTPUT: t.ANY}
    fields = getattr(annotation, "__annotations__", None)
    if isinstance(annotation, type) and issubclass(annotation, tuple) and fields:
        fields = _type_hints(annotation)
        return {
            key: t.parameter_type_of(value, where=f"{where} output {key!r}")
            for key, value in fields.items()
        }
    return {SINGLE_OUTPUT: t.parameter_type_of(annotation, where=f"{where} output")}


def _function_source(fn: Callable[..., Any]) -> str:
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError) as exc:
        raise InvalidParameter(
            f"cannot read the source of {fn.__name__!r} ({exc}); define it in a file or a "
            "notebook cell",
            field="step",
        ) from None
    source = textwrap.dedent(source)
    # Drop the decorators: the runner calls the plain function.
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\s*(async\s+)?def\s", line))
    return "\n".join(lines[start:]) + "\n"


def shell_step(
    name: str,
    command: str | Sequence[str],
    *,
    inputs: Mapping[str, type | str] | None = None,
    outputs: Mapping[str, type | str] | None = None,
    image: str | None = None,
    cpu: str | float | None = None,
    memory: str | None = None,
    gpu: int = 0,
    retries: int = 0,
    timeout: float | None = None,
    cache: bool = True,
    env: Mapping[str, str] | None = None,
) -> Step:
    """A step that runs a shell command (a string, run by ``sh -c``) or an argv list.

    ``{{inputs.NAME}}`` in the command is replaced by the input's value and
    ``{{outputs.NAME}}`` by the path of a file the command writes that output to (read
    back as JSON, or as text for str outputs). Inputs are also in the environment as
    ``MLOPS_INPUT_<NAME>``.
    """
    argv = ["sh", "-c", command] if isinstance(command, str) else [str(part) for part in command]
    options = StepOptions(
        image=image,
        cpu=None if cpu is None else str(cpu),
        memory=memory,
        gpu=gpu,
        retries=retries,
        timeout=timeout,
        cache=cache,
        env=dict(env or {}),
    )
    return Step(
        name,
        {"container": {"command": argv}},
        {
            key: (_declared_type(value, f"{name} input {key}"), _REQUIRED)
            for key, value in (inputs or {}).items()
        },
        {
            key: _declared_type(value, f"{name} output {key}")
            for key, value in (outputs or {}).items()
        },
        options,
    )


def notebook_step(
    path: str | Path,
    *,
    name: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    outputs: Mapping[str, type | str] | None = None,
    image: str | None = None,
    cpu: str | float | None = None,
    memory: str | None = None,
    gpu: int = 0,
    retries: int = 0,
    timeout: float | None = None,
    cache: bool = True,
    packages: Sequence[str] = (),
    kernel_name: str = "python3",
) -> Step:
    """A step that executes a notebook with injected parameters (papermill-style).

    The notebook is embedded in the spec. ``parameters`` maps each parameter name to its
    type or to a default value (whose type is taken). A cell with the values is inserted
    after the cell tagged ``parameters`` (or at the top). The notebook sets outputs with
    ``jupyter_mlops.pipelines.set_output(name, value)``; the executed notebook is kept as
    the artifact ``notebook/<name>`` of the step's run.
    """
    import nbformat

    notebook_path = Path(path)
    try:
        notebook = nbformat.read(str(notebook_path), as_version=4)
    except (OSError, ValueError) as exc:
        raise InvalidParameter(f"cannot read notebook {str(path)!r}: {exc}", field="path") from None
    step_name = (
        name or re.sub(r"[^a-z0-9]+", "-", notebook_path.stem.lower()).strip("-") or "notebook"
    )
    inputs: dict[str, tuple[str, Any]] = {}
    for key, value in (parameters or {}).items():
        if isinstance(value, (type, str)) and not (
            isinstance(value, str) and value not in t.PARAMETER_TYPES
        ):
            inputs[key] = (_declared_type(value, f"{step_name} parameter {key}"), _REQUIRED)
        else:
            inputs[key] = (
                t.parameter_type_of(type(value), where=f"{step_name} parameter {key}"),
                value,
            )
    executor = {
        "notebook": {
            "name": notebook_path.name,
            "source": nbformat.writes(notebook),
            "kernelName": kernel_name,
        }
    }
    options = StepOptions(
        image=image,
        cpu=None if cpu is None else str(cpu),
        memory=memory,
        gpu=gpu,
        retries=retries,
        timeout=timeout,
        cache=cache,
        packages=list(packages),
    )
    outs = {
        key: _declared_type(value, f"{step_name} output {key}")
        for key, value in (outputs or {}).items()
    }
    return Step(step_name, executor, inputs, outs, options)


def _declared_type(value: type | str, where: str) -> str:
    if isinstance(value, str):
        if value not in t.PARAMETER_TYPES:
            raise InvalidParameter(f"{where}: unknown type {value!r}", field="type")
        return value
    return t.parameter_type_of(value, where=where)


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or len(name) > 63 or not _NAME_RE.match(name):
        raise InvalidParameter(
            f"{what} name {name!r} must be 1-63 lower-case letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit",
            field="name",
        )


# -- tasks, loops, conditions -------------------------------------------------------------
@dataclass
class Loop:
    name: str
    items: Any
    parallelism: int
    item: LoopItem | None = None


class Task:
    """One use of a step in a pipeline. ``.output`` is its single output,
    ``.outputs["name"]`` one of several; ``.after(other)`` adds an ordering edge."""

    def __init__(self, name: str, step: Step, arguments: dict[str, Any]) -> None:
        self.name = name
        self.step = step
        self.arguments = arguments
        self.after_tasks: list[Task] = []
        self.loop: Loop | None = None
        self.conditions: list[Condition] = []
        self.options = StepOptions(**{**step.options.__dict__})

    def __repr__(self) -> str:
        return f"<mlops task {self.name!r} of step {self.step.name!r}>"

    @property
    def outputs(self) -> dict[str, TaskOutput]:
        return {key: TaskOutput(self, key, ptype) for key, ptype in self.step.outputs.items()}

    @property
    def output(self) -> TaskOutput:
        if list(self.step.outputs) != [SINGLE_OUTPUT]:
            names = ", ".join(self.step.outputs) or "none"
            raise InvalidParameter(
                f"step {self.step.name!r} has no single output (outputs: {names}); "
                'use .outputs["name"]',
                field="output",
            )
        return self.outputs[SINGLE_OUTPUT]

    def after(self, *tasks: Task) -> Task:
        self.after_tasks.extend(tasks)
        return self

    def set_retry(self, retries: int, backoff: float = 1.0) -> Task:
        self.options.retries = retries
        self.options.retry_backoff = backoff
        self.options.check(f"task {self.name!r}")
        return self

    def set_caching(self, enabled: bool) -> Task:
        self.options.cache = enabled
        return self

    def set_timeout(self, seconds: float) -> Task:
        self.options.timeout = seconds
        self.options.check(f"task {self.name!r}")
        return self

    # A Task stands for its single output in comparisons (``with condition(t == 1)``).
    def __eq__(self, other: object) -> Condition:  # type: ignore[override]
        return self.output == other

    def __ne__(self, other: object) -> Condition:  # type: ignore[override]
        return self.output != other

    def __gt__(self, other: Any) -> Condition:
        return self.output > other

    def __ge__(self, other: Any) -> Condition:
        return self.output >= other

    def __lt__(self, other: Any) -> Condition:
        return self.output < other

    def __le__(self, other: Any) -> Condition:
        return self.output <= other

    __hash__ = object.__hash__


class _Builder:
    """Records the tasks of one pipeline function while it is traced."""

    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}
        self.loops: list[Loop] = []
        self.loop_stack: list[Loop] = []
        self.condition_stack: list[Condition] = []

    def add_task(self, step: Step, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Task:
        names = list(step.inputs)
        if len(args) > len(names):
            raise InvalidParameter(
                f"step {step.name!r} takes {len(names)} inputs, {len(args)} given", field=step.name
            )
        arguments = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in step.inputs:
                raise InvalidParameter(
                    f"step {step.name!r} has no input {key!r} "
                    f"(inputs: {', '.join(names) or 'none'})",
                    field=key,
                )
            if key in arguments:
                raise InvalidParameter(f"step {step.name!r}: input {key!r} given twice", field=key)
            arguments[key] = value
        name = step.name
        counter = 2
        while name in self.tasks:
            name = f"{step.name}-{counter}"
            counter += 1
        task = Task(name, step, arguments)
        task.loop = self.loop_stack[-1] if self.loop_stack else None
        task.conditions = list(self.condition_stack)
        self.tasks[name] = task
        return task


_current_builder: ContextVar[_Builder | None] = ContextVar("mlops_pipeline_builder", default=None)


def _builder(what: str) -> _Builder:
    builder = _current_builder.get()
    if builder is None:
        raise InvalidParameter(f"{what} is only allowed inside a @pipeline function", field=what)
    return builder


def parallel_for(
    items: Iterable[Any] | ValueRef | Task, parallelism: int = 0
) -> Iterator[LoopItem]:
    """Fan out: ``for item in parallel_for(items):`` runs the body's steps once per item.

    ``items`` is a list of JSON values, a pipeline parameter or a step's list output.
    ``parallelism`` caps how many iterations run at once (0: the backend's limit). A
    step outside the loop that takes an output of a step inside it gets the list of all
    iterations' values (fan-in).
    """
    builder = _builder("parallel_for")
    if builder.loop_stack:
        raise InvalidParameter("nested parallel_for is not supported", field="parallel_for")
    if isinstance(items, Task):
        items = items.output
    if not isinstance(items, ValueRef):
        items = list(items)
    if parallelism < 0:
        raise InvalidParameter("parallelism must be >= 0", field="parallelism")
    loop = Loop(f"for-loop-{len(builder.loops) + 1}", items, parallelism)
    loop.item = LoopItem(loop)
    builder.loops.append(loop)
    builder.loop_stack.append(loop)
    try:
        yield loop.item
    finally:
        builder.loop_stack.remove(loop)


@contextmanager
def condition(expression: Condition | ValueRef | Task) -> Iterator[None]:
    """Run the steps of the ``with`` block only if ``expression`` holds at run time:
    ``with condition(flip.output == "heads"):``. A bare output means ``== True``."""
    builder = _builder("condition")
    if isinstance(expression, Task):
        expression = expression.output
    if isinstance(expression, ValueRef):
        expression = Condition(expression, "==", True)
    if not isinstance(expression, Condition):
        raise InvalidParameter(
            "condition takes a comparison of a step output or parameter, e.g. "
            "`task.output == 'heads'`",
            field="condition",
        )
    builder.condition_stack.append(expression)
    try:
        yield
    finally:
        builder.condition_stack.pop()


# -- pipelines ----------------------------------------------------------------------------
class Pipeline:
    """A traced pipeline function; ``compile()`` gives its JSON spec."""

    def __init__(self, func: Callable[..., Any], name: str, description: str) -> None:
        _check_name(name, "pipeline")
        self.func = func
        self.name = name
        self.description = description
        signature = inspect.signature(func)
        hints = _type_hints(func)
        self.parameters: dict[str, tuple[str, Any]] = {}
        for parameter in signature.parameters.values():
            ptype = t.parameter_type_of(
                hints.get(parameter.name), where=f"pipeline {name!r} parameter {parameter.name!r}"
            )
            default = parameter.default
            if default is not _REQUIRED:
                default = t.check_value(default, ptype, field=parameter.name)
            self.parameters[parameter.name] = (ptype, default)

    def __repr__(self) -> str:
        return f"<mlops pipeline {self.name!r}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"pipeline {self.name!r} is run with mlops.pipelines.submit({self.name}, "
            "arguments={...}), not called"
        )

    def trace(self) -> tuple[_Builder, Any]:
        builder = _Builder()
        token = _current_builder.set(builder)
        try:
            refs = {
                key: PipelineParameter(key, ptype)
                for key, (ptype, _default) in self.parameters.items()
            }
            returned = self.func(**refs)
        finally:
            _current_builder.reset(token)
        return builder, returned

    def compile(self) -> dict[str, Any]:
        """The pipeline's spec (a JSON-ready dict), validated."""
        from .compiler import compile_pipeline

        return compile_pipeline(self)


@overload
def pipeline(func: F, /) -> Pipeline: ...


@overload
def pipeline(
    func: None = None, /, *, name: str | None = None, description: str | None = None
) -> Callable[[F], Pipeline]: ...


def pipeline(
    func: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
) -> Pipeline | Callable[[F], Pipeline]:
    """Make a function a pipeline: its parameters are the pipeline's parameters (with
    defaults), its body calls steps, and what it returns (a task, an output or a dict of
    them) are the pipeline's outputs."""

    def wrap(fn: Callable[..., Any]) -> Pipeline:
        doc = description if description is not None else inspect.getdoc(fn) or ""
        return Pipeline(fn, name or fn.__name__.lower().replace("_", "-"), doc)

    return wrap(func) if func is not None else wrap
