"""The notebook API: ``import jupyter_mlops as mlops; with mlops.start_run(): ...``.

It keeps a stack of active runs per thread / asyncio task (a ``ContextVar``), finds the
active run and calls ``MlopsClient``; nothing else lives here. Metric points are queued
and written in batches by a background thread (``synchronous=True`` writes at once);
params, tags and artifacts are written immediately, so their errors surface at the call.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Literal

from ..errors import AlreadyExists, InvalidParameter, InvalidState, NotFound
from ..tracking.entities import (
    DatasetInput,
    Experiment,
    FileInfo,
    LifecycleStage,
    Metric,
    Run,
    RunInfo,
    RunStatus,
    ViewType,
)
from ..tracking.service import END_REASON_TAG
from . import console_capture as _console
from . import context as _context
from . import heartbeats as _heartbeats
from . import run_link as _run_link
from . import spool as _spool
from .batcher import MetricBatcher, MetricListener
from .client import (
    MAX_METRICS_PER_BATCH,
    SEARCH_PAGE_SIZE,
    MlopsClient,
    make_metric,
    now_ms,
)
from .system_metrics import SystemMetricsSampler
from .system_metrics import enabled_by_default as _system_metrics_by_default
from .termination import SIGTERM_REASON, install_sigterm_handler
from .uri import resolve_tracking_uri
from .uri import set_tracking_uri as _set_tracking_uri

__all__ = [
    "active_run",
    "delete_tag",
    "end_run",
    "flush",
    "get_run",
    "get_tracking_uri",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_input",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "log_text",
    "search_runs",
    "set_experiment",
    "set_tag",
    "set_tags",
    "set_tracking_uri",
    "start_run",
]

log = logging.getLogger(__name__)

# The active-run stack: a tuple, replaced (never mutated) so that each context owns its own.
_active_runs: ContextVar[tuple[ActiveRun, ...]] = ContextVar(
    "jupyter_mlops_active_runs", default=()
)
_batcher = MetricBatcher(batch_size=MAX_METRICS_PER_BATCH)
_state_lock = threading.Lock()
_clients: dict[tuple[str, str | None], MlopsClient] = {}
_experiment_ids: dict[str, str] = {}  # tracking URI -> experiment chosen by set_experiment
_open_runs: dict[str, ActiveRun] = {}  # every unended run, for the exit hook
# This process's metric spool per tracking URI (client/spool.py); None: spooling is off.
_spools: dict[str, _spool.SpoolWriter | None] = {}
_exit_hook_registered = False
#: Called with (run_id, status) when a run started here ends (live widgets listen).
RunEndListener = Callable[[str, RunStatus], None]
_run_end_listeners: tuple[RunEndListener, ...] = ()
# Bound once: log_metric's timestamp is one global lookup and one call.
_time = time.time
_write = os.write
# The end of a spooled point's line (client/spool.py): seq, value (repr: exact), time, step.
_POINT_LINE = b"%d\t%a\t%d\t%d\n"
#: Where a run that failed in its ``with start_run():`` block keeps why (the run page shows
#: both, as it shows the ``%%track`` cell's ``mlops.cell.error`` and ``cell/traceback.txt``).
ERROR_TAG = "mlops.error"
ERROR_TRACEBACK_ARTIFACT = "error/traceback.txt"


def _spool_for(client: MlopsClient) -> _spool.SpoolWriter | None:
    """This process's spool for the client's URI. Opening it first also replays, in the
    background, the spools that dead processes left for the same URI."""
    with _state_lock:
        uri = client.tracking_uri
        if uri in _spools:
            return _spools[uri]
        spool = _spools[uri] = _spool.open_spool(uri)
    if spool is not None:
        threading.Thread(
            target=_replay_orphans,
            args=(uri, client),
            name="jupyter-mlops-spool-replay",
            daemon=True,
        ).start()
    return spool


def _replay_orphans(uri: str, client: MlopsClient) -> None:
    from .spool_replay import replay_orphans

    try:
        report = replay_orphans(uri, client.transport)
    except Exception as err:  # the spools stay for the next process or `jupyter mlops sync`
        log.warning("jupyter-mlops: could not replay the spools of %s: %s", uri, err)
        return
    if report.spools:
        log.info(
            "jupyter-mlops: stored %d metric point(s) that killed processes left in %d spool(s)",
            report.points,
            report.spools,
        )


class ActiveRun:
    """A run started (or resumed) by ``start_run``. As a context manager it ends the run:
    FINISHED, or FAILED when the block raised (KILLED on KeyboardInterrupt)."""

    def __init__(self, run: Run, client: MlopsClient, synchronous: bool) -> None:
        self._run = run
        self.client = client
        self.synchronous = synchronous
        self._ended = False
        # Read by every log_metric: a plain attribute and a bound method made once, not a
        # property and a new bound method per call.
        self._run_id = run.info.run_id
        self._writer = self._write_batch
        self._sampler: SystemMetricsSampler | None = None
        self._console: _console.ConsoleCapture | None = None
        spool = _spool_for(client)
        self._spooled = spool.run(self._run_id) if spool is not None else None

    @property
    def info(self) -> RunInfo:
        """The run's info as of start_run; use ``get_run(run_id)`` for its current state."""
        return self._run.info

    @property
    def run_id(self) -> str:
        return self._run_id

    def __repr__(self) -> str:
        return f"<ActiveRun {self.run_id} {self.info.run_name!r}>"

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            _end(self, RunStatus.FINISHED)
            return
        status = RunStatus.KILLED if issubclass(exc_type, KeyboardInterrupt) else RunStatus.FAILED
        if status is RunStatus.FAILED and exc is not None:
            self._record_error(exc)
        try:
            _end(self, status)
        except Exception:
            # The block's own exception must propagate unchanged; report ours aside.
            log.exception("jupyter-mlops: ending run %s as %s failed", self.run_id, status.value)

    def _record_error(self, exc: BaseException) -> None:
        """Keep why the block failed where the run page shows it: the exception's last
        line as the tag ``mlops.error``, the traceback as ``error/traceback.txt``."""
        try:
            text = "".join(traceback.format_exception(exc))
            self.client.log_text(self._run_id, text, ERROR_TRACEBACK_ARTIFACT)
            line = traceback.format_exception_only(exc)[-1].strip()
            self.client.set_tag(self._run_id, ERROR_TAG, line[:5000])
        except Exception as err:  # never hide the block's own exception
            log.warning("jupyter-mlops: could not record why run %s failed: %s", self.run_id, err)

    # -- used by the module functions -----------------------------------------------------
    def _queue_point(self, key: str, value: float, timestamp: int, step: int) -> None:
        """Queue one point; with a spool, on disk before this returns (client/spool.py)."""
        spooled = self._spooled
        if spooled is None:
            _batcher.add_point(self._run_id, self._writer, key, value, timestamp, step)
            return
        # Raised before a number is taken: a number taken is always queued (no gaps).
        _batcher.raise_error(self._run_id)
        with spooled.lock:
            seq = spooled.next_seq
            prefix = spooled.prefixes.get(key) or spooled.prefix(key)
            line = prefix + _POINT_LINE % (seq, value, timestamp, step)
            try:
                _write(spooled.writer.fd, line)
            except OSError as err:  # a full disk: the point still queues, unspooled
                spooled.writer.write_failed(err)
            spooled.next_seq = seq + 1
            _batcher.add_spooled_point(self._run_id, self._writer, key, value, timestamp, step, seq)
        _batcher.check_backlog(self._run_id)

    def _queue_points(self, metrics: Sequence[Metric], raise_errors: bool = True) -> None:
        """Queue several points (spooled with one write, as ``_queue_point``)."""
        spooled = self._spooled
        if spooled is None:
            _batcher.add(self._run_id, metrics, self._writer, raise_errors=raise_errors)
            return
        if raise_errors:
            _batcher.raise_error(self._run_id)
        if not metrics:
            return
        with spooled.lock:
            first = spooled.next_seq
            lines = b"".join(
                spooled.prefix(m.key) + _POINT_LINE % (first + i, m.value, m.timestamp, m.step)
                for i, m in enumerate(metrics)
            )
            try:
                _write(spooled.writer.fd, lines)
            except OSError as err:
                spooled.writer.write_failed(err)
            spooled.next_seq = first + len(metrics)
            _batcher.add(self._run_id, metrics, self._writer, raise_errors=False, first_seq=first)

    def _log_metrics(self, metrics: Sequence[Metric], synchronous: bool | None) -> None:
        if self.synchronous if synchronous is None else synchronous:
            _batcher.flush(self._run_id)  # queued points first, so the history stays in order
            if len(metrics) <= MAX_METRICS_PER_BATCH:  # one request: no need to chunk
                self.client.transport.log_batch(self._run_id, metrics=metrics)
            else:
                self.client.log_batch(self._run_id, metrics=metrics)
            _batcher.notify(self._run_id, metrics)
        else:
            self._queue_points(metrics)

    def _write_batch(self, run_id: str, metrics: Sequence[Metric], first_seq: int) -> None:
        spooled = self._spooled
        if first_seq < 0 or spooled is None:
            self.client.transport.log_batch(run_id, metrics=metrics)
            return
        writer = spooled.writer
        self.client.transport.log_spooled_metrics(run_id, writer.writer_id, first_seq, metrics)
        writer.ack(spooled.number, first_seq + len(metrics) - 1)

    def _sample_system_metrics(self, interval: float | None) -> None:
        def sink(points: Sequence[Metric]) -> None:
            # A failed write stays queued for the user's next call, not the sampler's.
            self._queue_points(points, raise_errors=False)

        self._sampler = SystemMetricsSampler(sink, interval)
        self._sampler.start()

    def _finish(self, status: RunStatus) -> None:
        if self._ended:
            return
        self._ended = True
        if self._sampler is not None:
            self._sampler.stop()
        if self._console is not None:  # uploads the rest while the run still takes files
            self._console.stop()
        try:
            _batcher.flush(self.run_id)
        finally:
            # Still listed while its last points are written (live charts read its name).
            with _state_lock:
                _open_runs.pop(self.run_id, None)
            # The run is over even if its last points failed: say so, then raise.
            self.client.update_run(self.run_id, status=status, end_time=now_ms())
            for listener in _run_end_listeners:
                try:
                    listener(self._run_id, status)
                except Exception:  # a broken widget must not break ending the run
                    log.exception("jupyter-mlops: run-end listener %r failed", listener)


