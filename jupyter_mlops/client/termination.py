"""Ending runs when the process is told to stop (SIGTERM), then stopping as it would have.

Kubernetes, SLURM and jupyter_client stop a process with SIGTERM; Python's default action
kills it at once, so queued metric points were lost and its runs stayed RUNNING. The
handler installed here does the fluent API's last work (bounded in time, in a helper
thread so that a lock the interrupted main thread holds cannot hang it), then hands the
signal on: to the handler that was there before, or to the default action (the process
dies of SIGTERM, exit status -15 / 143). An ignored SIGTERM is left alone.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType

log = logging.getLogger(__name__)


#: The value of END_REASON_TAG on runs ended because the process received SIGTERM.
SIGTERM_REASON = "SIGTERM"
#: At most this long is spent flushing and ending runs before the signal is handed on
#: (Kubernetes gives a pod 30 s between SIGTERM and SIGKILL by default).
LAST_WORK_TIMEOUT_S = 5.0

_SignalHandler = Callable[[int, FrameType | None], object]

_installed = False
_handling = False  # a second SIGTERM during our work only hands the signal on


def install_sigterm_handler(last_work: Callable[[], None]) -> bool:
    """Run ``last_work`` when SIGTERM arrives, then let the signal take its previous course.

    Installs once per process and only from the main thread (Python's rule for signal
    handlers); a call from another thread does nothing, so a later call from the main
    thread still installs. Returns whether this call installed the handler.
    """
    global _installed
    if _installed or not hasattr(signal, "SIGTERM"):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    previous = signal.getsignal(signal.SIGTERM)
    _installed = True
    if previous == signal.SIG_IGN:  # the process chose to survive SIGTERM: so do its runs
        return False
    signal.signal(signal.SIGTERM, _make_handler(previous, last_work))
    return True


def _make_handler(
    previous: _SignalHandler | int | signal.Handlers | None, last_work: Callable[[], None]
) -> _SignalHandler:
    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        global _handling
        if not _handling:
            _handling = True
            try:
                _run_bounded(last_work, LAST_WORK_TIMEOUT_S)
            finally:
                _handling = False
        _hand_on(previous, signum, frame)

    return on_sigterm


def _run_bounded(work: Callable[[], None], timeout: float) -> None:
    def guarded() -> None:
        try:
            work()
        except Exception:  # never raised from a signal handler: the signal must go on
            log.exception("jupyter-mlops: ending runs on SIGTERM failed")

    worker = threading.Thread(target=guarded, name="jupyter-mlops-sigterm", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        log.error(
            "jupyter-mlops: ending runs on SIGTERM took over %.0f s; stopping without them",
            timeout,
        )


def _hand_on(
    previous: _SignalHandler | int | signal.Handlers | None,
    signum: int,
    frame: FrameType | None,
) -> None:
    if callable(previous):
        previous(signum, frame)
        return
    # SIG_DFL, or None (a handler set outside Python): die of the signal, as before.
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
