"""``CompareRuns``: runs side by side: params (differences highlighted), metric charts
overlaid, and a parallel-coordinates view of params against a chosen metric."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from traitlets import Dict, Int, List, Unicode

from ..tracking.entities import Metric
from . import fallback
from .base import MlopsWidget, finite_or_none
from .runs_table import run_row

#: Points per metric history sent to the browser (longer histories are downsampled).
MAX_POINTS = 1000


def param_table(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per param key: the runs' values (None where missing), and whether they
    differ. Differing keys first, then alphabetical."""
    keys = sorted({key for row in rows for key in row["params"]})
    table = []
    for key in keys:
        values = [row["params"].get(key) for row in rows]
        table.append({"key": key, "values": values, "differs": len(set(values)) > 1})
    table.sort(key=lambda entry: (not entry["differs"], entry["key"]))
    return table


class CompareRuns(MlopsWidget):
    """Compare runs: ``CompareRuns(["<run id>", "<run id>", ...])``.

    ``metric`` chooses the metric that colours the parallel-coordinates view (default:
    the first metric all runs share).
    """

    _model_name = Unicode("CompareRunsModel").tag(sync=True)
    _view_name = Unicode("CompareRunsView").tag(sync=True)

    run_ids = List(Unicode()).tag(sync=True)
    runs = List(Dict(), help="The runs (name, status, params, latest metrics).").tag(sync=True)
    params = List(Dict(), help="Param keys with each run's value and a `differs` flag.").tag(
        sync=True
    )
    metric_keys = List(Unicode()).tag(sync=True)
    histories = List(Dict(), help="Per metric key: one series per run (step, time, value).").tag(
        sync=True
    )
    metric = Unicode("", help="Metric shown against the params.").tag(sync=True)
    missing = List(Unicode(), help="Run ids that were not found.").tag(sync=True)
    height = Int(240).tag(sync=True)

    def __init__(self, run_ids: Sequence[str], metric: str | None = None, **kwargs: Any) -> None:
        super().__init__(run_ids=[str(r) for r in run_ids], **kwargs)
        self._load(metric)

    def _load(self, metric: str | None) -> None:
        from ..client import fluent
        from ..errors import NotFound

        client = fluent.tracking_client()
        fluent.flush()
        rows, missing = [], []
        for run_id in self.run_ids:
            try:
                rows.append(run_row(client.get_run(run_id)))
            except NotFound:
                missing.append(run_id)
        keys = sorted({k for row in rows for k in row["metrics"] if not k.startswith("system/")})
        histories = []
        for key in keys:
            series = []
            for row in rows:
                if key not in row["metrics"]:
                    continue
                points = client.get_metric_history(row["run_id"], key, max_points=MAX_POINTS)
                series.append(
                    {
                        "run_id": row["run_id"],
                        "label": row["name"],
                        "step": [p.step for p in points],
                        "time": [p.timestamp for p in points],
                        "value": [finite_or_none(p.value) for p in points],
                        "min": _band(points, "min"),
                        "max": _band(points, "max"),
                    }
                )
            histories.append({"key": key, "series": series})
        shared = [k for k in keys if all(k in row["metrics"] for row in rows)]
        with self.hold_sync():
            self.runs = rows
            self.missing = missing
            self.params = param_table(rows)
            self.metric_keys = keys
            self.histories = histories
            chosen = metric if metric is not None and metric in keys else None
            self.metric = chosen or (shared or keys or [""])[0]

    # -- fallback ------------------------------------------------------------------------
    def fallback_text(self) -> str:
        differing = [p["key"] for p in self.params if p["differs"]]
        return f"CompareRuns of {len(self.runs)} runs; params that differ: " + (
            ", ".join(differing) or "none"
        )

    def fallback_html(self) -> str:
        names = [row["name"] for row in self.runs]
        params = fallback.table(
            ["param", *names],
            [[p["key"], *(fallback.format_value(v) for v in p["values"])] for p in self.params],
            highlight=[p["differs"] for p in self.params],
            caption="Params (differences highlighted)",
        )
        metrics = fallback.table(
            ["metric", *names],
            [
                [key, *(fallback.format_value(row["metrics"].get(key)) for row in self.runs)]
                for key in self.metric_keys
            ],
            caption="Latest metric values",
        )
        missing = f"<div>Not found: {', '.join(self.missing)}</div>" if self.missing else ""
        return f"<div>{params}<br/>{metrics}{missing}</div>"


def _band(points: Sequence[Any], side: str) -> list[float | None] | None:
    """A downsampled history's bucket extremes (None for raw points: no band)."""
    if all(isinstance(p, Metric) for p in points):
        return None
    out: list[float | None] = []
    for point in points:
        value = getattr(point, side, None)
        out.append(finite_or_none(point.value if value is None else value))
    return out
