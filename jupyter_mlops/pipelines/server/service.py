"""The pipeline service: the one place where pipeline rules live.

The REST handlers, the scheduler and the in-process Python API all call it. Every
method takes the calling user first. Permissions: everybody may read every pipeline,
run and log; only a run's owner (or an admin) may cancel or retry it; only a
schedule's owner (or an admin) may change or delete it.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from ...errors import InvalidParameter, InvalidState, NotFound, PermissionDenied
from ...processes import ProcessPolicy
from ...tracking.entities import Page
from ..spec import states as s
from ..spec.entities import PipelineRun, SavedPipeline, Schedule
from ..spec.validation import bind_arguments, validate_spec
from .backends.base import PipelineBackend
from .engine import RunEngine
from .schedules import check_cron, next_fire_time, now_ms

MAX_LOG_CHUNK = 256 * 1024
MAX_RESULTS = 200
SCHEDULE_POLICIES = ("skip", "queue")


class PipelineService:
    """``root_dir`` and ``process_policy``: the server's root folder, whose pipeline files
    ``compile_file`` compiles, and how it runs their code as the caller (None: it
    compiles none)."""

    def __init__(
        self,
        engine: RunEngine,
        backends: Mapping[str, PipelineBackend],
        default_backend: str,
        admin_users: Collection[str] = (),
        *,
        root_dir: Path | None = None,
        process_policy: ProcessPolicy | None = None,
    ) -> None:
        self.engine = engine
        self.store = engine.store
        self.backends = dict(backends)
        self.default_backend = default_backend
        self.admin_users = frozenset(admin_users)
        self.root_dir = root_dir
        self.process_policy = process_policy

    # -- permissions ---------------------------------------------------------------------
    def _require_owner(self, user: str, owner: str, what: str) -> None:
        if user != owner and user not in self.admin_users:
            raise PermissionDenied(
                f"{user!r} may not change {what} of {owner!r}; only its owner or an admin may"
            )

    def _backend(self, name: str | None) -> PipelineBackend:
        name = name or self.default_backend
        backend = self.backends.get(name)
        if backend is None:
            raise InvalidParameter(
                f"unknown or unconfigured pipeline backend {name!r} (available: "
                f"{', '.join(sorted(self.backends))})",
                field="backend",
            )
        return backend

    # -- runs ------------------------------------------------------------------------------
    def submit(
        self,
        user: str,
        spec: Any = None,
        arguments: Mapping[str, Any] | None = None,
        *,
        pipeline_id: str | None = None,
        backend: str | None = None,
        experiment: str | None = None,
        schedule_id: int | None = None,
    ) -> PipelineRun:
        """Validate and start a run of ``spec`` (or of the saved pipeline ``pipeline_id``)
        with ``arguments``."""
        spec = self._spec_or_saved(user, spec, pipeline_id)
        chosen = self._backend(backend)
        if experiment is not None and (not isinstance(experiment, str) or not experiment.strip()):
            raise InvalidParameter("experiment must be a non-empty name", field="experiment")
        spec = validate_spec(spec)
        chosen.check_spec(spec)
        chosen.check_owner(user)
        run = self.engine.create_run(
            user,
            spec,
            dict(arguments) if arguments is not None else None,
            chosen.name,
            experiment=experiment,
            schedule_id=schedule_id,
        )
        chosen.start(run.run_id)
        return self.store.get_run(run.run_id)

    def get_run(self, user: str, run_id: str) -> PipelineRun:
        return self.store.get_run(_run_id(run_id))

    def list_runs(
        self,
        user: str,
        *,
        name: str | None = None,
        state: str | None = None,
        schedule_id: str | None = None,
        max_results: int = 50,
        page_token: str | None = None,
    ) -> Page[PipelineRun]:
        """Newest first; ``schedule_id`` keeps the runs that schedule fired (they stay
        listed after the schedule is deleted)."""
        if state is not None and state not in s.RUN_STATES:
            raise InvalidParameter(f"state must be one of {', '.join(s.RUN_STATES)}", field="state")
        if not 1 <= max_results <= MAX_RESULTS:
            raise InvalidParameter(f"max_results must be 1..{MAX_RESULTS}", field="max_results")
        runs, token = self.store.list_runs(
            name=name,
            states=[state] if state else (),
            schedule_id=None if schedule_id is None else _int_id(schedule_id, "schedule_id"),
            max_results=max_results,
            page_token=page_token,
        )
        return Page(runs, token)

    def cancel(self, user: str, run_id: str) -> PipelineRun:
        run = self.store.get_run(_run_id(run_id), with_steps=False)
        self._require_owner(user, run.owner, f"pipeline run {run.run_id!r}")
        if run.state in s.RUN_FINAL:
            raise InvalidState(
                f"Pipeline run {run.run_id!r} is already {run.state}", field="run_id"
            )
        self.store.update_run(run.run_id, expected_states=(s.PENDING, s.RUNNING), state=s.CANCELING)
        self._backend(run.backend).cancel(run.run_id)
        return self.store.get_run(run.run_id)

    def retry(self, user: str, run_id: str) -> PipelineRun:
        """Retry from failure: run again the failed, skipped and canceled steps; steps that
        succeeded keep their outputs."""
        run = self.store.get_run(_run_id(run_id))
        self._require_owner(user, run.owner, f"pipeline run {run.run_id!r}")
        backend = self._backend(run.backend)
        backend.check_owner(run.owner)
        self.engine.reset_for_retry(run)
        backend.retry(run.run_id)
        return self.store.get_run(run.run_id)

    def step_logs(self, user: str, run_id: str, step_id: str, since: int = 0) -> dict[str, Any]:
        """A chunk of a step's log from byte ``since``: ``text``, ``next`` (the cursor for
        the next call) and ``complete`` (the step is over and this is the end)."""
        if since < 0:
            raise InvalidParameter("since must be >= 0", field="since")
        step = self.store.get_step(_run_id(run_id), step_id)
        path = self.engine.log_path(step)
        data = b""
        size = 0
        if path is not None and path.exists():
            size = path.stat().st_size
            if since < size:
                with open(path, "rb") as handle:
                    handle.seek(since)
                    data = handle.read(MAX_LOG_CHUNK)
        data = _whole_characters(data)
        nxt = since + len(data) if data else max(since, 0)
        complete = step.state in s.STEP_FINAL and nxt >= size
        text = data
        return {
            "text": text.decode("utf-8", errors="replace"),
            "next": nxt,
            "complete": complete,
            "state": step.state,
        }

    # -- saved pipelines -------------------------------------------------------------------
    def save_pipeline(self, user: str, spec: Any, source_path: str | None = None) -> SavedPipeline:
        spec = validate_spec(spec)
        info = spec["pipelineInfo"]
        return self.store.save_pipeline(
            user, info["name"], info.get("description", ""), spec, source_path
        )

    def compile_file(self, user: str, path: str) -> list[SavedPipeline]:
        """Compile the ``@pipeline`` functions of a ``.py`` file or notebook under the
        server's root folder (``path`` relative to it) and save them, so that the panel
        can offer their forms."""
        if self.root_dir is None or self.process_policy is None:
            raise InvalidState("this pipeline service compiles no files (no root folder)")
        if not isinstance(path, str) or not path.strip():
            raise InvalidParameter("path must name a .py or .ipynb file", field="path")
        found = _confined(self.root_dir, path)
        from ..dsl.loader import compile_file as compile_pipelines

        # Loading the file runs its code: in a subprocess as the caller, never as this server.
        account = self.process_policy.account_for(user, backend="pipeline compile")
        specs = compile_pipelines(found, self.process_policy, account)
        if not specs:
            raise InvalidParameter(f"{path} defines no @pipeline", field="path")
        return [self.save_pipeline(user, spec, path) for spec in specs]

    def _spec_or_saved(self, user: str, spec: Any, pipeline_id: str | None) -> Any:
        """The spec a run or schedule is of: given inline, or a saved pipeline's."""
        if spec is not None and pipeline_id is not None:
            raise InvalidParameter("give spec or pipeline_id, not both", field="spec")
        if pipeline_id is not None:
            return self.get_pipeline(user, pipeline_id).spec
        if spec is None:
            raise InvalidParameter("spec (or pipeline_id) is required", field="spec")
        return spec

    def list_pipelines(self, user: str) -> list[SavedPipeline]:
        return self.store.list_pipelines(MAX_RESULTS)

    def get_pipeline(self, user: str, pipeline_id: str) -> SavedPipeline:
        return self.store.get_pipeline(_int_id(pipeline_id, "pipeline_id"))

    def delete_pipeline(self, user: str, pipeline_id: str) -> None:
        pipeline = self.store.get_pipeline(_int_id(pipeline_id, "pipeline_id"))
        self._require_owner(user, pipeline.owner, f"pipeline {pipeline.name!r}")
        self.store.delete_pipeline(int(pipeline.pipeline_id))

    # -- schedules -------------------------------------------------------------------------
    def create_schedule(
        self,
        user: str,
        spec: Any = None,
        cron: str | None = None,
        *,
        pipeline_id: str | None = None,
        arguments: Mapping[str, Any] | None = None,
        backend: str | None = None,
        policy: str | None = "skip",
        name: str | None = None,
        experiment: str | None = None,
        enabled: bool | None = True,
    ) -> Schedule:
        """Run ``spec`` (or the saved pipeline ``pipeline_id``) on the cron schedule
        ``cron`` (UTC); ``policy`` says what a fire time does while the last run still runs
        (``skip`` it or ``queue`` a run). Null members mean their default."""
        if not isinstance(cron, str):
            raise InvalidParameter("cron is required (e.g. '0 * * * *')", field="cron")
        if arguments is not None and not isinstance(arguments, Mapping):
            raise InvalidParameter("arguments must be a JSON object", field="arguments")
        spec = validate_spec(self._spec_or_saved(user, spec, pipeline_id))
        bound = bind_arguments(spec, dict(arguments or {}))
        chosen = self._backend(backend)
        check_cron(cron)
        policy = "skip" if policy is None else policy
        if policy not in SCHEDULE_POLICIES:
            raise InvalidParameter("policy must be 'skip' or 'queue'", field="policy")
        experiment_id = self.engine._experiment_id(user, experiment or "Pipelines")
        return self.store.create_schedule(
            name=name or spec["pipelineInfo"]["name"],
            owner=user,
            cron=cron,
            spec=spec,
            arguments=bound,
            backend=chosen.name,
            experiment_id=experiment_id,
            policy=policy,
            enabled=True if enabled is None else bool(enabled),
            next_fire_time=next_fire_time(cron, now_ms()),
        )

    def list_schedules(self, user: str) -> list[Schedule]:
        return self.store.list_schedules(MAX_RESULTS)

    def get_schedule(self, user: str, schedule_id: str) -> Schedule:
        return self.store.get_schedule(_int_id(schedule_id, "schedule_id"))

    def update_schedule(
        self, user: str, schedule_id: str, *, enabled: bool | None = None, cron: str | None = None
    ) -> Schedule:
        schedule = self.get_schedule(user, schedule_id)
        self._require_owner(user, schedule.owner, f"schedule {schedule.name!r}")
        changes: dict[str, Any] = {}
        if cron is not None:
            check_cron(cron)
            changes["cron"] = cron
            changes["next_fire_time"] = next_fire_time(cron, now_ms())
        if enabled is not None:
            changes["enabled"] = bool(enabled)
            if enabled:
                changes["next_fire_time"] = next_fire_time(cron or schedule.cron, now_ms())
        if changes:
            self.store.update_schedule(int(schedule.schedule_id), **changes)
        return self.get_schedule(user, schedule_id)

    def delete_schedule(self, user: str, schedule_id: str) -> None:
        schedule = self.get_schedule(user, schedule_id)
        self._require_owner(user, schedule.owner, f"schedule {schedule.name!r}")
        self.store.delete_schedule(int(schedule.schedule_id))

    def fire_due_schedules(self, now: int | None = None) -> list[str]:
        """Start the runs of schedules that are due; returns the new runs' ids.

        A schedule whose last run still runs is skipped (policy ``skip``) or queued
        (``queue``: the run starts once the running one ends). Missed fire times are not
        replayed: the next fire time is computed from now.
        """
        now = now_ms() if now is None else now
        started: list[str] = []
        for schedule in self.store.due_schedules(now):
            schedule_id = int(schedule.schedule_id)
            due = schedule.next_fire_time <= now
            changes: dict[str, Any] = {}
            if due:
                changes["next_fire_time"] = next_fire_time(schedule.cron, now)
            active = self.store.count_runs_of_schedule(
                schedule_id, (s.PENDING, s.RUNNING, s.CANCELING)
            )
            fire = False
            if active:
                if due and schedule.policy == "queue":
                    changes["queued"] = schedule.queued + 1
            elif due or schedule.queued:
                fire = True
                if not due:
                    changes["queued"] = schedule.queued - 1
            if fire:
                try:
                    run = self.submit(
                        schedule.owner,
                        schedule.spec,
                        schedule.arguments,
                        backend=schedule.backend,
                        schedule_id=schedule_id,
                        experiment=None,
                    )
                    changes["last_run_id"] = run.run_id
                    started.append(run.run_id)
                except (InvalidParameter, NotFound, InvalidState, PermissionDenied):
                    changes["enabled"] = False  # it can never run: stop trying
            if changes:
                self.store.update_schedule(schedule_id, **changes)
        return started

    # -- lifecycle -------------------------------------------------------------------------
    def reconcile(self) -> None:
        for backend in self.backends.values():
            backend.reconcile()

    def close(self) -> None:
        for backend in self.backends.values():
            backend.close()