# -- tracking URI and experiment --------------------------------------------------------
def set_tracking_uri(uri: str | None, token: str | None = None) -> None:
    """Log to ``uri`` from now on: a jupyter server URL (``http(s)://host:port/base/``, with
    its ``token``) or a SQLAlchemy URI (``sqlite:///path``, ``postgresql+psycopg://...``).

    ``None`` goes back to ``JUPYTER_MLOPS_TRACKING_URI`` or the embedded default store.
    Runs already active keep logging where they started.
    """
    _set_tracking_uri(uri, token)


def get_tracking_uri() -> str:
    """The tracking URI new runs will use."""
    return resolve_tracking_uri()[0]


def _client() -> MlopsClient:
    uri, token = resolve_tracking_uri()
    with _state_lock:
        client = _clients.get((uri, token))
        if client is None:
            client = _clients[(uri, token)] = MlopsClient(uri, token)
        return client


def set_experiment(
    experiment_name: str | None = None, experiment_id: str | None = None
) -> Experiment:
    """Make an experiment the default for new runs, creating it (by name) if missing."""
    if (experiment_name is None) == (experiment_id is None):
        raise InvalidParameter(
            "Pass exactly one of experiment_name and experiment_id.", field="experiment_name"
        )
    client = _client()
    if experiment_id is not None:
        experiment = client.get_experiment(str(experiment_id))
    else:
        assert experiment_name is not None
        experiment = _get_or_create_experiment(client, experiment_name)
    if experiment.lifecycle_stage == LifecycleStage.DELETED:
        raise InvalidState(
            f"Experiment {experiment.name!r} is deleted; restore it or choose another name.",
            field="experiment",
        )
    with _state_lock:
        _experiment_ids[client.tracking_uri] = experiment.experiment_id
    return experiment


