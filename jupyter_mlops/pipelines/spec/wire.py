"""Pipeline entities on the wire: the JSON the API answers (the codecs of ``api.codecs``).

Listings leave out the specs (and a run's steps), which can be large; one item has them.
The Python client reads the JSON as it is (dicts).
"""

from __future__ import annotations

from typing import Any

from .entities import PipelineRun, SavedPipeline, Schedule


def pipeline_run_json(run: PipelineRun) -> dict[str, Any]:
    """A run with its spec and steps (schema ``PipelineRun``)."""
    return run.to_dict()


def pipeline_run_summary_json(run: PipelineRun) -> dict[str, Any]:
    """A run in a listing: without its spec."""
    return run.to_dict(with_spec=False)


def pipeline_json(pipeline: SavedPipeline) -> dict[str, Any]:
    """A saved pipeline with its spec (schema ``SavedPipeline``)."""
    return pipeline.to_dict()


def pipeline_summary_json(pipeline: SavedPipeline) -> dict[str, Any]:
    """A saved pipeline in a listing: without its spec."""
    return pipeline.to_dict(with_spec=False)


def schedule_json(schedule: Schedule) -> dict[str, Any]:
    """A schedule with its pipeline's name instead of its spec (schema ``PipelineSchedule``)."""
    return schedule.to_dict()