def _whole_characters(data: bytes) -> bytes:
    """``data`` without a UTF-8 character cut at its end (the next chunk starts with it)."""
    for cut in range(min(3, len(data) - 1) + 1):
        candidate = data[: len(data) - cut]
        try:
            candidate.decode("utf-8")
        except UnicodeDecodeError:
            continue
        return candidate
    return data  # not UTF-8 at all: send it as is, decoded with replacements


def _confined(root_dir: Path, relative: str) -> Path:
    """The file ``relative`` names under ``root_dir``: a .py or .ipynb file, never outside
    it (no ``..``, no symlink out)."""
    root = root_dir.expanduser().resolve()
    candidate = (root / relative.lstrip("/")).resolve()
    if root != candidate and root not in candidate.parents:
        raise InvalidParameter("path leads outside the server's root folder", field="path")
    if candidate.suffix not in (".py", ".ipynb"):
        raise InvalidParameter("path must name a .py or .ipynb file", field="path")
    if not candidate.is_file():
        raise NotFound(f"No file {relative!r}", field="path")
    return candidate


def _run_id(run_id: str) -> str:
    if not isinstance(run_id, str) or not run_id or len(run_id) > 32 or not run_id.isalnum():
        raise InvalidParameter(f"run_id {run_id!r} is not a pipeline run id", field="run_id")
    return run_id


def _int_id(value: str, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidParameter(f"{field} must be an integer, got {value!r}", field=field) from None
    if number < 1:
        raise InvalidParameter(f"{field} must be positive", field=field)
    return number


def spec_from_text(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidParameter(f"the spec is not JSON: {exc}", field="spec") from None
    return validate_spec(value)


__all__ = ["PipelineService"]