def _get_or_create_experiment(client: MlopsClient, name: str) -> Experiment:
    try:
        return client.get_experiment_by_name(name)
    except NotFound:
        pass
    try:
        return client.create_experiment(name)
    except AlreadyExists:  # someone else created it just now
        return client.get_experiment_by_name(name)


def _default_experiment_id(client: MlopsClient) -> str | None:
    with _state_lock:
        return _experiment_ids.get(client.tracking_uri)


# -- runs ---------------------------------------------------------------------------------
def start_run(
    run_id: str | None = None,
    experiment: str | None = None,
    run_name: str | None = None,
    nested: bool = False,
    tags: Mapping[str, Any] | None = None,
    synchronous: bool = False,
    system_metrics: bool | None = None,
    system_metrics_interval: float | None = None,
    capture_output: bool | None = None,
) -> ActiveRun:
    """Start a run (or resume ``run_id``) and make it the active run.

    ``experiment`` is an experiment name, created if missing (default: the one chosen by
    ``set_experiment``, else "Default"). Inside an active run, pass ``nested=True`` to start
    a child run. ``synchronous=True`` writes every metric immediately instead of batching.
    ``system_metrics=True`` samples CPU, memory, disk, network and GPU every few seconds
    as ``system/...`` metrics (default: ``JUPYTER_MLOPS_SYSTEM_METRICS``, else off).
    ``capture_output=True`` keeps what the process prints (Python-level stdout and stderr)
    as the artifact ``logs/console.txt`` (default: ``JUPYTER_MLOPS_CAPTURE_OUTPUT``, else on
    for new runs outside IPython; see ``jupyter_mlops.client.console_capture``).
    A new run started in a notebook kernel is tagged with its context (notebook, kernel,
    Python and library versions, git state, host; see ``jupyter_mlops.client.context``).
    Use it as a context manager, or call ``end_run()``.
    """
    stack = _active_runs.get()
    if stack and not nested:
        raise InvalidState(
            f"Run {stack[-1].run_id} is already active. End it with end_run() (or leave its "
            "with-block) first, or pass nested=True to start a child run inside it.",
            field="nested",
        )
    parent = stack[-1] if stack else None
    # A child run lives where its parent does, even if the tracking URI changed since.
    client = parent.client if parent is not None else _client()
    if run_id is not None:
        run = _resume(client, run_id, stack, experiment, run_name, tags)
    else:
        if experiment is not None:
            experiment_id = _get_or_create_experiment(client, experiment).experiment_id
        else:
            experiment_id = _default_experiment_id(client) or "0"
        found = _capture_context()
        if found is not None:
            tags = {**found.tags, **(tags or {})}  # the caller's tags win
        run = client.create_run(
            experiment_id,
            run_name=run_name,
            tags=tags,
            parent_run_id=parent.run_id if parent is not None else None,
        )
        if found is not None and found.git_diff:
            try:
                client.log_text(run.info.run_id, found.git_diff, _context.GIT_DIFF_ARTIFACT)
            except Exception as err:  # context is a help, never a reason to fail a run
                log.warning("jupyter-mlops: could not store the git diff: %s", err)
    active = ActiveRun(run, client, synchronous)
    _active_runs.set((*stack, active))
    with _state_lock:
        _open_runs[active.run_id] = active
    if parent is None:  # one link per top-level run: nested runs in a loop would flood a cell
        _run_link.display_run_link(run.info)
    _register_exit_hook()
    # Heartbeats from now on, the first at once, from their own thread (dead runs are
    # detected: see client/heartbeats.py).
    _heartbeats.start(_heartbeat_targets)
    if _system_metrics_by_default() if system_metrics is None else system_metrics:
        active._sample_system_metrics(system_metrics_interval)
    if (
        (_console.enabled_by_default() and run_id is None)
        if capture_output is None
        else capture_output
    ):
        active._console = _console.start_console_capture(
            client, active.run_id, resumed=run_id is not None
        )
    return active


