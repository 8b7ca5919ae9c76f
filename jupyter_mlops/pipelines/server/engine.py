"""The run engine: what every backend does around a step, on the store and in tracking.

Backends decide *where* a step runs; the engine decides *what* runs and records it:
planning (:mod:`planner`), the cache, the step's child tracking run, its log file and
outputs (artifacts of that run), and the final states of steps and runs. Blocking:
call it from a backend's own thread, never from the event loop.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import AlreadyExists, InvalidParameter, InvalidState, NotFound
from ...tracking.service import TrackingService
from ..spec import states as s
from ..spec.document import parse_duration
from ..spec.entities import PipelineRun, StepRun
from ..spec.validation import bind_arguments, validate_spec
from .cache import cache_key
from .planner import Plan, ReadyStep, StepView, initial_steps, instance_id, plan
from .store.sql_store import SqlPipelineStore

log = logging.getLogger(__name__)

#: Where a step's log lives among its tracking run's artifacts.
LOG_ARTIFACT = "logs/step.log"
OUTPUTS_FOLDER = "outputs"
DEFAULT_EXPERIMENT = "Pipelines"
_MAX_PARAM = 500


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Launch:
    """A step to start: everything a backend needs."""

    run: PipelineRun
    step: StepRun
    task: dict[str, Any]  # the task's spec
    executor: dict[str, Any]
    output_types: dict[str, str]
    artifact_dir: Path  # the step's tracking run's artifact folder (local disk)
    artifact_uri: str

    @property
    def log_path(self) -> Path:
        return self.artifact_dir / LOG_ARTIFACT

    @property
    def outputs_dir(self) -> Path:
        return self.artifact_dir / OUTPUTS_FOLDER

    @property
    def retries(self) -> int:
        return int(self.task.get("retryPolicy", {}).get("maxRetryCount", 0))

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` >= 1 failed)."""
        policy = self.task.get("retryPolicy", {})
        base = parse_duration(policy.get("backoffDuration"), 1.0)
        factor = float(policy.get("backoffFactor", 2.0))
        cap = parse_duration(policy.get("backoffMaxDuration"), 3600.0)
        return float(min(cap, base * factor ** (attempt - 1)))

    @property
    def timeout(self) -> float | None:
        value = self.task.get("timeout")
        return None if value is None else parse_duration(value)

    def runner_task(self, **extra: Any) -> dict[str, Any]:
        """The document the step runner reads (``--task-file``/``--task-json``)."""
        document = {
            "executor": self.executor,
            "inputs": self.step.inputs,
            "outputs": self.output_types,
            "tracking": {"runId": self.step.tracking_run_id},
        }
        document.update(extra)
        return document


