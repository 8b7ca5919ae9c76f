"""Scoring workers for real: the pool that the predict endpoint uses starts real worker
processes that load the model (never the test's own process), reuses them, replaces one
that was killed, stops idle ones and the least recently used past the cap, starts one
worker for concurrent first requests, and answers a model that cannot load with the
worker's own message instead of hanging. End to end through the server (and as another
OS account): tests/server/test_api_predict.py."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from scoring_support import (
    TWO_ROWS,
    CountingModel,
    CrashingModel,
    Exploding,
    PidModel,
    eventually,
    process_alive,
    save,
)

from jupyter_mlops.errors import NotFound
from jupyter_mlops.models.scoring.pool import (
    ModelNotLoadable,
    ScoringPool,
    ScoringUnavailable,
    WorkerError,
)
from jupyter_mlops.models.scoring.targets import ScoringTarget
from jupyter_mlops.processes import ProcessPolicy

BODY = json.dumps(TWO_ROWS).encode()
JSON = "application/json"

PoolFactory = Callable[..., ScoringPool]


@pytest.fixture
def mlops_pools(jp_asyncio_loop: asyncio.AbstractEventLoop) -> Iterator[PoolFactory]:
    """Makes pools (single-user policy) and stops them, and their workers, afterwards."""
    pools: list[ScoringPool] = []

    def make(**options: Any) -> ScoringPool:
        pool = ScoringPool(ProcessPolicy(), **options)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        jp_asyncio_loop.run_until_complete(pool.stop())


@pytest.fixture
def mlops_pid_model(tmp_path: Path) -> ScoringTarget:
    return ScoringTarget("pids", "1", save(PidModel(), tmp_path / "pid-model"))


async def _pids(pool: ScoringPool, target: ScoringTarget) -> list[int]:
    answer = json.loads(await pool.predict(target, BODY, JSON))
    assert answer["model"] == {"name": target.name, "version": target.version}
    pids: list[int] = answer["predictions"]
    return pids


async def test_the_model_loads_in_a_worker_that_is_reused(
    mlops_pools: PoolFactory, mlops_pid_model: ScoringTarget
) -> None:
    pool = mlops_pools()
    first = await _pids(pool, mlops_pid_model)
    second = await _pids(pool, mlops_pid_model)
    assert first[0] != os.getpid()
    assert first == second == [first[0]] * 2
    assert pool.worker_pids() == {mlops_pid_model.key: first[0]}


async def test_concurrent_first_requests_start_one_worker(
    mlops_pools: PoolFactory, tmp_path: Path
) -> None:
    log = tmp_path / "loads.txt"
    target = ScoringTarget("counted", "1", save(CountingModel(str(log)), tmp_path / "model"))
    pool = mlops_pools()
    answers = await asyncio.gather(*(_pids(pool, target) for _ in range(6)))
    pids = {pid for answer in answers for pid in answer}
    assert len(pids) == 1
    assert log.read_text().split() == [str(pids.pop())]  # loaded once, by that worker


async def test_a_killed_worker_is_replaced_on_the_next_request(
    mlops_pools: PoolFactory, mlops_pid_model: ScoringTarget, caplog: pytest.LogCaptureFixture
) -> None:
    pool = mlops_pools()
    [killed, _] = await _pids(pool, mlops_pid_model)
    os.kill(killed, signal.SIGKILL)
    # At once (the pool has not seen it exit): the request meets the dead worker's
    # connection, and is retried on a new worker.
    [replacement, _] = await _pids(pool, mlops_pid_model)
    assert replacement not in (killed, os.getpid())
    assert f"(pid {killed}) is gone" in caplog.text
    await eventually(lambda: not process_alive(killed))
    assert pool.worker_pids() == {mlops_pid_model.key: replacement}


async def test_a_model_that_kills_its_worker_gets_a_503_after_one_retry(
    mlops_pools: PoolFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pool = mlops_pools()
    target = ScoringTarget("crash", "3", save(CrashingModel(), tmp_path / "crash"))
    with pytest.raises(ScoringUnavailable) as crashed:
        await pool.predict(target, BODY, JSON)
    assert crashed.value.http_status == 503
    assert "'crash' version 3 stopped while answering, twice" in crashed.value.message
    assert caplog.text.count("is gone") == 2  # the first worker, and the one retried on
    assert pool.worker_pids() == {}


async def test_an_idle_worker_is_stopped_and_its_folder_removed(
    mlops_pools: PoolFactory, mlops_pid_model: ScoringTarget
) -> None:
    pool = mlops_pools(idle_timeout=0.5)
    [pid, _] = await _pids(pool, mlops_pid_model)
    folders = list(Path(f"/proc/{pid}/cwd").resolve().parent.iterdir())
    assert [folder.name for folder in folders] == ["w1"]
    await eventually(lambda: not process_alive(pid))
    assert pool.worker_pids() == {}
    await eventually(lambda: not folders[0].exists())
    [again, _] = await _pids(pool, mlops_pid_model)  # a new one on the next request
    assert again != pid


async def test_past_the_cap_the_least_recently_used_worker_stops(
    mlops_pools: PoolFactory, mlops_pid_model: ScoringTarget
) -> None:
    pool = mlops_pools(max_workers=2)
    targets = [
        ScoringTarget(name, "1", mlops_pid_model.folder) for name in ("first", "second", "third")
    ]
    first = await _pids(pool, targets[0])
    await _pids(pool, targets[1])
    await _pids(pool, targets[0])  # now the second is the least recently used
    second_pid = pool.worker_pids()[targets[1].key]
    await _pids(pool, targets[2])
    assert set(pool.worker_pids()) == {targets[0].key, targets[2].key}
    assert pool.worker_pids()[targets[0].key] == first[0]
    await eventually(lambda: not process_alive(second_pid))


def _with_loader(folder: Path, loader: str) -> Path:
    """The model folder with its python_function loader replaced by ``loader``."""
    mlmodel = folder / "MLmodel"
    document = yaml.safe_load(mlmodel.read_text())
    document["flavors"]["python_function"]["loader_module"] = loader
    mlmodel.write_text(yaml.safe_dump(document))
    return folder


async def test_a_model_that_cannot_load_answers_with_the_workers_message(
    mlops_pools: PoolFactory, tmp_path: Path
) -> None:
    pool = mlops_pools()
    exploding = ScoringTarget("boom", "1", save(Exploding("it went boom"), tmp_path / "boom"))
    missing = ScoringTarget(
        "missing",
        "1",
        _with_loader(save(PidModel(), tmp_path / "missing"), "mlops_no_such_flavour.loader"),
    )
    started = time.monotonic()
    with pytest.raises(ModelNotLoadable) as boom:
        await pool.predict(exploding, BODY, JSON)
    assert boom.value.http_status == 409
    assert "version 1 of 'boom'" in boom.value.message
    assert "RuntimeError: it went boom" in boom.value.message
    with pytest.raises(ModelNotLoadable) as not_installed:
        await pool.predict(missing, BODY, JSON)
    assert "'mlops_no_such_flavour.loader', which is not installed" in not_installed.value.message
    assert time.monotonic() - started < 60  # answered, not hung
    assert pool.worker_pids() == {}


async def test_a_folder_without_a_model_is_a_404_before_any_process_starts(
    mlops_pools: PoolFactory, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    pool = mlops_pools()
    with pytest.raises(NotFound) as empty:
        await pool.predict(ScoringTarget("empty", "1", tmp_path / "empty"), BODY, JSON)
    assert empty.value.http_status == 404
    assert "holds no model: its files have no MLmodel file" in empty.value.message


async def test_bad_input_gets_the_same_answer_as_in_process(
    mlops_pools: PoolFactory, mlops_pid_model: ScoringTarget
) -> None:
    pool = mlops_pools()
    with pytest.raises(WorkerError) as bad:
        await pool.predict(mlops_pid_model, b'{"rows": [1]}', JSON)
    assert bad.value.http_status == 400
    assert bad.value.field == "body"
    assert "exactly one of dataframe_split" in bad.value.message
    with pytest.raises(WorkerError) as media:
        await pool.predict(mlops_pid_model, b"a,b", "text/plain")
    assert (media.value.http_status, media.value.field) == (415, "Content-Type")