def _capture_context() -> _context.RunContext | None:
    """The notebook context of a new run, or None (outside kernels, or if it fails)."""
    try:
        return _context.capture() if _context.capture_enabled() else None
    except Exception as err:  # context is a help, never a reason to fail a run
        log.warning("jupyter-mlops: run context not captured: %s", err)
        return None


def _resume(
    client: MlopsClient,
    run_id: str,
    stack: tuple[ActiveRun, ...],
    experiment: str | None,
    run_name: str | None,
    tags: Mapping[str, Any] | None,
) -> Run:
    if any(active.run_id == run_id for active in stack):
        raise InvalidState(f"Run {run_id} is already active.", field="run_id")
    run = client.get_run(run_id)
    if run.info.lifecycle_stage == LifecycleStage.DELETED:
        raise InvalidState(f"Run {run_id} is deleted; restore it to resume it.", field="run_id")
    if experiment is not None:
        expected = client.get_experiment(run.info.experiment_id).name
        if expected != experiment:
            raise InvalidParameter(
                f"Run {run_id} belongs to experiment {expected!r}, not {experiment!r}.",
                field="experiment",
            )
    if run.info.status != RunStatus.RUNNING or run_name is not None:
        client.update_run(
            run_id,
            status=RunStatus.RUNNING if run.info.status != RunStatus.RUNNING else None,
            run_name=run_name,
        )
    if tags:
        client.log_batch(run_id, tags=tags)
    return client.get_run(run_id)


