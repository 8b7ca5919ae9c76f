"""``RunsTable``: a sortable, filterable table of runs whose selection Python can read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ipywidgets import widget_serialization
from traitlets import Dict, Instance, Int, List, Unicode, observe

from ..tracking.entities import Run
from . import fallback
from .base import MlopsWidget, finite_or_none

#: Columns offered when none are chosen (the most common keys first).
DEFAULT_MAX_COLUMNS = 8


def run_row(run: Run) -> dict[str, Any]:
    """One run as the table (and the comparison) receives it."""
    info = run.info
    return {
        "run_id": info.run_id,
        "name": info.run_name or info.run_id[:8],
        "experiment_id": info.experiment_id,
        "status": info.status.value,
        "start_time": info.start_time,
        "end_time": info.end_time,
        "params": dict(run.params),
        "metrics": {k: finite_or_none(m.value) for k, m in run.metrics.items()},
    }


def _common_keys(rows: Sequence[dict[str, Any]], field: str, limit: int) -> list[str]:
    counts: dict[str, int] = {}
    for row in rows:
        for key in row[field]:
            counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts, key=lambda k: (-counts[k], k))
    return [k for k in ranked if not k.startswith("system/")][:limit]


class RunsTable(MlopsWidget):
    """Runs of an experiment in a table: sort by any column, filter with MLflow's syntax
    (``metrics.accuracy > 0.9 and params.model = 'rf'``), select rows. ``.selected``
    holds the selected run ids; the Compare button shows ``CompareRuns`` of them below.

    ``param_columns`` / ``metric_columns`` choose the columns (default: the most common
    keys). Call ``refresh()`` to reload; changing ``filter`` or ``experiment`` reloads.
    """

    _model_name = Unicode("RunsTableModel").tag(sync=True)
    _view_name = Unicode("RunsTableView").tag(sync=True)

    filter = Unicode("", help="MLflow search filter.").tag(sync=True)
    experiment = Unicode(None, allow_none=True, help="Experiment name (None: default).").tag(
        sync=True
    )
    max_results = Int(100).tag(sync=True)
    rows = List(Dict(), help="The runs, newest first.").tag(sync=True)
    param_columns = List(Unicode()).tag(sync=True)
    metric_columns = List(Unicode()).tag(sync=True)
    selected = List(Unicode(), help="Selected run ids (set by clicking rows).").tag(sync=True)
    error = Unicode("").tag(sync=True)
    comparison = Instance("jupyter_mlops.widgets.compare_runs.CompareRuns", allow_none=True).tag(
        sync=True, **widget_serialization
    )

    def __init__(
        self,
        filter: str = "",
        experiment: str | None = None,
        *,
        max_results: int = 100,
        param_columns: Sequence[str] | None = None,
        metric_columns: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self._chosen_columns = (param_columns, metric_columns)
        self._ready = False  # no searches while the traits are first set
        super().__init__(
            filter=filter or "", experiment=experiment, max_results=max_results, **kwargs
        )
        self.on_msg(self._on_frontend_msg)
        self._ready = True
        self.refresh()

    def refresh(self) -> None:
        """Search again with the current filter and experiment."""
        from ..client import fluent
        from ..errors import MLOpsError

        try:
            names = [self.experiment] if self.experiment else None
            runs = fluent.search_runs(
                experiment_names=names,
                filter_string=self.filter or None,
                max_results=self.max_results,
                output_format="list",
            )
        except MLOpsError as err:
            # Shown in the table (a bad filter is the usual cause), not raised from a click.
            self.error = str(err)
            return
        rows = [run_row(run) for run in runs]
        params, metrics = self._chosen_columns
        with self.hold_sync():
            self.error = ""
            self.rows = rows
            self.param_columns = (
                list(params) if params else _common_keys(rows, "params", DEFAULT_MAX_COLUMNS)
            )
            self.metric_columns = (
                list(metrics) if metrics else _common_keys(rows, "metrics", DEFAULT_MAX_COLUMNS)
            )
            present = {row["run_id"] for row in rows}
            self.selected = [rid for rid in self.selected if rid in present]

    @observe("filter", "experiment", "max_results")
    def _reload(self, _change: dict[str, Any]) -> None:
        if getattr(self, "_ready", False):
            self.refresh()

    def compare(self, run_ids: Sequence[str] | None = None) -> Any:
        """Show ``CompareRuns`` of ``run_ids`` (default: the selection) under the table."""
        from .compare_runs import CompareRuns

        ids = list(run_ids) if run_ids is not None else list(self.selected)
        if len(ids) < 2:
            self.error = "Select at least two runs to compare."
            return None
        self.error = ""
        self.comparison = CompareRuns(ids)
        return self.comparison

    def _on_frontend_msg(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "compare":
            self.compare()
        elif content.get("type") == "refresh":
            self.refresh()

    # -- fallback ------------------------------------------------------------------------
    def _table_rows(self) -> list[list[str]]:
        out = []
        for row in self.rows:
            cells = [row["name"], row["status"]]
            cells += [str(row["params"].get(k, "—")) for k in self.param_columns]
            cells += [fallback.format_value(row["metrics"].get(k)) for k in self.metric_columns]
            out.append(cells)
        return out

    def fallback_text(self) -> str:
        return f"RunsTable: {len(self.rows)} runs" + (f" ({self.error})" if self.error else "")

    def fallback_html(self) -> str:
        if self.error:
            from html import escape

            return f"<div>RunsTable: {escape(self.error)}</div>"
        header = ["run", "status", *self.param_columns, *self.metric_columns]
        caption = f"{len(self.rows)} runs" + (f" matching {self.filter}" if self.filter else "")
        return fallback.table(header, self._table_rows(), caption=caption)
