"""Runs as a pandas DataFrame, with MLflow's column names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..tracking.entities import Run

BASE_COLUMNS = (
    "run_id",
    "experiment_id",
    "run_name",
    "status",
    "user",
    "start_time",
    "end_time",
    "parent_run_id",
    "artifact_uri",
)


def runs_to_frame(runs: Sequence[Run]) -> Any:
    """One row per run: the info columns, then ``metrics.<key>`` (latest value),
    ``params.<key>`` and ``tags.<key>``. Times are timezone-aware UTC timestamps."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    metric_keys: set[str] = set()
    param_keys: set[str] = set()
    tag_keys: set[str] = set()
    for run in runs:
        info = run.info
        row: dict[str, Any] = {
            "run_id": info.run_id,
            "experiment_id": info.experiment_id,
            "run_name": info.run_name,
            "status": info.status.value,
            "user": info.user,
            "start_time": info.start_time,
            "end_time": info.end_time,
            "parent_run_id": info.parent_run_id,
            "artifact_uri": info.artifact_uri,
        }
        for key, summary in run.metrics.items():
            row[f"metrics.{key}"] = summary.value
            metric_keys.add(key)
        for key, value in run.params.items():
            row[f"params.{key}"] = value
            param_keys.add(key)
        for key, value in run.tags.items():
            row[f"tags.{key}"] = value
            tag_keys.add(key)
        rows.append(row)
    columns = [
        *BASE_COLUMNS,
        *(f"metrics.{k}" for k in sorted(metric_keys)),
        *(f"params.{k}" for k in sorted(param_keys)),
        *(f"tags.{k}" for k in sorted(tag_keys)),
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("start_time", "end_time"):
        frame[column] = pd.to_datetime(frame[column], unit="ms", utc=True)
    for key in metric_keys:
        frame[f"metrics.{key}"] = frame[f"metrics.{key}"].astype("float64")
    return frame