def end_run(status: RunStatus | str = RunStatus.FINISHED) -> None:
    """End the active run (no-op without one) after writing its queued metrics.

    A metric write that failed in the background is raised here, after the run is ended.
    """
    stack = _active_runs.get()
    if stack:
        _end(stack[-1], RunStatus(status))


def _end(active: ActiveRun, status: RunStatus) -> None:
    """End ``active`` and any run left open above it in this context's stack."""
    stack = _active_runs.get()
    if active in stack:
        index = stack.index(active)
        ending = reversed(stack[index:])
        _active_runs.set(stack[:index])
    else:  # ended elsewhere (another context, or already)
        ending = reversed((active,))
    errors: list[BaseException] = []
    for run in ending:
        try:
            run._finish(status)
        except Exception as err:
            errors.append(err)
    if errors:
        raise errors[-1]  # the one of `active` itself when several failed


def active_run() -> ActiveRun | None:
    """The innermost active run of this thread / task, or None."""
    stack = _active_runs.get()
    return stack[-1] if stack else None


def _current() -> ActiveRun:
    """The active run; like MLflow, logging without one starts a run (end it with end_run)."""
    stack = _active_runs.get()
    active = stack[-1] if stack else start_run()
    _batcher.raise_error(active.run_id)
    return active


def get_run(run_id: str) -> Run:
    """A run with its params, tags and latest metrics (queued points are written first)."""
    _batcher.flush(run_id)
    return _client().get_run(run_id)


def flush() -> None:
    """Write every queued metric point now; raises if a background write failed."""
    _batcher.flush()


# -- logging ------------------------------------------------------------------------------
def log_metric(
    key: str,
    value: float,
    step: int | None = None,
    timestamp: int | None = None,
    synchronous: bool | None = None,
) -> None:
    """Log one point of a metric. ``step`` defaults to 0 (as in MLflow: pass your epoch or
    iteration to get a curve); ``timestamp`` (ms) to now. Queued and written in batches
    unless ``synchronous`` (per call, else the run's setting)."""
    # The call of a training loop's inner step: _current() and _log_metrics() inlined.
    # The common call (str key, float value, int or no step, no timestamp) is checked by
    # exact types and queued as a bare tuple; the Metric is built by the writer thread.
    stack = _active_runs.get()
    active = stack[-1] if stack else start_run()
    if not (active.synchronous if synchronous is None else synchronous):
        if (
            type(value) is float
            and type(key) is str
            and key
            and timestamp is None
            and (step is None or type(step) is int)
        ):
            active._queue_point(key, value, int(_time() * 1000), 0 if step is None else step)
            return
        metric = make_metric(key, value, step, timestamp)
        active._queue_point(metric.key, metric.value, metric.timestamp, metric.step)
        return
    _batcher.raise_error(active._run_id)
    active._log_metrics((make_metric(key, value, step, timestamp),), True)


def log_metrics(
    metrics: Mapping[str, float],
    step: int | None = None,
    timestamp: int | None = None,
    synchronous: bool | None = None,
) -> None:
    """Log several metrics at one step and timestamp."""
    active = _current()
    stamp = now_ms() if timestamp is None else timestamp
    points = [make_metric(key, value, step, stamp) for key, value in metrics.items()]
    active._log_metrics(points, synchronous)


def log_param(key: str, value: Any) -> Any:
    """Log a parameter (stored as ``str(value)``); params cannot change once logged."""
    active = _current()
    active.client.log_batch(active.run_id, params={key: value})
    return value


def log_params(params: Mapping[str, Any]) -> None:
    """Log several parameters in one batch (split only past 100)."""
    active = _current()
    active.client.log_batch(active.run_id, params=params)


