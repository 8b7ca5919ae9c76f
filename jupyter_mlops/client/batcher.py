"""Background batching of metric points, so that ``log_metric`` in a training loop is cheap.

Points queue per run and one daemon thread writes them as batches: every ``interval``
seconds, as soon as ``batch_size`` points are pending, on ``flush()`` and at interpreter
exit. Writes are serialised, so points reach the store in the order they were logged.
A failed write is kept and raised by the next call for that run (or by ``flush``), never
dropped silently: training code must learn that its metrics were lost.

The producer side costs about a microsecond: a point is appended as a plain tuple to one
lock-free inbox (``collections.deque.append`` is atomic), and only the writer thread turns
tuples into ``Metric`` entities and sorts them into per-run queues.

Listeners (``add_listener``) see every point once it is written, in the thread that wrote
it; live notebook charts use them, so logging pays nothing for a chart.

Points of a spooled run (client/spool.py) carry their spool number, consecutive per run,
and each batch goes to its writer with the number of its first point. A batch that failed
for a passing reason (the server or network is down) goes back to the head of its queue and
is tried again; one that failed otherwise (the server refused it: bad input, a deleted run)
is dropped. Either way the first failure is raised in the user's thread.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..errors import MLOpsError
from ..tracking.entities import Metric

log = logging.getLogger(__name__)

#: Writes one batch (at most ``batch_size`` points) of one run: ``write(run_id, points,
#: first_seq)``, ``first_seq`` the spool number of the first point (-1: not spooled).
BatchWriter = Callable[[str, Sequence[Metric], int], None]
#: Told about points once they are written: ``listener(run_id, points)``.
MetricListener = Callable[[str, Sequence[Metric]], None]
# One queued point: run id, its writer, the Metric fields in their order, its spool number.
_Point = tuple[str, BatchWriter, str, float, int, int, int]


def _passing(err: BaseException) -> bool:
    """Whether a failed write may succeed if tried again: the network or the server was
    down (OSError covers requests' errors; a bare MLOpsError is a 5xx answer) or the
    database was busy. Anything else (a refusal, a bug) would fail the same way again."""
    if isinstance(err, OSError) or type(err) is MLOpsError:
        return True
    from sqlalchemy.exc import OperationalError

    return isinstance(err, OperationalError)


# How long the idle writer sleeps before it looks at the inbox again on its own: a safety
# net only, producers wake it as soon as there is work.
_IDLE_WAIT_S = 1.0


@dataclass
class _RunQueue:
    write: BatchWriter
    points: list[Metric] = field(default_factory=list)
    first_seq: int = -1  # spool number of points[0]; the others follow on (-1: unspooled)


def _background_error(err: BaseException, run_id: str, lost: int) -> MLOpsError:
    """The error to raise in the user's thread: same class, says what was lost."""
    what = f"{lost} metric point(s) logged to run {run_id} could not be written"
    if _passing(err):
        what += " (yet: they stay queued and are tried again)"
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
        self._listeners: tuple[MetricListener, ...] = ()
        self._init_state()

    def _init_state(self) -> None:
        self._lock = threading.Lock()
        self._has_work = threading.Condition(self._lock)
        self._write_lock = threading.Lock()  # one writer at a time keeps points in order
        self._full = threading.Event()
        self._inbox: deque[_Point] = deque()
        self._pending: dict[str, _RunQueue] = {}
        self._pending_count = 0  # points in _pending (the inbox counts itself)
        self._errors: dict[str, MLOpsError] = {}
        self._thread: threading.Thread | None = None
        # True while the writer thread is awake (it clears it under the lock, then looks
        # at the inbox once more before sleeping): producers only wake a sleeping writer.
        self._awake = False
        self._hooks_registered = getattr(self, "_hooks_registered", False)

    # -- listeners -----------------------------------------------------------------------
    def add_listener(self, listener: MetricListener) -> None:
        """Call ``listener(run_id, points)`` after each successful write (any run)."""
        with self._lock:
            self._listeners = (*self._listeners, listener)

    def remove_listener(self, listener: MetricListener) -> None:
        with self._lock:
            self._listeners = tuple(fn for fn in self._listeners if fn is not listener)

    def notify(self, run_id: str, points: Sequence[Metric]) -> None:
        """Tell the listeners about points written without the queue (synchronous runs)."""
        for listener in self._listeners:
            try:
                listener(run_id, points)
            except Exception:  # a broken chart must never break training
                log.exception("jupyter-mlops: metric listener %r failed", listener)

    # -- producer side -------------------------------------------------------------------
    def add_point(
        self,
        run_id: str,
        write: BatchWriter,
        key: str,
        value: float,
        timestamp: int,
        step: int,
        seq: int = -1,
    ) -> None:
        """Queue one already-validated point: the body of every ``log_metric`` call.
        ``seq``: its spool number (points of a spooled run arrive in their numbers' order)."""
        if self._errors:
            self.raise_error(run_id)
        inbox = self._inbox
        inbox.append((run_id, write, key, value, timestamp, step, seq))
        if not self._awake:
            self._wake()
        if len(inbox) + self._pending_count >= self.batch_size:
            self._on_backlog(run_id)

    def add_spooled_point(
        self,
        run_id: str,
        write: BatchWriter,
        key: str,
        value: float,
        timestamp: int,
        step: int,
        seq: int,
    ) -> None:
        """``add_point`` for a point already in a spool, called under its run's lock: it
        raises nothing (the caller raised pending errors before numbering the point, and
        a number taken must be queued) and leaves backpressure to ``check_backlog``, which
        the caller runs after releasing the lock (a flush must not wait under it)."""
        self._inbox.append((run_id, write, key, value, timestamp, step, seq))
        if not self._awake:
            self._wake()

    def check_backlog(self, run_id: str) -> None:
        """Wake or help the writer if a full batch (or too much) is pending."""
        if len(self._inbox) + self._pending_count >= self.batch_size:
            self._on_backlog(run_id)

    def add(
        self,
        run_id: str,
        metrics: Sequence[Metric],
        write: BatchWriter,
        *,
        raise_errors: bool = True,
        first_seq: int = -1,
    ) -> None:
        """Queue ``metrics`` for ``run_id``; raises a pending background error of that run
        (unless ``raise_errors`` is false: a helper thread must leave it for the user's).
        ``first_seq``: the spool number of the first point, the others following on."""
        if raise_errors and self._errors:
            self.raise_error(run_id)
        if not metrics:
            return
        if first_seq < 0:
            self._inbox.extend(
                (run_id, write, m.key, m.value, m.timestamp, m.step, -1) for m in metrics
            )
        else:
            self._inbox.extend(
                (run_id, write, m.key, m.value, m.timestamp, m.step, first_seq + i)
                for i, m in enumerate(metrics)
            )
        if not self._awake:
            self._wake()
        if len(self._inbox) + self._pending_count >= self.batch_size:
            self._on_backlog(run_id)

    def add_one(self, run_id: str, metric: Metric, write: BatchWriter) -> None:
        """``add`` of a single point."""
        self.add_point(run_id, write, metric.key, metric.value, metric.timestamp, metric.step)

    def _wake(self) -> None:
        with self._lock:
            self._ensure_worker()
            self._awake = True
            self._has_work.notify()

    def _on_backlog(self, run_id: str) -> None:
        if len(self._inbox) + self._pending_count >= self.max_pending:
            self.flush(run_id)
        elif not self._full.is_set():  # setting it again would take its lock every call
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
            self._drain_inbox()
            queue = self._pending.pop(run_id, None)
            if queue is not None:
                self._pending_count -= len(queue.points)
            self._errors.pop(run_id, None)

    # -- writer side ---------------------------------------------------------------------
    def _drain_inbox(self) -> None:
        # Called with self._lock held: sort the inbox's tuples into per-run queues.
        inbox = self._inbox
        count = len(inbox)
        if not count:
            return
        pending = self._pending
        take = inbox.popleft
        for _ in range(count):
            run_id, write, key, value, timestamp, step, seq = take()
            queue = pending.get(run_id)
            if queue is None:
                queue = pending[run_id] = _RunQueue(write, first_seq=seq)
            elif not queue.points:
                queue.first_seq = seq
            queue.points.append(Metric(key, value, timestamp, step))
        self._pending_count += count

    def _write_pending(self, run_id: str | None, *, full_batches_only: bool = False) -> None:
        """Write the pending points of one run (or all). ``full_batches_only`` leaves each
        run's last partial batch queued, so that a backlog is written as full batches and
        the remainder joins later points instead of going out as a small extra write."""
        with self._write_lock:
            with self._lock:
                self._drain_inbox()
                taken = self._take_full_batches() if full_batches_only else {}
                if not taken:
                    # Also when no single run has a full batch although together they pass
                    # batch_size: leaving them queued would only wake this thread at once.
                    taken = self._take(run_id)
                self._pending_count -= sum(len(q.points) for q in taken.values())
                self._full.clear()
            for rid, queue in taken.items():
                self._write_run(rid, queue)

    def _take(self, run_id: str | None) -> dict[str, _RunQueue]:
        # Called with self._lock held: every queue, or the one of run_id.
        if run_id is None:
            taken, self._pending = self._pending, {}
            return taken
        queue = self._pending.pop(run_id, None)
        return {run_id: queue} if queue is not None else {}

    def _take_full_batches(self) -> dict[str, _RunQueue]:
        # Called with self._lock held.
        taken: dict[str, _RunQueue] = {}
        for rid, queue in list(self._pending.items()):
            cut = len(queue.points) - len(queue.points) % self.batch_size
            if cut == len(queue.points):
                taken[rid] = self._pending.pop(rid)
            elif cut:
                taken[rid] = _RunQueue(queue.write, queue.points[:cut], queue.first_seq)
                del queue.points[:cut]
                if queue.first_seq >= 0:
                    queue.first_seq += cut
        return taken

    def _write_run(self, run_id: str, queue: _RunQueue) -> None:
        points = queue.points
        size = self.batch_size
        first = queue.first_seq
        written = 0
        try:
            if 0 < len(points) <= size:  # the usual case: no slice copy
                queue.write(run_id, points, first)
                written = len(points)
            while written < len(points):
                chunk = points[written : written + size]
                queue.write(run_id, chunk, first + written if first >= 0 else -1)
                written += len(chunk)
        except Exception as err:
            surfaced = _background_error(err, run_id, len(points) - written)
            with self._lock:
                # Keep the first failure: later ones are usually its consequence.
                self._errors.setdefault(run_id, surfaced)
                if _passing(err):
                    self._requeue(run_id, queue, written)
        if written and self._listeners:
            self.notify(run_id, points[:written] if written < len(points) else points)

    def _requeue(self, run_id: str, queue: _RunQueue, written: int) -> None:
        # Called with self._lock held: the unwritten points go back to the head of the
        # run's queue, ahead of any that arrived meanwhile, so numbers stay consecutive.
        rest = queue.points[written:]
        first = queue.first_seq + written if queue.first_seq >= 0 else -1
        pending = self._pending.get(run_id)
        if pending is None:
            self._pending[run_id] = _RunQueue(queue.write, rest, first)
        else:
            pending.points[0:0] = rest
            pending.first_seq = first
        self._pending_count += len(rest)

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
                while True:
                    self._awake = False
                    # Looked at after clearing the flag: a point appended before a producer
                    # saw the flag set is found here, a later one wakes us.
                    if self._inbox or self._pending:
                        break
                    self._has_work.wait(_IDLE_WAIT_S)
                self._awake = True
            # Let points accumulate for a moment (or until a full batch is pending).
            full = self._full.wait(self.interval)
            try:
                self._write_pending(None, full_batches_only=full)
            except Exception:  # never let the thread die: later points still need it
                log.exception("jupyter-mlops: background metric write failed")

    def _flush_at_exit(self) -> None:
        try:
            self.flush()
        except Exception as err:
            log.error("jupyter-mlops: metrics were lost at exit: %s", err)