class RunEngine:
    """Records and plans pipeline runs; shared by the backends of one process."""

    def __init__(self, store: SqlPipelineStore, tracking: TrackingService) -> None:
        self.store = store
        self.tracking = tracking

    # -- creating runs ------------------------------------------------------------------
    def create_run(
        self,
        user: str,
        spec: Any,
        arguments: dict[str, Any] | None,
        backend: str,
        *,
        experiment: str | None = None,
        schedule_id: int | None = None,
    ) -> PipelineRun:
        spec = validate_spec(spec)
        if arguments is not None and not isinstance(arguments, dict):
            raise InvalidParameter("arguments must be a JSON object", field="arguments")
        bound = bind_arguments(spec, arguments)
        name = spec["pipelineInfo"]["name"]
        experiment_id = self._experiment_id(user, experiment or DEFAULT_EXPERIMENT)
        run_id = uuid.uuid4().hex
        parent = self.tracking.create_run(
            user,
            experiment_id,
            run_name=f"{name}-{run_id[:8]}",
            tags={
                "mlops.pipeline.run_id": run_id,
                "mlops.pipeline.name": name,
                "mlops.pipeline.backend": backend,
            },
        )
        if bound:
            self.tracking.log_batch(
                user, parent.info.run_id, params={k: _param(v) for k, v in bound.items()}
            )
        now = now_ms()
        run = PipelineRun(
            run_id=run_id,
            name=name,
            owner=user,
            spec=spec,
            arguments=bound,
            backend=backend,
            state=s.PENDING,
            message="",
            loops={},
            outputs={},
            tracking_run_id=parent.info.run_id,
            experiment_id=experiment_id,
            schedule_id=schedule_id,
            backend_ref=None,
            attempt=1,
            created_time=now,
            start_time=None,
            end_time=None,
            updated_time=now,
        )
        steps = [self._new_step(run_id, view) for view in initial_steps(spec)]
        self.store.create_run(run, steps)
        run.steps = steps
        return run

    def _experiment_id(self, user: str, name: str) -> str:
        try:
            return self.tracking.get_experiment_by_name(user, name).experiment_id
        except NotFound:
            pass
        try:
            return self.tracking.create_experiment(user, name).experiment_id
        except AlreadyExists:
            return self.tracking.get_experiment_by_name(user, name).experiment_id

    @staticmethod
    def _new_step(run_id: str, view: StepView) -> StepRun:
        return StepRun(
            run_id=run_id,
            step_id=instance_id(view.task, view.index),
            task=view.task,
            iteration=view.index,
            state=view.state,
            updated_time=now_ms(),
        )

    # -- planning -----------------------------------------------------------------------
    def advance(
        self, run_id: str, running_limit: int | None = None, *, run: PipelineRun | None = None
    ) -> tuple[PipelineRun, Plan]:
        """Plan the run and record what the plan decided (new loop iterations, skipped
        steps, the final state). The caller starts ``plan.ready`` with :meth:`prepare`.

        ``run``: the run a previous call returned, when the caller is the run's only
        writer through this engine's methods (the local backend's driver). They keep it
        current, so planning does not re-read every step from the store at each turn,
        which would make a run of n steps cost O(n^2) reads.
        """
        if run is None:
            run = self.store.get_run(run_id)
        if run.state == s.PENDING:
            start_time = now_ms()
            self.store.update_run(run_id, state=s.RUNNING, start_time=start_time)
            run.state, run.start_time = s.RUNNING, start_time
        by_id = {step.step_id: step for step in run.steps or []}
        views = {
            step_id: StepView(step.task, step.iteration, step.state, step.outputs)
            for step_id, step in by_id.items()
        }
        result = plan(run.spec, run.arguments, views, run.loops, running_limit=running_limit)
        if result.loops:
            run.loops = {**run.loops, **result.loops}
            self.store.update_run(run_id, loops=run.loops)
        if result.create:
            # Placeholders of loops that will not run carry their final state at once.
            created = [self._new_step(run_id, view) for view in result.create]
            self.store.add_steps(created)
            run.steps = [*(run.steps or []), *created]
            by_id.update((step.step_id, step) for step in created)
        for step_id, (state, message) in result.finish.items():
            self._update_step(run, by_id[step_id], state=state, message=message, end_time=now_ms())
        if result.outcome is not None:
            self.finish_run(run, result.outcome, outputs=result.outputs)
        return run, result

    def finish_run(
        self,
        run: PipelineRun,
        state: str,
        *,
        outputs: dict[str, Any] | None = None,
        message: str = "",
    ) -> None:
        if not message and state == s.FAILED:
            failed = [
                step
                for step in self.store.get_run(run.run_id).steps or []
                if step.state == s.FAILED
            ]
            if failed:
                message = f"step {failed[0].step_id!r} failed: {failed[0].message}"
        changed = self.store.update_run(
            run.run_id,
            expected_states=(s.PENDING, s.RUNNING, s.CANCELING),
            state=state,
            message=message,
            outputs=outputs or {},
            end_time=now_ms(),
        )
        if changed and run.tracking_run_id:
            if outputs:
                self._log_params(
                    run.owner, run.tracking_run_id, {f"output.{k}": v for k, v in outputs.items()}
                )
            status = {s.SUCCEEDED: "FINISHED", s.FAILED: "FAILED"}.get(state, "KILLED")
            self._end_tracking_run(run.owner, run.tracking_run_id, status)

    # -- steps --------------------------------------------------------------------------
    def prepare(self, run: PipelineRun, ready: ReadyStep) -> Launch | None:
        """Start a ready step's bookkeeping. None when the cache answered it (the step is
        then SUCCEEDED with the cached outputs); a :class:`Launch` to run otherwise."""
        task = run.spec["root"]["dag"]["tasks"][ready.task]
        component = run.spec["components"][task["componentRef"]["name"]]
        executor = run.spec["deploymentSpec"]["executors"][component["executorLabel"]]
        output_types = {
            key: value["parameterType"]
            for key, value in component.get("outputDefinitions", {}).get("parameters", {}).items()
        }
        caching = task.get("cachingOptions", {}).get("enableCache", True)
        key = cache_key(executor, ready.inputs, output_types) if caching else None
        if key is not None:
            hit = self.store.find_cached(key)
            if hit is not None:
                self._update_step(
                    run,
                    self._step_of(run, ready.id),
                    state=s.SUCCEEDED,
                    cached=True,
                    cache_key=key,
                    cached_from=hit.run_id,
                    tracking_run_id=hit.tracking_run_id,
                    inputs=ready.inputs,
                    outputs=hit.outputs,
                    message=f"cached: outputs of run {hit.run_id[:8]}'s step {hit.step_id!r}",
                    start_time=now_ms(),
                    end_time=now_ms(),
                )
                return None
        child = self.tracking.create_run(
            run.owner,
            run.experiment_id,
            run_name=ready.id,
            tags={
                "mlops.pipeline.run_id": run.run_id,
                "mlops.pipeline.step": ready.id,
                "mlops.pipeline.name": run.name,
            },
            parent_run_id=run.tracking_run_id,
        )
        if ready.inputs:
            self._log_params(run.owner, child.info.run_id, ready.inputs)
        step = self._step_of(run, ready.id)
        self._update_step(
            run,
            step,
            state=s.RUNNING,
            inputs=ready.inputs,
            tracking_run_id=child.info.run_id,
            cache_key=key,
            cached=False,
            cached_from=None,
            attempt=1,
            message="",
            outputs={},
            start_time=now_ms(),
            end_time=None,
        )
        artifact_dir = self.tracking.artifacts.run_folder(child.info.artifact_uri)
        (artifact_dir / "logs").mkdir(parents=True, exist_ok=True)
        (artifact_dir / OUTPUTS_FOLDER).mkdir(parents=True, exist_ok=True)
        return Launch(
            run, step, task, executor, output_types, artifact_dir, child.info.artifact_uri
        )

    def relaunch(self, run: PipelineRun, step: StepRun) -> Launch:
        """The :class:`Launch` of a step already prepared (a cluster backend's next pass,
        after a restart too)."""
        task = run.spec["root"]["dag"]["tasks"][step.task]
        component = run.spec["components"][task["componentRef"]["name"]]
        executor = run.spec["deploymentSpec"]["executors"][component["executorLabel"]]
        output_types = {
            key: value["parameterType"]
            for key, value in component.get("outputDefinitions", {}).get("parameters", {}).items()
        }
        if not step.tracking_run_id:
            raise InvalidState(f"step {step.step_id!r} was never started", field="step_id")
        info = self.tracking.get_run_info(run.owner, step.tracking_run_id)
        artifact_dir = self.tracking.artifacts.run_folder(info.artifact_uri)
        return Launch(run, step, task, executor, output_types, artifact_dir, info.artifact_uri)

    def read_outputs(self, launch: Launch) -> dict[str, Any]:
        """The outputs the runner stored in the step's artifact folder."""
        outputs: dict[str, Any] = {}
        for name in launch.output_types:
            path = launch.outputs_dir / f"{name}.json"
            if path.exists():
                outputs[name] = json.loads(path.read_text(encoding="utf-8"))
        return outputs

    def step_succeeded(self, run: PipelineRun, step: StepRun, outputs: dict[str, Any]) -> None:
        self._update_step(
            run,
            step,
            state=s.SUCCEEDED,
            outputs=outputs,
            message="",
            end_time=now_ms(),
        )
        if step.tracking_run_id:
            self._end_tracking_run(run.owner, step.tracking_run_id, "FINISHED")

    def step_failed(
        self, run: PipelineRun, step: StepRun, message: str, *, state: str = s.FAILED
    ) -> None:
        self._update_step(run, step, state=state, message=message[:4000], end_time=now_ms())
        if step.tracking_run_id:
            status = "FAILED" if state == s.FAILED else "KILLED"
            self._end_tracking_run(run.owner, step.tracking_run_id, status)

    def step_retrying(self, run: PipelineRun, step: StepRun, attempt: int, message: str) -> None:
        self._update_step(run, step, attempt=attempt, message=message)

    def step_started(self, run: PipelineRun, step: StepRun, backend_ref: str) -> None:
        """Record where a prepared step runs (a pid, a Job), for reconcile and cancel."""
        self._update_step(run, step, backend_ref=backend_ref)

    # -- the step rows ------------------------------------------------------------------
    def _update_step(self, run: PipelineRun, step: StepRun, **fields: Any) -> None:
        """Write a step's fields, and the same to ``step`` itself: the entity in
        ``run.steps`` that advance(run=...) plans with."""
        self.store.update_step(run.run_id, step.step_id, **fields)
        for name, value in fields.items():
            setattr(step, name, value)

    def _step_of(self, run: PipelineRun, step_id: str) -> StepRun:
        """The step entity in ``run.steps`` (read and added when the run lacks it)."""
        for step in run.steps or []:
            if step.step_id == step_id:
                return step
        step = self.store.get_step(run.run_id, step_id)
        run.steps = [*(run.steps or []), step]
        return step

    def log_path(self, step: StepRun) -> Path | None:
        if not step.tracking_run_id:
            return None
        # Every caller may read every run: the engine reads as nobody in particular.
        info = self.tracking.get_run_info("", step.tracking_run_id)
        return self.tracking.artifacts.run_folder(info.artifact_uri) / LOG_ARTIFACT

    # -- what the backends read and record (never the store themselves) ---------------
    def run(self, run_id: str, with_steps: bool = True) -> PipelineRun:
        """The run as stored now (with its steps unless told otherwise)."""
        return self.store.get_run(run_id, with_steps=with_steps)

    def has_ended(self, run_id: str) -> bool:
        """Whether the run reached a final state; a run that is gone has ended too."""
        try:
            return self.store.get_run(run_id, with_steps=False).state in s.RUN_FINAL
        except NotFound:
            return True

    def live_runs(self, backend: str) -> list[str]:
        """Ids of the runs ``backend`` drives that have not ended (reconcile's work)."""
        return self.store.run_ids_in_states((s.PENDING, s.RUNNING, s.CANCELING), backend=backend)

    def run_handed_to(self, run_id: str, backend_ref: str, *, running: bool = False) -> None:
        """Record where the run is driven (a process, a namespace, a Workflow); ``running``:
        the backend submitted it as a whole."""
        if running:
            self.store.update_run(run_id, backend_ref=backend_ref, state=s.RUNNING)
        else:
            self.store.update_run(run_id, backend_ref=backend_ref)

    def mark_canceling(self, run_id: str) -> None:
        self.store.update_run(run_id, state=s.CANCELING)

    def skip_pending_steps(self, run_id: str, message: str) -> None:
        """Mark the steps that never started SKIPPED: the run ends without them."""
        self.store.update_steps_in_states(run_id, (s.PENDING,), state=s.SKIPPED, message=message)

    def step_discovered(self, step: StepRun, *, replaces: str | None = None) -> None:
        """Record a step the backend found running (an Argo node), in place of the loop
        placeholder step ``replaces`` when the loop expanded."""
        self.store.add_steps([step])
        if replaces is not None:
            self.store.delete_steps(step.run_id, [replaces])

    def mark_step_running(
        self, run_id: str, step_id: str, backend_ref: str | None, tracking_run_id: str | None
    ) -> None:
        self.store.update_step(
            run_id, step_id, state=s.RUNNING, **_where_it_runs(backend_ref, tracking_run_id)
        )

    def record_step_outputs(
        self,
        run_id: str,
        step_id: str,
        outputs: dict[str, Any],
        backend_ref: str | None,
        tracking_run_id: str | None,
    ) -> None:
        """The outputs of a step that ended, before :meth:`step_succeeded` or failed."""
        self.store.update_step(
            run_id, step_id, outputs=outputs, **_where_it_runs(backend_ref, tracking_run_id)
        )

    def detach_step(self, run_id: str, step_id: str) -> None:
        """The step runs nowhere (a node that never ran)."""
        self.store.update_step(run_id, step_id, backend_ref=None)

    def forget_step_attempt(self, run_id: str, step_id: str) -> None:
        """A step to run again forgets its last attempt's node, tracking run and outputs."""
        self.store.update_step(run_id, step_id, backend_ref=None, tracking_run_id=None, outputs={})

    # -- cancel and retry ---------------------------------------------------------------
    def cancel_pending(self, run: PipelineRun, message: str = "canceled") -> None:
        """Mark every step that has not started CANCELED (running ones are the backend's)."""
        self.store.update_steps_in_states(
            run.run_id, (s.PENDING,), state=s.CANCELED, message=message, end_time=now_ms()
        )

    def reset_for_retry(self, run: PipelineRun) -> None:
        """Put the failed, skipped and canceled steps back to PENDING (retry from failure)."""
        if run.state not in (s.FAILED, s.CANCELED):
            raise InvalidState(
                f"Pipeline run {run.run_id!r} is {run.state}; only FAILED or CANCELED runs "
                "can be retried",
                field="run_id",
            )
        tasks = run.spec["root"]["dag"]["tasks"]
        steps = run.steps or []
        # Loops that never expanded (their items' producer failed) expand again.
        dropped_loops = [loop for loop, items in run.loops.items() if items is None]
        placeholders = [
            step.step_id
            for step in steps
            if step.iteration is None and tasks[step.task].get("iterator") in dropped_loops
        ]
        self.store.delete_steps(run.run_id, placeholders)
        self.store.update_steps_in_states(
            run.run_id,
            s.STEP_RETRYABLE,
            state=s.PENDING,
            message="",
            end_time=None,
            start_time=None,
            attempt=0,
        )
        loops = {loop: items for loop, items in run.loops.items() if items is not None}
        self.store.update_run(
            run.run_id,
            state=s.RUNNING,
            message="",
            loops=loops,
            end_time=None,
            attempt=run.attempt + 1,
        )
        if run.tracking_run_id:
            self.tracking.update_run(run.owner, run.tracking_run_id, status="RUNNING")

    # -- tracking helpers ---------------------------------------------------------------
    def _end_tracking_run(self, user: str, run_id: str, status: str) -> None:
        try:
            self.tracking.update_run(user, run_id, status=status, end_time=now_ms())
        except (NotFound, InvalidState, InvalidParameter):
            log.warning("could not end tracking run %s", run_id, exc_info=True)

    def _log_params(self, user: str, run_id: str, values: dict[str, Any]) -> None:
        try:
            self.tracking.log_batch(user, run_id, params={k: _param(v) for k, v in values.items()})
        except (InvalidParameter, InvalidState):
            log.warning("could not log params to %s", run_id, exc_info=True)


def _where_it_runs(backend_ref: str | None, tracking_run_id: str | None) -> dict[str, Any]:
    """The step fields that say where it runs; a tracking run not known yet is kept."""
    fields: dict[str, Any] = {"backend_ref": backend_ref}
    if tracking_run_id:
        fields["tracking_run_id"] = tracking_run_id
    return fields


def _param(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= _MAX_PARAM else text[: _MAX_PARAM - 3] + "..."


#: A callable that starts a prepared step (backend-specific).
Launcher = Callable[[Launch], None]
