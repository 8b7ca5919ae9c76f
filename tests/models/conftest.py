"""Fixtures of the model packaging tests: small trained models and examples, and a
fluent API pointed at a fresh SQLite store (state reset around each test)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.client import fluent


@pytest.fixture(scope="session")
def mlops_iris_frame() -> pd.DataFrame:
    """A small table with a float, an int and a text column (the text one unused)."""
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "sepal": rng.normal(5.0, 1.0, 40).round(2),
            "petals": rng.integers(0, 5, 40),
            "note": ["a"] * 40,
        }
    )


@pytest.fixture(scope="session")
def mlops_classifier(mlops_iris_frame: pd.DataFrame) -> Any:
    from sklearn.linear_model import LogisticRegression

    features = mlops_iris_frame[["sepal", "petals"]]
    labels = (features["sepal"] + features["petals"] > 7).astype(int)
    return LogisticRegression().fit(features, labels)


def _forget_fluent_state() -> None:
    while mlops.active_run() is not None:
        with contextlib.suppress(Exception):
            mlops.end_run()
    mlops.set_tracking_uri(None)
    with fluent._state_lock:
        clients = list(fluent._clients.values())
        fluent._clients.clear()
        fluent._experiment_ids.clear()
    for client in clients:
        client.close()


@pytest.fixture
def mlops_local_tracking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The fluent API on a fresh SQLite store with artifacts under tmp_path; yields its URI."""
    for name in ("JUPYTER_MLOPS_TRACKING_URI", "JUPYTER_MLOPS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    uri = f"sqlite:///{tmp_path / 'store' / 'mlops.db'}"
    (tmp_path / "store").mkdir()
    monkeypatch.setenv("JUPYTER_MLOPS_ARTIFACT_ROOT", str(tmp_path / "artifacts"))
    monkeypatch.setenv("JUPYTER_MLOPS_TRACKING_URI", uri)
    _forget_fluent_state()
    yield uri
    _forget_fluent_state()
