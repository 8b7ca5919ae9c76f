"""Fixtures of the pipeline tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kube_emulator import KubeEmulator, kube_emulator
from pipeline_support import PipelineEnv, make_env


@pytest.fixture
def mlops_emulator() -> Iterator[KubeEmulator]:
    """A fresh Kubernetes API emulator (tests/kube_emulator) on a loopback port."""
    with kube_emulator() as emulator:
        yield emulator


@pytest.fixture
def mlops_pipelines(tmp_path: Path) -> Iterator[PipelineEnv]:
    env = make_env(f"sqlite:///{tmp_path / 'store' / 'mlops.db'}", tmp_path / "artifacts")
    yield env
    env.backend.close()
    env.tracking.store.close()
