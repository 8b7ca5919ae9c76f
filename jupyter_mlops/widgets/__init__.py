"""Notebook widgets (ipywidgets), rendered by the jupyter-mlops JupyterLab extension:

- ``LiveMetrics(run=None, keys=None)``: a chart that updates while a cell trains;
- ``RunsTable(filter=..., experiment=...)``: sortable, filterable runs; ``.selected``;
- ``CompareRuns(run_ids)``: params side by side, metric charts, parallel coordinates.

Each also carries a static HTML fallback for renderers without widgets (nbconvert).
"""

from .compare_runs import CompareRuns
from .live_metrics import LiveMetrics
from .runs_table import RunsTable

__all__ = ["CompareRuns", "LiveMetrics", "RunsTable"]
