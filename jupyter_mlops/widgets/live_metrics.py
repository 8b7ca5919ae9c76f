"""``LiveMetrics``: a chart under the training loop that follows metrics as they are logged.

Points reach the widget from the fluent API's background writer (a metric listener), so
``log_metric`` pays nothing for the chart. The widget keeps every point in the kernel and
sends only new ones to the browser, at most ``1 / min_interval`` times a second; a view
that appears later (a page reload, a second view) asks for the whole series once.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from traitlets import Bool, CaselessStrEnum, Float, Int, List, Unicode, validate

from ..tracking.entities import Metric, MetricBucket, RunStatus
from . import fallback
from .base import MlopsWidget, finite_or_none

#: Default seconds between two pushes to the browser (a few updates a second).
DEFAULT_MIN_INTERVAL = 0.25


@dataclass
class _Series:
    run_id: str
    key: str
    steps: list[int] = field(default_factory=list)
    times: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    sent: int = 0  # points already pushed to the browser

    def message(self, label: str, start: int) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "key": self.key,
            "label": label,
            "step": self.steps[start:],
            "time": self.times[start:],
            "value": [finite_or_none(v) for v in self.values[start:]],
        }


class LiveMetrics(MlopsWidget):
    """A live line chart of metrics: several keys, smoothing, step or time axis, log scale.

    ``run``: an ``ActiveRun`` or run id to follow (its history so far is loaded first);
    by default the active run, or, when none is active, every run that logs from now on
    (one line per run and key). ``keys``: the metric keys to draw (default: all but
    ``system/...``). Display it, then train::

        live = mlops.widgets.LiveMetrics(keys=["loss", "val_loss"])
        display(live)
    """

    _model_name = Unicode("LiveMetricsModel").tag(sync=True)
    _view_name = Unicode("LiveMetricsView").tag(sync=True)

    # Not "keys": ipywidgets uses that name for the list of synced traits.
    metric_keys = List(Unicode(), help="Metric keys drawn; empty: all but system/...").tag(
        sync=True
    )
    run_ids = List(Unicode(), help="Runs drawn so far.").tag(sync=True)
    x_axis = CaselessStrEnum(["step", "time", "relative"], default_value="step").tag(sync=True)
    log_scale = Bool(False).tag(sync=True)
    smoothing = Float(0.0, help="EMA weight, 0 (raw) to 0.99.").tag(sync=True)
    title = Unicode("").tag(sync=True)
    height = Int(260).tag(sync=True)
    point_count = Int(0, help="Points received so far (all series).").tag(sync=True)
    status = Unicode("waiting", help="waiting, running, or the run's final status").tag(sync=True)

    def __init__(
        self,
        run: Any = None,
        keys: Sequence[str] | None = None,
        *,
        min_interval: float = DEFAULT_MIN_INTERVAL,
        **kwargs: Any,
    ) -> None:
        super().__init__(metric_keys=list(keys or ()), **kwargs)
        from ..client import fluent

        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._series: dict[tuple[str, str], _Series] = {}
        self._names: dict[str, str] = {}
        self._last_push = 0.0
        self._timer: threading.Timer | None = None
        self._follow_all = False
        run_id: str | None
        if run is None:
            active = fluent.active_run()
            run_id = active.run_id if active is not None else None
            self._follow_all = run_id is None
        else:
            run_id = run if isinstance(run, str) else str(run.run_id)
        if run_id is not None:
            self._track(run_id)
            self._load_history(run_id)
        # Weak: a chart nobody holds any more must not be kept alive by the listeners.
        ref = weakref.ref(self)

        def on_points(rid: str, points: Sequence[Metric]) -> None:
            widget = ref()
            if widget is not None:
                widget.add_points(rid, points)

        def on_end(rid: str, status: RunStatus) -> None:
            widget = ref()
            if widget is not None:
                widget._run_ended(rid, status)

        self._listeners = (on_points, on_end)
        fluent.add_metric_listener(on_points)
        fluent.add_run_end_listener(on_end)
        self.on_msg(self._on_frontend_msg)

    @validate("smoothing")
    def _check_smoothing(self, proposal: dict[str, Any]) -> float:
        return min(0.99, max(0.0, float(proposal["value"])))

    # -- data in -------------------------------------------------------------------------
    def _track(self, run_id: str) -> bool:
        if run_id in self._names:
            return True
        if not self._follow_all and self.run_ids:
            return False
        from ..client import fluent

        active = fluent.open_run(run_id)
        self._names[run_id] = (active.info.run_name if active is not None else "") or run_id[:8]
        self.run_ids = [*self.run_ids, run_id]
        if self.status == "waiting":
            self.status = "running"
        return True

    def _wanted(self, key: str) -> bool:
        return key in self.metric_keys if self.metric_keys else not key.startswith("system/")

    def _load_history(self, run_id: str) -> None:
        from ..client import fluent

        client = fluent.tracking_client()
        fluent.flush()
        run = client.get_run(run_id)
        self._names[run_id] = run.info.run_name or run_id[:8]
        if run.info.status != RunStatus.RUNNING:
            self.status = run.info.status.value
        for key in run.metrics:
            if not self._wanted(key):
                continue
            history = client.get_metric_history(run_id, key, max_points=5000)
            points = [p if isinstance(p, Metric) else _bucket_point(key, p) for p in history]
            self._append(run_id, points)
        self._push()

    def add_points(self, run_id: str, points: Sequence[Metric]) -> None:
        """Take points of ``run_id`` (called by the metric listener, any thread)."""
        with self._lock:
            if not self._track(run_id):
                return
            self._append(run_id, points)
        self._schedule_push()

    def _append(self, run_id: str, points: Sequence[Metric]) -> None:
        added = 0
        for point in points:
            if not self._wanted(point.key):
                continue
            series = self._series.get((run_id, point.key))
            if series is None:
                series = self._series[(run_id, point.key)] = _Series(run_id, point.key)
            series.steps.append(point.step)
            series.times.append(point.timestamp)
            series.values.append(point.value)
            added += 1
        if added:
            self.point_count += added

    def _run_ended(self, run_id: str, status: RunStatus) -> None:
        if run_id not in self._names:
            return
        self._push()
        if not self._follow_all:
            self.status = status.value
        self.refresh_display()

    # -- data out ------------------------------------------------------------------------
    def _label(self, series: _Series) -> str:
        if len(self._names) > 1:
            return f"{self._names.get(series.run_id, series.run_id[:8])} · {series.key}"
        return series.key

    def _schedule_push(self) -> None:
        wait = self._last_push + self.min_interval - time.monotonic()
        if wait <= 0:
            self._push()
            return
        with self._lock:
            if self._timer is not None:
                return  # a push is already due; it takes these points too
            self._timer = threading.Timer(wait, self._push)
            self._timer.daemon = True
            self._timer.start()

    def _push(self) -> None:
        # Sent under the lock: a snapshot and a push must reach the browser in the order
        # they were made, or the snapshot would drop the points pushed just before it.
        with self._lock:
            self._timer = None
            updates = []
            for series in self._series.values():
                if series.sent < len(series.values):
                    updates.append(series.message(self._label(series), series.sent))
                    series.sent = len(series.values)
            self._last_push = time.monotonic()
            if updates:
                self.send({"type": "points", "series": updates})

    def snapshot(self) -> list[dict[str, Any]]:
        """Every series as the browser receives it (label, step, time, value lists)."""
        with self._lock:
            return [s.message(self._label(s), 0) for s in self._series.values()]

    def _on_frontend_msg(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "snapshot":
            with self._lock:
                series = [s.message(self._label(s), 0) for s in self._series.values()]
                for s in self._series.values():
                    s.sent = len(s.values)
                self.send({"type": "snapshot", "series": series})

    def close(self) -> None:
        from ..client import fluent

        listeners = getattr(self, "_listeners", None)
        if listeners is not None:
            fluent.remove_metric_listener(listeners[0])
            fluent.remove_run_end_listener(listeners[1])
            with self._lock:
                if self._timer is not None:
                    self._timer.cancel()
        super().close()

    # -- fallback ------------------------------------------------------------------------
    def fallback_text(self) -> str:
        lines = [f"LiveMetrics ({self.status}, {self.point_count} points)"]
        for series in self.snapshot():
            values = [v for v in series["value"] if v is not None]
            last = fallback.format_value(values[-1]) if values else "—"
            steps = series["step"]
            lines.append(
                f"  {series['label']}: {len(steps)} points, last {last}"
                + (f" at step {steps[-1]}" if steps else "")
            )
        return "\n".join(lines)

    def fallback_html(self) -> str:
        rows = []
        for series in self.snapshot():
            values = series["value"]
            finite = [v for v in values if v is not None]
            rows.append(
                [
                    series["label"],
                    str(len(values)),
                    str(series["step"][-1]) if series["step"] else "—",
                    fallback.format_value(finite[-1] if finite else None),
                    fallback.format_value(min(finite) if finite else None),
                    fallback.format_value(max(finite) if finite else None),
                    fallback.sparkline(values[-500:]),
                ]
            )
        if not rows:
            return f"<div>LiveMetrics: no points yet ({self.status}).</div>"
        return fallback.table(
            ["metric", "points", "last step", "last", "min", "max", ""],
            rows,
            raw_columns=frozenset({6}),
            caption=f"Live metrics ({self.status})",
        )


def _bucket_point(key: str, bucket: MetricBucket) -> Metric:
    return Metric(key, bucket.value, bucket.timestamp, bucket.step)