def set_tag(key: str, value: Any) -> None:
    """Set a tag (``str(value)``) on the active run; tags may be overwritten."""
    active = _current()
    active.client.log_batch(active.run_id, tags={key: value})


def set_tags(tags: Mapping[str, Any]) -> None:
    active = _current()
    active.client.log_batch(active.run_id, tags=tags)


def delete_tag(key: str) -> None:
    active = _current()
    active.client.delete_tag(active.run_id, key)


def log_input(
    data: Any = None,
    *,
    name: str,
    digest: str | None = None,
    source: str | None = None,
    schema: str | dict[str, Any] | list[Any] | None = None,
    profile: str | dict[str, Any] | None = None,
    context: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> DatasetInput:
    """Record a dataset the active run used, e.g.
    ``mlops.log_input(train_df, name="churn-train", source="s3://data/churn.csv",
    context="training")``.

    ``data`` (a pandas DataFrame or Series, or a numpy array) gives the digest (a hash of
    its content), schema and profile; without it, give ``digest`` or a ``source`` to hash.
    Written at once; returns what was recorded. See ``MlopsClient.log_input``.
    """
    active = _current()
    return active.client.log_input(
        active.run_id,
        data,
        name=name,
        digest=digest,
        source=source,
        schema=schema,
        profile=profile,
        context=context,
        tags=tags,
    )


def log_artifact(local_path: str | os.PathLike[str], artifact_path: str | None = None) -> FileInfo:
    """Upload a file to the active run, as ``<artifact_path>/<file name>``."""
    active = _current()
    return active.client.log_artifact(active.run_id, local_path, artifact_path)


def log_artifacts(
    local_dir: str | os.PathLike[str], artifact_path: str | None = None
) -> list[FileInfo]:
    """Upload the contents of a directory (recursively) below ``artifact_path``."""
    active = _current()
    return active.client.log_artifacts(active.run_id, local_dir, artifact_path)


def log_dict(dictionary: Any, artifact_file: str) -> FileInfo:
    """Store a dict as JSON, or YAML when ``artifact_file`` ends in .yaml/.yml."""
    active = _current()
    return active.client.log_dict(active.run_id, dictionary, artifact_file)


def log_text(text: str, artifact_file: str) -> FileInfo:
    active = _current()
    return active.client.log_text(active.run_id, text, artifact_file)


def log_figure(figure: Any, artifact_file: str) -> FileInfo:
    """Store a matplotlib figure as an image (format from the extension: .png, .svg, ...)."""
    active = _current()
    return active.client.log_figure(active.run_id, figure, artifact_file)


# -- search -------------------------------------------------------------------------------
def search_runs(
    experiment_ids: Sequence[str] | None = None,
    filter_string: str | None = None,
    *,
    experiment_names: Sequence[str] | None = None,
    order_by: Sequence[str] | None = None,
    max_results: int | None = None,
    view: ViewType | str = ViewType.ACTIVE_ONLY,
    output_format: Literal["pandas", "list"] = "pandas",
) -> Any:
    """Every matching run (up to ``max_results``), paging through the server.

    Experiments: ``experiment_ids`` and/or ``experiment_names``; by default the one chosen
    by ``set_experiment``, else all. Returns a pandas DataFrame (columns ``run_id``,
    ``experiment_id``, ``status``, ``start_time``, ..., ``metrics.<key>``, ``params.<key>``,
    ``tags.<key>``) when pandas is installed and ``output_format="pandas"``, else a list of Run.
    """
    if output_format not in ("pandas", "list"):
        raise InvalidParameter("output_format is 'pandas' or 'list'.", field="output_format")
    client = _client()
    ids = [str(e) for e in experiment_ids or ()]
    ids += [client.get_experiment_by_name(name).experiment_id for name in experiment_names or ()]
    if experiment_ids is None and experiment_names is None:
        default = _default_experiment_id(client)
        ids = [default] if default is not None else []
    _batcher.flush()  # read your own writes
    runs = list(
        client.iter_runs(
            ids,
            filter_string,
            view,
            order_by,
            max_results=max_results,
            page_size=SEARCH_PAGE_SIZE,
        )
    )
    if output_format == "pandas":
        try:
            from .frames import runs_to_frame

            return runs_to_frame(runs)
        except ImportError:
            pass
    return runs


# -- live listeners (notebook widgets) ------------------------------------------------------
def add_metric_listener(listener: MetricListener) -> None:
    """Call ``listener(run_id, points)`` with every batch of points once it is written,
    from the thread that wrote it (usually the background writer). It must be quick and
    must not call the tracking API (it runs while the writer holds its lock)."""
    _batcher.add_listener(listener)


def remove_metric_listener(listener: MetricListener) -> None:
    _batcher.remove_listener(listener)


def add_run_end_listener(listener: RunEndListener) -> None:
    """Call ``listener(run_id, status)`` when a run started in this process ends."""
    global _run_end_listeners
    with _state_lock:
        _run_end_listeners = (*_run_end_listeners, listener)


def remove_run_end_listener(listener: RunEndListener) -> None:
    global _run_end_listeners
    with _state_lock:
        _run_end_listeners = tuple(fn for fn in _run_end_listeners if fn is not listener)


def open_run(run_id: str) -> ActiveRun | None:
    """The unended run ``run_id`` started in this process (any thread), or None."""
    with _state_lock:
        return _open_runs.get(run_id)


def _heartbeat_targets() -> list[tuple[str, _heartbeats.HeartbeatTarget]]:
    """The open runs of this process and their transports, for the heartbeat thread."""
    with _state_lock:
        return [(run_id, active.client.transport) for run_id, active in _open_runs.items()]


def tracking_client() -> MlopsClient:
    """The cached client for the current tracking URI (what new runs use)."""
    return _client()


# -- process exit -------------------------------------------------------------------------
def _after_fork_in_child() -> None:
    # A forked child must not end its parent's runs when it exits, nor inherit a lock
    # that another thread of the parent held at the moment of the fork.
    global _state_lock
    _state_lock = threading.Lock()
    _open_runs.clear()
    _spools.clear()  # the parent's files stay the parent's: a child opens its own


if hasattr(os, "register_at_fork"):  # POSIX only
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _register_exit_hook() -> None:
    global _exit_hook_registered
    # Before the early return: a first run started off the main thread cannot install it.
    install_sigterm_handler(_end_open_runs_on_sigterm)
    with _state_lock:
        if _exit_hook_registered:
            return
        _exit_hook_registered = True
    atexit.register(_end_open_runs_at_exit)


def _end_open_runs_at_exit() -> None:
    """Write queued metrics and end runs left open, as MLflow does at exit."""
    # A script that died of an exception leaves it in sys.last_value (IPython keeps the
    # last cell's error there too, so a kernel shutting down ends its runs FINISHED).
    crashed = getattr(sys, "last_value", None) is not None and "IPython" not in sys.modules
    _end_open_runs(RunStatus.FAILED if crashed else RunStatus.FINISHED, reason=None)


def _end_open_runs_on_sigterm() -> None:
    """Write queued metrics and end runs left open as KILLED, saying why."""
    _end_open_runs(RunStatus.KILLED, reason=SIGTERM_REASON)


def _end_open_runs(status: RunStatus, reason: str | None) -> None:
    try:
        _batcher.flush()
    except Exception as err:
        # Not lost while a spool holds them: a replay stores them later.
        log.error("jupyter-mlops: queued metric points were not written: %s", err)
    with _state_lock:
        runs = list(_open_runs.values())
    for active in reversed(runs):
        try:
            if reason is not None:
                active.client.set_tag(active.run_id, END_REASON_TAG, reason)
            active._finish(status)
        except Exception as err:
            log.error("jupyter-mlops: could not end run %s at exit: %s", active.run_id, err)
    _close_spools()


def _close_spools() -> None:
    """Close this process's spools; those whose points are all stored are deleted, the
    others wait for a replay (``jupyter mlops sync``, or the next process)."""
    with _state_lock:
        spools = [s for s in _spools.values() if s is not None]
        _spools.clear()
    for spool in spools:
        try:
            spool.close()
        except OSError as err:
            log.debug("jupyter-mlops: could not close spool %s: %s", spool.path, err)
        if spool.path.exists():
            log.warning(
                "jupyter-mlops: some metric points are not stored yet; they are kept in %s "
                "and written by `jupyter mlops sync` or the next process logging to %s",
                spool.path,
                spool.uri,
            )
