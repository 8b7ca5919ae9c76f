"""Fixtures of the model packaging tests: small trained models and examples, and a
fluent API pointed at a fresh SQLite store (state reset around each test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fluent_support import forget_fluent_state


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


@pytest.fixture
def mlops_local_tracking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The fluent API on a fresh SQLite store with artifacts under tmp_path; yields its URI."""
    for name in ("JUPYTER_MLOPS_TRACKING_URI", "JUPYTER_MLOPS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    uri = f"sqlite:///{tmp_path / 'store' / 'mlops.db'}"
    (tmp_path / "store").mkdir()
    monkeypatch.setenv("JUPYTER_MLOPS_ARTIFACT_ROOT", str(tmp_path / "artifacts"))
    monkeypatch.setenv("JUPYTER_MLOPS_TRACKING_URI", uri)
    forget_fluent_state()
    yield uri
    forget_fluent_state()
