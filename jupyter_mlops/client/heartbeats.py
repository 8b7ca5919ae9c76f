"""Heartbeats: the open runs of this process tell their store or server that they are alive.

A daemon thread, started with the first run of the process, sends one heartbeat per open
run every ``JUPYTER_MLOPS_HEARTBEAT_INTERVAL`` seconds (default 15), and at once when a run
starts (``start`` wakes it: the caller of ``start_run`` never waits for a heartbeat). It is
independent of the metric batcher, so a long computation that logs nothing keeps its run
alive; when the process dies, the heartbeats stop and the server's sweep (or the next
process opening the same store) marks the run KILLED. Failures are logged at debug level
and never raised: a heartbeat is a hint, the next one tries again.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

log = logging.getLogger(__name__)

INTERVAL_ENV = "JUPYTER_MLOPS_HEARTBEAT_INTERVAL"
DEFAULT_INTERVAL_S = 15.0


class HeartbeatTarget(Protocol):
    """Where a run's heartbeats go: its transport (``TrackingTransport.heartbeat``)."""

    def heartbeat(self, run_id: str) -> None: ...


#: The open runs of this process: (run id, its transport) pairs.
OpenRuns = Callable[[], Sequence[tuple[str, HeartbeatTarget]]]


def interval_s() -> float:
    """Seconds between heartbeats: ``JUPYTER_MLOPS_HEARTBEAT_INTERVAL``, else 15."""
    text = os.environ.get(INTERVAL_ENV, "")
    try:
        value = float(text) if text else DEFAULT_INTERVAL_S
    except ValueError:
        log.warning("jupyter-mlops: %s=%r is not a number; using 15", INTERVAL_ENV, text)
        return DEFAULT_INTERVAL_S
    return value if value > 0 else DEFAULT_INTERVAL_S


def beat(run_id: str, target: HeartbeatTarget) -> None:
    """Send one heartbeat for ``run_id``; a failure is logged at debug level, never raised."""
    try:
        target.heartbeat(run_id)
    except Exception as err:
        log.debug("jupyter-mlops: heartbeat of run %s failed: %s", run_id, err)


class HeartbeatThread:
    """Sends a heartbeat for every run ``open_runs()`` returns, every ``interval`` seconds."""

    def __init__(self, open_runs: OpenRuns, interval: float) -> None:
        self._open_runs = open_runs
        self._interval = interval
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()

    def ensure_started(self) -> None:
        """Start the thread unless it runs in this process already (a forked child has
        none: threads do not survive a fork), and have it beat now."""
        with self._lock:
            if self._thread is None or self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="jupyter-mlops-heartbeats", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        # Runs until the process ends (a daemon thread): every interval, or when woken.
        while True:
            self._wake.wait(self._interval)
            self._wake.clear()
            try:
                runs = list(self._open_runs())
            except Exception as err:
                log.debug("jupyter-mlops: could not list open runs: %s", err)
                continue
            for run_id, target in runs:
                beat(run_id, target)


_thread: HeartbeatThread | None = None
_thread_lock = threading.Lock()


def start(open_runs: OpenRuns) -> None:
    """Start this process's heartbeat thread over ``open_runs`` (once per process)."""
    global _thread
    with _thread_lock:
        if _thread is None:
            _thread = HeartbeatThread(open_runs, interval_s())
        thread = _thread
    thread.ensure_started()
