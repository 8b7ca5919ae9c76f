"""Background batching of metric points, so that ``log_metric`` in a training loop is cheap.

Points queue per run and one daemon thread writes them as batches: every ``interval``
seconds, as soon as ``batch_size`` points are pending, on ``flush()`` and at interpreter
exit. Writes are serialised, so points reach the store in the order they were logged.
A failed write is kept and raised by the next call for that run (or by ``flush``), never
dropped silently: training code must learn that its metrics were lost.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..errors import MLOpsError
from ..tracking.entities import Metric

log = logging.getLogger(__name__)

#: Writes one batch (at most ``batch_size`` points) of one run.
BatchWriter = Callable[[str, Sequence[Metric]], None]


@dataclass
class _RunQueue:
    write: BatchWriter
    points: list[Metric] = field(default_factory=list)


def _background_error(err: BaseException, run_id: str, lost: int) -> MLOpsError:
    """The error to raise in the user's thread: same class, says what was lost."""
    what = f"{lost} metric point(s) logged to run {run_id} could not be written"
    surfaced: MLOpsError
    if isinstance(err, MLOpsError):
        surfaced = type(err)(f"{what}: {err.message}", field=err.field)
    else:
        surfaced = MLOpsError(f"{what}: {err!r}")
    surfaced.__cause__ = err
    return surfaced


class MetricBatcher:
    """Per-run metric queues drained by one lazily started daemon thread."""

    def __init__(
        self, *, interval: float = 0.2, batch_size: int = 1000, max_pending: int = 100_000
    ) -> None:
        self.interval = interval
        self.batch_size = batch_size
        # Beyond this many pending points the logging thread writes itself (backpressure),
        # so a slow server cannot make the queue grow without bound.
        self.max_pending = max_pending
        self._init_state()

    def _init_state(self) -> None:
        self._lock = threading.Lock()
        self._has_work = threading.Condition(self._lock)
        self._write_lock = threading.Lock()  # one writer at a time keeps points in order
        self._full = threading.Event()
        self._pending: dict[str, _RunQueue] = {}
        self._pending_count = 0
        self._errors: dict[str, MLOpsError] = {}
        self._thread: threading.Thread | None = None
        self._hooks_registered = getattr(self, "_hooks_registered", False)

    # -- producer side -------------------------------------------------------------------
    def add(self, run_id: str, metrics: Sequence[Metric], write: BatchWriter) -> None:
        """Queue ``metrics`` for ``run_id``; raises a pending background error of that run."""
        self.raise_error(run_id)
        if not metrics:
            return
        with self._lock:
            was_idle = not self._pending
            queue = self._pending.get(run_id)
            if queue is None:
                queue = self._pending[run_id] = _RunQueue(write)
            queue.points.extend(metrics)
            self._pending_count += len(metrics)
            pending = self._pending_count
            if was_idle:
                self._ensure_worker()
                self._has_work.notify()
        if pending >= self.max_pending:
            self.flush(run_id)
        elif pending >= self.batch_size:
            self._full.set()

    def flush(self, run_id: str | None = None) -> None:
        """Write what is pending (for one run, or all) now; raise any background error."""
        self._write_pending(run_id)
        if run_id is not None:
            self.raise_error(run_id)
            return
        with self._lock:
            errors, self._errors = self._errors, {}
        if errors:
            first = next(iter(errors.values()))
            if len(errors) > 1:
                first.message += f" (and failures in {len(errors) - 1} other run(s))"
                first.args = (first.message,)
            raise first

    def raise_error(self, run_id: str) -> None:
        if not self._errors:  # the common case, checked without the lock
            return
        with self._lock:
            error = self._errors.pop(run_id, None)
        if error is not None:
            raise error

    def discard(self, run_id: str) -> None:
        """Forget the queue and any error of a run (after it was flushed or abandoned)."""
        with self._lock:
            queue = self._pending.pop(run_id, None)
            if queue is not None:
                self._pending_count -= len(queue.points)
            self._errors.pop(run_id, None)

    # -- writer side ---------------------------------------------------------------------
    def _write_pending(self, run_id: str | None) -> None:
        with self._write_lock:
            with self._lock:
                if run_id is None:
                    taken, self._pending = self._pending, {}
                else:
                    queue = self._pending.pop(run_id, None)
                    taken = {run_id: queue} if queue is not None else {}
                self._pending_count -= sum(len(q.points) for q in taken.values())
                self._full.clear()
            for rid, queue in taken.items():
                self._write_run(rid, queue)

    def _write_run(self, run_id: str, queue: _RunQueue) -> None:
        points = queue.points
        written = 0
        try:
            while written < len(points):
                chunk = points[written : written + self.batch_size]
                queue.write(run_id, chunk)
                written += len(chunk)
        except Exception as err:
            surfaced = _background_error(err, run_id, len(points) - written)
            with self._lock:
                # Keep the first failure: later ones are usually its consequence.
                self._errors.setdefault(run_id, surfaced)

    def _ensure_worker(self) -> None:
        # Called with self._lock held.
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(
            target=self._work, name="jupyter-mlops-metric-batcher", daemon=True
        )
        self._thread.start()
        if not self._hooks_registered:
            self._hooks_registered = True
            atexit.register(self._flush_at_exit)
            if hasattr(os, "register_at_fork"):  # POSIX only
                os.register_at_fork(after_in_child=self._init_state)

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._pending:
                    self._has_work.wait()
            # Let points accumulate for a moment (or until a full batch is pending).
            self._full.wait(self.interval)
            try:
                self._write_pending(None)
            except Exception:  # never let the thread die: later points still need it
                log.exception("jupyter-mlops: background metric write failed")

    def _flush_at_exit(self) -> None:
        try:
            self.flush()
        except Exception as err:
            log.error("jupyter-mlops: metrics were lost at exit: %s", err)
