"""Scoring workers, managed from the server: one process per model version, started on
its first prediction, reused, stopped when idle, at most ``max_workers`` at once.

The server process never loads a model (a model is user code). For a version it is asked
to score, :class:`ScoringPool` copies the version's files (a plain copy, nothing read as a
model) into a private folder of the account the worker runs as, and starts
:mod:`.worker` there: environment from the process policy's allowlist (no token, no
database URL), in multi-user mode as the model owner's OS account. It talks to the
worker over a Unix socket in that folder, through a few persistent connections on the
event loop (no thread hop), with the small framed protocol of :mod:`.worker`.

* Concurrent first requests for a version start one worker; they all wait for it.
* A worker unused for ``idle_timeout`` seconds is stopped; starting one more than
  ``max_workers`` stops the least recently used (after its requests in flight).
* A worker that dies is forgotten; a request that meets a dead worker is retried once on
  a new one, then answered 503.
* A worker that cannot load its model answers through the server with its own message:
  our errors keep their status (a 404 for a folder without MLmodel), anything else the
  model's code raised is a 409.

Where a worker runs is its launcher's business (:class:`WorkerLauncher`): this module's
:class:`LocalLauncher` (a process here, as above) or ``kube_launcher.KubeLauncher`` (a pod);
the pool keeps the lifecycle (start once, reuse, idle stop, LRU cap, retry) for both.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import OrderedDict, deque
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Protocol

from ...errors import InvalidState, MLOpsError, NotFound
from ...processes import OsAccount, ProcessPolicy
from ..mlmodel import MLMODEL_FILE
from .targets import ScoringTarget
from .worker import REQUEST_HEAD, RESPONSE_HEAD

log = logging.getLogger(__name__)

WORKER_MODULE = "jupyter_mlops.models.scoring.worker"
#: How long a worker may take to load its model before the request gets a 503.
START_TIMEOUT_S = 300.0
#: How long a stopping worker gets to exit before it is killed.
STOP_TIMEOUT_S = 5.0
#: Requests one worker answers at once (one connection, and a thread there, each).
CONNECTIONS_PER_WORKER = 8
#: Lines of a worker's stderr kept to explain why it died.
STDERR_LINES = 20

Key = tuple[str, str, str, "str | None"]


class WorkerError(MLOpsError):
    """An error answer of a worker (bad input, a model that failed): its own status,
    code, message and field, passed on unchanged."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message, field=field)
        self.http_status = status
        self.code = code


class ModelNotLoadable(InvalidState):
    """The version's files are there but its worker could not load them: the model's own
    code raised, or a library it needs is not installed."""


class ScoringUnavailable(MLOpsError):
    """No worker could answer: it could not be started, or it died twice in a row."""

    code = "TEMPORARILY_UNAVAILABLE"
    http_status = 503


class _WorkerGone(Exception):
    """The connection to a worker broke: it died (or was killed)."""


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class WorkerHandle(Protocol):
    """One started worker, ready to answer, as its launcher sees it."""

    #: Says which worker this is in log lines and errors ("pid 12, account x", "pod y").
    detail: str
    #: The process id of a local worker (None elsewhere).
    pid: int | None
    #: Done once the worker is gone, however it went (stopped, died, deleted).
    exited: asyncio.Future[None]

    async def connect(self) -> Connection:
        """A new connection, ready for requests (any handshake done)."""

    async def stop(self) -> None:
        """Stop the worker and release what it holds; waits until it is gone."""


class WorkerLauncher(Protocol):
    """Where scoring workers run: it starts one for a target and hands it over ready."""

    async def start(self, target: ScoringTarget, serial: int) -> WorkerHandle:
        """A worker that loaded ``target``, or an MLOpsError saying why there is none.
        Cancelled or failed half-way, it leaves nothing behind."""

    async def close(self) -> None:
        """Release what the launcher holds once every worker has stopped."""


