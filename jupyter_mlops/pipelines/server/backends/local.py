"""The ``local`` backend: every step is a process of its own running the step runner.

One driver thread per run plans the run (:mod:`..planner`), starts ready steps up to
``parallelism`` processes over all runs, waits for them, retries failures with
exponential back-off, kills steps past their timeout, and cancels on request. Steps are
forked from one warm runner (:mod:`...runtime.fork_server`), or started as a new interpreter
where that cannot be; either way each has its own process group, so that a kill takes
its children too. A step's stdout and stderr go straight to its log file among its
tracking run's artifacts, so the log is readable while the step runs and kept after.
The driver is its run's only writer: it plans from the run it holds, which the engine's
methods keep current, instead of re-reading every step at each turn.

A run records which process drives it (``local:<host>:<pid>``); :meth:`reconcile`
fails the runs whose driver is gone (a server restart, a killed kernel), so none stays
RUNNING.

What a step runs as and with (``BackendSettings.process_policy``): an environment built
from an allowlist (never the server's tokens or its store URI), plus, in a server, this
server's URL and an API token of the run's owner issued for the run (revoked when its
driver leaves, fresh on each retry), as on Kubernetes: the step logs, and uploads its
outputs, through the API. A backend built on a store URI without a server (the
in-process Python API, tests) gives its steps that URI and the artifact root instead.
In multi-user mode each step is a new interpreter run as the owner's OS account, in a
folder of that account's. No fork server there: a shared one's children would share its
memory across users, and one per account would run as that account, whose steps could
make it report any pid as theirs, for the server (root) to kill on cancel or timeout.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from ....errors import InvalidState, MLOpsError
from ....processes import OsAccount
from ...runtime.fork_server import ForkedProcess, ForkServer
from ...runtime.runner import ENV_PACKAGE_CACHE
from ...spec import states as s
from ...spec.entities import PipelineRun
from ..engine import Launch, RunEngine
from .base import BackendSettings, PipelineBackend, process_alive

log = logging.getLogger(__name__)

_KILL_GRACE_S = 2.0
_RUNNER = "jupyter_mlops.pipelines.runtime.runner"
_BACKEND = "local pipeline"  # how refusals name this backend
#: A status file is a line of JSON; anything longer is not the runner's.
_MAX_STATUS_BYTES = 64 * 1024


class _StepProcess(Protocol):
    """A step's process: a :class:`subprocess.Popen` or a fork server's child."""

    pid: int
    returncode: Any

    def poll(self) -> int | None: ...
    def wait(self, timeout: float | None = None) -> int: ...


@dataclass
class _Process:
    launch: Launch
    attempt: int
    popen: _StepProcess
    log_file: IO[bytes]
    status_file: Path
    deadline: float | None
    done: bool = False
    timed_out: bool = False


@dataclass
class _Retry:
    launch: Launch
    attempt: int
    due: float


@dataclass
class _Driver:
    run_id: str
    workdir: Path | None = None  # made when it starts; its steps' folders are inside
    account: OsAccount | None = None  # multi-user mode: the run owner's
    token: str | None = None  # the run's API token, revoked when the driver leaves
    processes: dict[str, _Process] = field(default_factory=dict)
    retries: dict[str, _Retry] = field(default_factory=dict)
    cancel_requested: bool = False
    stop_reason: str | None = None  # set when the backend closes
    thread: threading.Thread | None = None
    # start() was called again while this driver ran: a retry that came as the run ended,
    # before this driver had left. It looks again when it leaves.
    start_again: bool = False


class LocalBackend(PipelineBackend):
    """Steps as local subprocesses (the embedded default)."""

    name = "local"

    def __init__(self, engine: RunEngine, settings: BackendSettings) -> None:
        super().__init__(engine, settings)
        self._cond = threading.Condition()
        self._drivers: dict[str, _Driver] = {}
        self._live = 0  # processes alive or reserved, over all runs
        self.owner_ref = f"local:{socket.gethostname()}:{os.getpid()}"
        # Runs created since then without a driver are being started here, not lost.
        self._created_ms = int(time.time() * 1000)
        # Single-user mode: steps are forked from one warm runner instead of each starting
        # Python.
        self._forks = ForkServer(
            [settings.python, "-m", _RUNNER, "--fork-server"], self._fork_server_environment
        )
        # Multi-user mode: the server's folder for run folders and the accounts' package
        # caches (made on first use, removed on close).
        self._private_root: Path | None = None

    @property
    def over_rest(self) -> bool:
        """Whether steps log to a server (else straight to a store, with no server)."""
        return self.tracking_uri.startswith(("http://", "https://"))

    def _fork_server_environment(self) -> dict[str, str]:
        # No token and no account: its children inherit its memory and, in
        # /proc/<pid>/environ, its environment; each gets its run's token in its request.
        env = self.runner_environment()
        env.pop("JUPYTER_MLOPS_TOKEN", None)
        return self.settings.process_policy.environment(env)

    # -- the interface ---------------------------------------------------------------------
    def check_owner(self, owner: str) -> None:
        policy = self.settings.process_policy
        if not self.tracking_uri:
            raise InvalidState(
                "the local pipeline backend cannot run steps: this server has no http(s) "
                "URL for them to log to (it listens on a socket only); use the Kubernetes "
                "backend, or let the server listen on an address",
                field="backend",
            )
        if policy.multi_user and not self.over_rest:
            raise InvalidState(
                "the local pipeline backend logs to a store directly here, which users' "
                "accounts must not reach; use the Kubernetes backend",
                field="backend",
            )
        policy.account_for(owner, backend=_BACKEND)

    def start(self, run_id: str) -> None:
        if not self.settings.process_policy.multi_user:
            self._forks.start()  # it imports the runner while the driver plans
        self.engine.run_handed_to(run_id, self.owner_ref)
        driver = _Driver(run_id)
        with self._cond:
            existing = self._drivers.get(run_id)
            if existing is not None:
                existing.start_again = True
                return
            self._drivers[run_id] = driver
        driver.thread = threading.Thread(
            target=self._drive, args=(driver,), name=f"mlops-pipeline-{run_id[:8]}", daemon=True
        )
        driver.thread.start()

    def cancel(self, run_id: str) -> None:
        with self._cond:
            driver = self._drivers.get(run_id)
            if driver is not None:
                driver.cancel_requested = True
                self._cond.notify_all()
                return
        # Nobody drives it here: a run whose driver died, or that never started.
        run = self.engine.run(run_id)
        self._abandon(run.run_id, s.CANCELED, "canceled")

    def reconcile(self) -> None:
        for run_id in self.engine.live_runs(self.name):
            with self._cond:
                if run_id in self._drivers:
                    continue
            run = self.engine.run(run_id, with_steps=False)
            if self._driven_elsewhere(run.backend_ref):
                continue
            if run.backend_ref is None and run.created_time >= self._created_ms:
                continue  # submitted to this process a moment ago: its driver is on its way
            log.warning("pipeline run %s lost its driver (%s); failing it", run_id, run.backend_ref)
            self._abandon(
                run_id, s.FAILED, "interrupted: the process running this pipeline stopped"
            )

    def close(self) -> None:
        with self._cond:
            drivers = list(self._drivers.values())
            for driver in drivers:
                driver.stop_reason = "interrupted: the server stopped"
            self._cond.notify_all()
        for driver in drivers:
            if driver.thread is not None:
                driver.thread.join(timeout=10)
        self._forks.close()
        if self._private_root is not None:
            shutil.rmtree(self._private_root, ignore_errors=True)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no run is driven here (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._drivers:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    # -- ownership -------------------------------------------------------------------------
    def _driven_elsewhere(self, ref: str | None) -> bool:
        """Whether another live process on this host drives the run."""
        if not ref or not ref.startswith("local:") or ref == self.owner_ref:
            return False
        _, host, pid = ref.split(":", 2)
        if host != socket.gethostname():
            return True  # another machine's: not ours to judge
        return pid.isdigit() and int(pid) != os.getpid() and process_alive(int(pid))

    def _abandon(self, run_id: str, state: str, message: str) -> None:
        """Finish a run nobody drives: kill leftover step processes, close its steps."""
        run = self.engine.run(run_id)
        for step in run.steps or []:
            if step.state != s.RUNNING:
                continue
            _kill_recorded(step.backend_ref)
            self.engine.step_failed(run, step, message, state=state)
        if state == s.CANCELED:
            self.engine.cancel_pending(run, message)
        else:
            self.engine.skip_pending_steps(run_id, message)
        self.engine.finish_run(run, state, message=message)
        self._revoke(run_id)  # the token of a driver that is gone, if any

    # -- who steps run as, and with what -------------------------------------------------
    def _begin(self, driver: _Driver) -> None:
        """The run's account (multi-user mode), its folder and its API token."""
        run = self.engine.run(driver.run_id, with_steps=False)
        driver.account = self.settings.process_policy.account_for(run.owner, backend=_BACKEND)
        driver.workdir = self._run_folder(driver.run_id, driver.account)
        tokens = self.settings.tokens
        if self.over_rest and tokens is not None:
            # Replaces the run's previous token (a retry's steps get a fresh one).
            driver.token = tokens.issue_pipeline_token(run.owner, run.run_id)

    def _end(self, driver: _Driver) -> None:
        if driver.token is not None:
            driver.token = None
            self._revoke(driver.run_id)
        if driver.workdir is not None:
            shutil.rmtree(driver.workdir, ignore_errors=True)

    def _revoke(self, run_id: str) -> None:
        tokens = self.settings.tokens
        if tokens is None or not self.over_rest:
            return
        try:
            tokens.revoke_pipeline_tokens(run_id)
        except Exception:  # it expires anyway; the run's end must still be recorded
            log.exception("pipeline run %s: could not revoke its API token", run_id)

    def _run_folder(self, run_id: str, account: OsAccount | None) -> Path:
        if account is None:
            return Path(tempfile.mkdtemp(prefix=f"mlops-run-{run_id[:8]}-"))
        folder = Path(tempfile.mkdtemp(prefix=f"run-{run_id[:8]}-", dir=self._root_folder()))
        # The server's: accounts pass through to their steps' folders, but cannot list,
        # add or rename anything here (so a step folder stays where the server put it).
        os.chmod(folder, 0o711)
        return folder

    def _root_folder(self) -> Path:
        with self._cond:
            if self._private_root is None:
                root = Path(tempfile.mkdtemp(prefix="mlops-local-pipelines-"))
                os.chmod(root, 0o711)
                self._private_root = root
            return self._private_root

    def _package_cache(self, account: OsAccount) -> Path:
        """The account's own cache of step packages: a shared one would let one user put
        packages there that another user's steps import."""
        folder = self._root_folder() / "packages" / account.name
        if not folder.is_dir():
            self.settings.process_policy.private_folder(folder, account)
        return folder

    # -- the driver ------------------------------------------------------------------------
    def _drive(self, driver: _Driver) -> None:
        try:
            try:
                self._begin(driver)
            except MLOpsError as exc:  # no account (any more), say: fail it, saying why
                self._abandon(driver.run_id, s.FAILED, exc.message)
                return
            self._loop(driver)
        except Exception as exc:  # a bug or a broken store: fail the run, visibly
            log.exception("pipeline run %s: driver failed", driver.run_id)
            try:
                self._kill_all(driver)
                self._abandon(driver.run_id, s.FAILED, f"internal error: {exc}")
            except Exception:
                log.exception("pipeline run %s: could not record the failure", driver.run_id)
        finally:
            # Before it leaves: a retry's driver must not come before this one revokes.
            self._end(driver)
            with self._cond:
                self._drivers.pop(driver.run_id, None)
                self._cond.notify_all()
                start_again = driver.start_again and driver.stop_reason is None
            if start_again:
                self._start_again(driver.run_id)

    def _start_again(self, run_id: str) -> None:
        """A retry reached this backend while the run's last driver was leaving: drive the
        run again if the retry made it live (else nothing is left to do)."""
        try:
            if not self.engine.has_ended(run_id):
                self.start(run_id)
        except Exception:
            log.exception("pipeline run %s: could not drive it again", run_id)

    def _loop(self, driver: _Driver) -> None:
        engine = self.engine
        known: PipelineRun | None = None  # this driver is the run's only writer
        while True:
            with self._cond:
                if driver.cancel_requested or driver.stop_reason:
                    break
                reserved = max(0, self.settings.parallelism - self._live)
                self._live += reserved
            mine = len(driver.processes) + len(driver.retries)
            started = 0
            try:
                run, plan = engine.advance(driver.run_id, mine + reserved, run=known)
                known = run
                cached = False
                for ready in plan.ready:
                    launch = engine.prepare(run, ready)
                    if launch is None:
                        cached = True
                        continue
                    self._spawn(driver, launch, attempt=1, reserved=True)
                    started += 1
            finally:
                with self._cond:
                    self._live -= reserved - started
            if plan.outcome is not None:
                return
            if cached:
                continue  # cached steps finished at once: plan again before waiting
            self._wait(driver)
            self._reap(driver)
        self._kill_all(driver)
        run = engine.run(driver.run_id)
        if driver.cancel_requested:
            engine.mark_canceling(run.run_id)
            self._close_steps(driver, run, s.CANCELED, "canceled")
            engine.cancel_pending(run)
            engine.finish_run(run, s.CANCELED, message="canceled")
        else:
            message = driver.stop_reason or "stopped"
            self._close_steps(driver, run, s.FAILED, message)
            engine.skip_pending_steps(run.run_id, message)
            engine.finish_run(run, s.FAILED, message=message)

    def _close_steps(self, driver: _Driver, run: Any, state: str, message: str) -> None:
        for process in driver.processes.values():
            self.engine.step_failed(run, process.launch.step, message, state=state)
        for retry in driver.retries.values():
            self.engine.step_failed(run, retry.launch.step, message, state=state)
        driver.processes.clear()
        driver.retries.clear()

    def _spawn(self, driver: _Driver, launch: Launch, attempt: int, *, reserved: bool) -> None:
        if not reserved:
            with self._cond:
                self._live += 1
        assert driver.workdir is not None
        # A new folder per attempt: nothing an earlier attempt left there is followed.
        step_dir = driver.workdir / launch.step.step_id.replace("/", "_") / f"attempt-{attempt}"
        status_file = step_dir / "status.json"
        # The server opens the log: a step writes it through its stdout, whoever it runs as.
        log_file = open(launch.log_path, "ab")  # noqa: SIM115 - closed when the process ends
        if attempt > 1:
            log_file.write(f"\n--- attempt {attempt} ---\n".encode())
            log_file.flush()
        try:
            popen = self._start_process(driver, launch, step_dir, status_file, log_file)
        except OSError as exc:
            log_file.close()
            with self._cond:
                self._live -= 1
            self.engine.step_failed(launch.run, launch.step, f"cannot start the step runner: {exc}")
            return
        self.engine.step_started(launch.run, launch.step, f"pid:{popen.pid}")
        timeout = launch.timeout
        process = _Process(
            launch,
            attempt,
            popen,
            log_file,
            status_file,
            None if timeout is None else time.monotonic() + timeout,
        )
        driver.processes[launch.step.step_id] = process
        if isinstance(popen, ForkedProcess):
            popen.when_done(lambda: self._exited(process))
        else:
            threading.Thread(
                target=self._await_exit, args=(process,), name="mlops-step-wait", daemon=True
            ).start()

    def _start_process(
        self,
        driver: _Driver,
        launch: Launch,
        step_dir: Path,
        status_file: Path,
        log_file: IO[bytes],
    ) -> _StepProcess:
        """Start the runner of ``launch`` in ``step_dir``: forked from the warm runner in
        single-user mode, else a new interpreter (as the run owner's account in
        multi-user mode)."""
        policy, account = self.settings.process_policy, driver.account
        if self.over_rest:
            # As on Kubernetes: the runner uploads the outputs (and an executed notebook)
            # through the API; only the server writes the artifact root.
            task = launch.runner_task(
                outputsDir=str(step_dir / "outputs"),
                statusFile=str(status_file),
                uploadOutputs=True,
            )
        else:
            task = launch.runner_task(
                outputsDir=str(launch.outputs_dir),
                artifactsDir=str(launch.artifact_dir),
                statusFile=str(status_file),
            )
        extra = self.runner_environment(driver.token)
        if account is not None:
            extra[ENV_PACKAGE_CACHE] = str(self._package_cache(account))
        extra.update(launch.executor.get("env") or {})
        env = policy.environment(extra, account)
        step_dir.parent.mkdir(parents=True, exist_ok=True, mode=0o711)
        step_dir.mkdir(mode=0o700)
        if account is None:
            forked = self._forks.spawn(
                task, env=env, cwd=str(step_dir), log_path=str(launch.log_path)
            )
            if forked is not None:
                return forked
        # A runner of its own. Its task file is written while the folder is still the
        # server's, so that nothing the step's account could put there is written through.
        task_file = step_dir / "task.json"
        task_file.write_text(json.dumps(task), encoding="utf-8")
        policy.private_folder(step_dir, account)
        return subprocess.Popen(
            [self.settings.python, "-m", _RUNNER, "--task-file", str(task_file)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=step_dir,
            env=env,
            start_new_session=True,  # its own group: a kill takes what it started
            **policy.popen_options(account),
        )

    def _await_exit(self, process: _Process) -> None:
        process.popen.wait()
        self._exited(process)

    def _exited(self, process: _Process) -> None:
        with self._cond:
            process.done = True
            self._live -= 1
            self._cond.notify_all()

    def _wait(self, driver: _Driver) -> None:
        with self._cond:
            while True:
                if driver.cancel_requested or driver.stop_reason:
                    return
                now = time.monotonic()
                if any(p.done for p in driver.processes.values()):
                    return
                wakeups = [p.deadline for p in driver.processes.values() if p.deadline is not None]
                wakeups += [r.due for r in driver.retries.values()]
                if any(w <= now for w in wakeups):
                    return
                if not driver.processes and not driver.retries:
                    return  # nothing running: something else changed (plan again)
                timeout = min(wakeups) - now if wakeups else None
                self._cond.wait(timeout)

    def _reap(self, driver: _Driver) -> None:
        now = time.monotonic()
        for step_id, process in list(driver.processes.items()):
            if not process.done and process.deadline is not None and process.deadline <= now:
                process.timed_out = True
                _kill_group(process.popen)
                process.popen.wait()
                with self._cond:  # _exited may not have run yet
                    while not process.done:
                        self._cond.wait(0.05)
            if not process.done:
                continue
            del driver.processes[step_id]
            self._finished(driver, process)
        for step_id, retry in list(driver.retries.items()):
            if retry.due <= now:
                del driver.retries[step_id]
                self._spawn(driver, retry.launch, retry.attempt, reserved=False)

    def _finished(self, driver: _Driver, process: _Process) -> None:
        launch = process.launch
        code = process.popen.returncode
        if process.timed_out:
            message = f"timed out after {launch.timeout:g}s"
            process.log_file.write(f"\nstep {message}\n".encode())
        elif code == 0:
            process.log_file.close()
            try:
                outputs = self.engine.read_outputs(launch)
            except (OSError, ValueError) as exc:
                self.engine.step_failed(launch.run, launch.step, f"unreadable outputs: {exc}")
                return
            self.engine.step_succeeded(launch.run, launch.step, outputs)
            return
        else:
            message = (
                _status_error(process.status_file, driver.account)
                or getattr(process.popen, "lost", None)
                or f"the step runner exited with code {code}"
            )
        if process.attempt <= launch.retries:
            delay = launch.backoff(process.attempt)
            process.log_file.write(f"\n{message}; retrying in {delay:g}s\n".encode())
            process.log_file.close()
            attempt = process.attempt + 1
            self.engine.step_retrying(
                launch.run, launch.step, attempt, f"attempt {process.attempt} failed: {message}"
            )
            driver.retries[launch.step.step_id] = _Retry(launch, attempt, time.monotonic() + delay)
            return
        process.log_file.close()
        self.engine.step_failed(launch.run, launch.step, message)

    def _kill_all(self, driver: _Driver) -> None:
        for process in driver.processes.values():
            if not process.done:
                _kill_group(process.popen)
        for process in driver.processes.values():
            try:
                process.popen.wait(timeout=_KILL_GRACE_S + 1)
            except subprocess.TimeoutExpired:
                log.warning("step process %s did not die", process.popen.pid)
            if not process.log_file.closed:
                process.log_file.write(b"\nstep killed\n")
                process.log_file.close()


def _status_error(path: Path, account: OsAccount | None) -> str | None:
    """The error the runner reported in its status file, if any.

    The file is in a folder of the step's account, who may have replaced it: with a link
    to a file only the server may read, a FIFO, a huge file. So: no link is followed, no
    read blocks, only a regular file of the account counts, and only its first 64 KiB."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        if account is not None and info.st_uid != account.uid:
            return None  # a hard link to someone else's file
        data = os.read(fd, _MAX_STATUS_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        status = json.loads(data)
    except ValueError:
        return None
    error = status.get("error") if isinstance(status, dict) else None
    return str(error) if error else None


def _kill_group(popen: _StepProcess) -> None:
    """SIGTERM the step's process group, SIGKILL it if still there after a grace period."""
    try:
        os.killpg(popen.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        popen.wait(timeout=_KILL_GRACE_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, signal.SIGKILL)


def _kill_recorded(ref: str | None) -> None:
    """Kill a step process left by a dead driver, if it is still a step runner."""
    if not ref or not ref.startswith("pid:"):
        return
    pid = int(ref[4:])
    try:
        import psutil

        process = psutil.Process(pid)
        if _RUNNER not in " ".join(process.cmdline()):  # forked steps show the server's
            return
        os.killpg(pid, signal.SIGKILL)
    except (ImportError, OSError, ValueError):
        return
    except Exception:  # psutil.NoSuchProcess, AccessDenied
        return
