"""A run whose ``with start_run():`` block raised keeps why, where its page shows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from client_support import Tracking

import jupyter_mlops as mlops
from jupyter_mlops.client.fluent import ERROR_TAG, ERROR_TRACEBACK_ARTIFACT
from jupyter_mlops.tracking.entities import RunStatus


def diverge(lr: float) -> None:
    raise FloatingPointError(f"loss diverged at lr={lr}")


def test_a_failed_block_records_its_exception_and_traceback(
    mlops_tracking: Tracking, tmp_path: Path
) -> None:
    # The user's exception propagates unchanged.
    with pytest.raises(FloatingPointError), mlops.start_run() as run:
        diverge(0.5)

    stored = mlops_tracking.client.get_run(run.run_id)
    assert stored.info.status == RunStatus.FAILED
    assert stored.tags[ERROR_TAG] == "FloatingPointError: loss diverged at lr=0.5"
    local = mlops_tracking.client.download_artifacts(run.run_id, ERROR_TRACEBACK_ARTIFACT, tmp_path)
    text = Path(local).read_text()
    assert "Traceback (most recent call last)" in text and "in diverge" in text


def test_an_interrupted_block_is_killed_without_an_error(mlops_tracking: Tracking) -> None:
    with pytest.raises(KeyboardInterrupt), mlops.start_run() as run:
        raise KeyboardInterrupt

    stored = mlops_tracking.client.get_run(run.run_id)
    assert stored.info.status == RunStatus.KILLED
    assert ERROR_TAG not in stored.tags