class _Worker:
    """One worker as the pool uses it: its handle and connections (event loop only)."""

    def __init__(self, target: ScoringTarget, handle: WorkerHandle) -> None:
        self.target = target
        self.handle = handle
        self.last_used = time.monotonic()
        self.in_flight = 0
        self.retired = False
        self.watcher: asyncio.Future[None] | None = None
        self.stopping: asyncio.Future[None] | None = None
        self._idle: list[Connection] = []
        self._slots = asyncio.Semaphore(CONNECTIONS_PER_WORKER)

    @property
    def label(self) -> str:
        return f"{self.target.name!r} version {self.target.version} ({self.handle.detail})"

    async def request(self, body: bytes, content_type: str | None) -> tuple[int, bytes]:
        """(status, JSON answer) of one request; _WorkerGone when the worker is gone."""
        self.in_flight += 1
        try:
            async with self._slots:
                return await self._exchange(body, content_type)
        finally:
            self.in_flight -= 1
            self.last_used = time.monotonic()

    async def _exchange(self, body: bytes, content_type: str | None) -> tuple[int, bytes]:
        kind = (content_type or "").encode("utf-8")
        writer = None
        try:
            reader, writer = self._idle.pop() if self._idle else await self.handle.connect()
            writer.write(REQUEST_HEAD.pack(len(kind), len(body)) + kind + body)
            await writer.drain()
            status, length = RESPONSE_HEAD.unpack(await reader.readexactly(RESPONSE_HEAD.size))
            payload = await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError) as err:
            if writer is not None:
                writer.close()
            raise _WorkerGone(f"{type(err).__name__}: {err}") from err
        except BaseException:
            # Cancelled half-way: what is left on this connection is unknown.
            if writer is not None:
                writer.close()
            raise
        self._idle.append((reader, writer))
        return status, payload

    def close_connections(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


class ScoringPool:
    """The server's scoring workers; see the module docstring. Use it from the event loop."""

    def __init__(
        self,
        policy: ProcessPolicy,
        *,
        python: str | None = None,
        idle_timeout: float = 600.0,
        max_workers: int = 4,
        executor: Executor | None = None,
        launcher: WorkerLauncher | None = None,
    ) -> None:
        self.policy = policy
        self.idle_timeout = idle_timeout
        self.max_workers = max(1, max_workers)
        self.launcher: WorkerLauncher = launcher or LocalLauncher(policy, python, executor)
        self._workers: OrderedDict[Key, _Worker] = OrderedDict()
        self._starting: dict[Key, asyncio.Task[_Worker]] = {}
        self._stopping: set[asyncio.Future[None]] = set()
        self._watchers: set[asyncio.Future[None]] = set()
        self._reaper: asyncio.Task[None] | None = None
        self._serial = 0
        self._closed = False

    def worker_pids(self) -> dict[Key, int]:
        """The process ids of the local workers alive (ready to answer), by target key."""
        return {
            key: worker.handle.pid
            for key, worker in self._workers.items()
            if worker.handle.pid is not None
        }

    def worker_details(self) -> dict[Key, str]:
        """What each worker alive is ("pid 12", "pod mlops-scoring-..."), by target key."""
        return {key: worker.handle.detail for key, worker in self._workers.items()}

    async def predict(self, target: ScoringTarget, body: bytes, content_type: str | None) -> bytes:
        """The worker's answer to a scoring request: the JSON document of a 200. Its
        error answers are raised as MLOpsErrors with the worker's status and message."""
        for attempt in (1, 2):
            worker = await self._worker(target)
            try:
                status, payload = await worker.request(body, content_type)
            except _WorkerGone as gone:
                log.warning("jupyter-mlops: scoring worker of %s is gone: %s", worker.label, gone)
                self._retire(worker)
                if attempt == 2:
                    raise ScoringUnavailable(
                        f"the scoring worker of {target.name!r} version {target.version} "
                        "stopped while answering, twice; the server log has its output",
                        field="name",
                    ) from None
                continue
            finally:
                if worker.retired and worker.in_flight == 0:
                    self._stop(worker)
            if status == 200:
                return payload
            raise _error_answer(status, payload)
        raise AssertionError("unreachable")

    async def stop(self) -> None:
        """Stop every worker and release what they hold; the pool starts no more."""
        self._closed = True
        if self._reaper is not None:
            self._reaper.cancel()
        for task in list(self._starting.values()):
            task.cancel()  # a model may take minutes to load: not worth waiting for
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task
        for worker in list(self._workers.values()):
            self._retire(worker)
            self._stop(worker)
        pending = self._stopping | self._watchers
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        await self.launcher.close()

    # -- finding and starting workers ------------------------------------------------------
    async def _worker(self, target: ScoringTarget) -> _Worker:
        key = target.key
        worker = self._workers.get(key)
        if worker is not None:
            self._workers.move_to_end(key)
            return worker
        task = self._starting.get(key)
        if task is None:
            if self._closed:
                raise ScoringUnavailable("the server is stopping", field="name")
            self._make_room()
            task = asyncio.ensure_future(self._start(target))
            self._starting[key] = task
            task.add_done_callback(lambda done: self._started(key, done))
        # Shielded: a request that goes away does not abort a start others wait for.
        return await asyncio.shield(task)

    def _started(self, key: Key, task: asyncio.Task[_Worker]) -> None:
        self._starting.pop(key, None)
        if task.cancelled() or task.exception() is not None:
            return
        worker = task.result()
        worker.last_used = time.monotonic()  # idle from now, not from its start
        if self._closed:
            self._retire(worker)
            self._stop(worker)
            return
        self._workers[key] = worker
        if self._reaper is None or self._reaper.done():
            self._reaper = asyncio.ensure_future(self._reap_idle())

    def _make_room(self) -> None:
        """Retire least recently used workers so that one more fits under the cap."""
        while self._workers and len(self._workers) + len(self._starting) >= self.max_workers:
            _, oldest = next(iter(self._workers.items()))
            log.info("jupyter-mlops: stopping scoring worker of %s (least recent)", oldest.label)
            self._retire(oldest)
            if oldest.in_flight == 0:
                self._stop(oldest)

    async def _start(self, target: ScoringTarget) -> _Worker:
        self._serial += 1
        handle = await self.launcher.start(target, self._serial)
        worker = _Worker(target, handle)
        worker.watcher = asyncio.ensure_future(self._watch(worker))
        self._watchers.add(worker.watcher)
        worker.watcher.add_done_callback(self._watchers.discard)
        log.info("jupyter-mlops: scoring worker of %s is ready", worker.label)
        return worker

    # -- stopping workers ------------------------------------------------------------------
    def _retire(self, worker: _Worker) -> None:
        """No new requests for ``worker``; it stops once those in flight are answered."""
        worker.retired = True
        key = worker.target.key
        if self._workers.get(key) is worker:
            del self._workers[key]

    def _stop(self, worker: _Worker) -> None:
        if worker.stopping is None:
            worker.stopping = asyncio.ensure_future(self._terminate(worker))
            self._stopping.add(worker.stopping)
            worker.stopping.add_done_callback(self._stopping.discard)

    async def _terminate(self, worker: _Worker) -> None:
        worker.close_connections()
        try:
            await worker.handle.stop()
        except Exception:
            log.exception("jupyter-mlops: stopping the scoring worker of %s failed", worker.label)

    async def _watch(self, worker: _Worker) -> None:
        """When the worker ends, however it ends: forget it."""
        await worker.handle.exited
        if not worker.retired:
            log.warning("jupyter-mlops: scoring worker of %s has ended", worker.label)
        self._retire(worker)
        worker.close_connections()
        if worker.stopping is None:
            self._stop(worker)  # what it held (a folder, a pod's Secret, a token) goes too

    async def _reap_idle(self) -> None:
        interval = min(max(self.idle_timeout / 4, 0.05), 30.0)
        while self._workers:
            await asyncio.sleep(interval)
            now = time.monotonic()
            for worker in list(self._workers.values()):
                if worker.in_flight == 0 and now - worker.last_used >= self.idle_timeout:
                    log.info("jupyter-mlops: stopping idle scoring worker of %s", worker.label)
                    self._retire(worker)
                    self._stop(worker)


class _LocalWorker:
    """A worker process here, its private folder and its stderr (a WorkerHandle)."""

    def __init__(
        self,
        folder: Path,
        process: asyncio.subprocess.Process,
        account: OsAccount | None,
    ) -> None:
        self.folder = folder
        self.process = process
        self.account = account
        self.pid: int | None = process.pid
        self.stderr: deque[str] = deque(maxlen=STDERR_LINES)
        self.exited: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        account_text = f", account {account.name}" if account is not None else ""
        self.detail = f"pid {process.pid}{account_text}"

    async def connect(self) -> Connection:
        return await asyncio.open_unix_connection(str(self.folder / "socket"))

    async def stop(self) -> None:
        process = self.process
        if process.stdin is not None:
            process.stdin.close()  # its lifeline: the worker exits when stdin closes
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(asyncio.shield(self.exited), STOP_TIMEOUT_S)
        except asyncio.TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await self.exited


class LocalLauncher:
    """Workers as processes of this machine (see the module docstring): in multi-user mode
    as the model owner's OS account, in a private folder with a copy of the model."""

    def __init__(
        self, policy: ProcessPolicy, python: str | None = None, executor: Executor | None = None
    ) -> None:
        self.policy = policy
        self.python = python or sys.executable
        self._executor = executor
        self._folder: Path | None = None
        self._folder_lock = threading.Lock()
        self._tasks: set[asyncio.Future[None]] = set()

    async def start(self, target: ScoringTarget, serial: int) -> WorkerHandle:
        folder, account = await self._blocking(self._prepare, target, serial)
        try:
            process = await self._spawn(target, folder, account)
        except OSError as err:
            await self._blocking(shutil.rmtree, folder, True)
            raise ScoringUnavailable(
                f"cannot start a scoring worker with {self.python}: {err}", field="name"
            ) from err
        worker = _LocalWorker(folder, process, account)
        drained = asyncio.ensure_future(self._relay_stderr(worker))
        watcher = asyncio.ensure_future(self._watch(worker, drained))
        self._tasks.add(watcher)
        watcher.add_done_callback(self._tasks.discard)
        try:
            report = await asyncio.wait_for(_read_report(process), START_TIMEOUT_S)
        except asyncio.TimeoutError:
            report = {"timeout": True}
        except BaseException:
            await asyncio.shield(worker.stop())
            raise
        if report is None or "ready" not in report:
            await asyncio.shield(worker.stop())
            raise _load_error(target, worker, report)
        return worker

    async def close(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._folder is not None:
            await self._blocking(shutil.rmtree, self._folder, True)
            self._folder = None

    def _prepare(self, target: ScoringTarget, serial: int) -> tuple[Path, OsAccount | None]:
        """The account the worker runs as, and its private folder with a copy of the
        model's files (blocking)."""
        if not (target.folder / MLMODEL_FILE).is_file():
            raise NotFound(
                f"Version {target.version} of {target.name!r} holds no model: its files "
                f"have no {MLMODEL_FILE} file",
                field="name",
            )
        # None in single-user mode; in multi-user mode the owner's account, or
        # PermissionDenied (an empty owner names no account: refused too).
        account = self.policy.account_for(target.owner or "", backend="scoring")
        folder = self.policy.private_folder(self._base_folder() / f"w{serial}", account)
        try:
            # Symlinks stay links: the worker follows them with its own account's rights.
            shutil.copytree(target.folder, folder / "model", symlinks=True)
            if account is not None:
                _give(folder / "model", account)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return folder, account

    def _base_folder(self) -> Path:
        with self._folder_lock:
            if self._folder is None:
                folder = Path(tempfile.mkdtemp(prefix="jupyter-mlops-scoring-"))
                # Other accounts' workers must reach their own folders in it, never list it.
                os.chmod(folder, 0o711 if self.policy.multi_user else 0o700)
                self._folder = folder
            return self._folder

    async def _spawn(
        self, target: ScoringTarget, folder: Path, account: OsAccount | None
    ) -> asyncio.subprocess.Process:
        command = [
            self.python,
            "-m",
            WORKER_MODULE,
            f"--model={folder / 'model'}",
            f"--socket={folder / 'socket'}",
            f"--name={target.name}",
            f"--version={target.version}",
        ]
        return await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self.policy.environment({"PYTHONUNBUFFERED": "1"}, account),
            cwd=folder,
            # Its own session: a Ctrl-C meant for the server does not reach it; we stop it.
            start_new_session=True,
            **self.policy.popen_options(account),
        )

    async def _watch(self, worker: _LocalWorker, drained: asyncio.Future[None]) -> None:
        """When the process ends, however it ends: remove its folder, then say so."""
        code = await worker.process.wait()
        await drained
        log.info("jupyter-mlops: scoring worker %s exited (%s)", worker.pid, code)
        await self._blocking(shutil.rmtree, worker.folder, True)
        worker.exited.set_result(None)

    async def _relay_stderr(self, worker: _LocalWorker) -> None:
        """The worker's stderr (its tracebacks, the model's prints) into the server log."""
        stream = worker.process.stderr
        assert stream is not None
        while line := await stream.readline():
            text = line.decode("utf-8", "replace").rstrip()
            worker.stderr.append(text)
            log.info("scoring worker %s: %s", worker.pid, text)

    async def _blocking(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)


async def _read_report(process: asyncio.subprocess.Process) -> dict[str, Any] | None:
    """The worker's one report line; None when it ended without one."""
    assert process.stdout is not None
    line = await process.stdout.readline()
    try:
        report = json.loads(line) if line else None
    except ValueError:
        return None
    return report if isinstance(report, dict) else None


def _load_error(
    target: ScoringTarget, worker: _LocalWorker, report: dict[str, Any] | None
) -> MLOpsError:
    what = f"version {target.version} of {target.name!r}"
    if report is not None and report.get("timeout"):
        return ScoringUnavailable(
            f"the scoring worker of {what} did not load it within {START_TIMEOUT_S:.0f} s",
            field="name",
        )
    error = (report or {}).get("error")
    if not isinstance(error, dict):
        tail = " | ".join(list(worker.stderr)[-3:]) or "no output"
        return ModelNotLoadable(
            f"the scoring worker of {what} ended (exit code {worker.process.returncode}) "
            f"before loading it: {tail}",
            field="name",
        )
    status = error.get("status")
    message = str(error.get("message", ""))
    if isinstance(status, int) and 400 <= status < 500:
        return WorkerError(status, str(error.get("code")), message, error.get("field"))
    return ModelNotLoadable(
        f"cannot load {what}: {error.get('type', 'Error')}: {message}", field="name"
    )


def _error_answer(status: int, payload: bytes) -> MLOpsError:
    try:
        error = json.loads(payload)
    except ValueError:
        error = None
    if not isinstance(error, dict):
        error = {}
    return WorkerError(
        status,
        str(error.get("code") or "INTERNAL_ERROR"),
        str(error.get("message") or "the scoring worker gave no reason"),
        error.get("field") if isinstance(error.get("field"), str) else None,
    )


def _give(folder: Path, account: OsAccount) -> None:
    """Make a copied tree ``account``'s own (links themselves, never their targets)."""
    os.lchown(folder, account.uid, account.gid)
    for parent, folders, files in os.walk(folder):
        for name in (*folders, *files):
            os.lchown(os.path.join(parent, name), account.uid, account.gid)
