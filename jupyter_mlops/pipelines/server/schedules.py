"""Cron arithmetic of recurring pipeline runs (croniter), and the server's scheduler."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from croniter import croniter

from ...errors import InvalidParameter

if TYPE_CHECKING:
    from .service import PipelineService

log = logging.getLogger(__name__)


def now_ms() -> int:
    return int(time.time() * 1000)


def check_cron(expression: str) -> None:
    """InvalidParameter(field="cron") unless ``expression`` is a valid cron expression
    (5 fields; croniter also accepts a 6th, seconds, field)."""
    if not isinstance(expression, str) or not croniter.is_valid(expression):
        raise InvalidParameter(
            f"cron {expression!r} is not a valid cron expression (e.g. '0 * * * *')", field="cron"
        )


def next_fire_time(expression: str, after_ms: int) -> int:
    """The first fire time strictly after ``after_ms`` (UTC), in milliseconds."""
    start = datetime.fromtimestamp(after_ms / 1000, tz=timezone.utc)
    nxt = croniter(expression, start).get_next(datetime)
    return int(nxt.timestamp() * 1000)


class Scheduler:
    """A thread that fires due schedules every ``interval`` seconds."""

    def __init__(self, service: PipelineService, interval: float = 10.0) -> None:
        self.service = service
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="mlops-scheduler", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.service.fire_due_schedules()
            except Exception:  # keep scheduling; the log says what broke
                log.exception("pipeline scheduler pass failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
