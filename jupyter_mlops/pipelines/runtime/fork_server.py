"""A fork server for the local backend: one warm runner forks a process per step.

Starting Python and importing the step runner costs 60-80 ms of CPU, paid by every step;
on two cores that was most of a 100-step fan-out. Instead the backend starts
``python -m jupyter_mlops.pipelines.runtime.runner --fork-server`` once: it imports the runner,
then forks a child for every task it reads. The child is the step's own process, as a
fresh runner would be: its own pid and process group (a kill or a timeout takes the
step's children too), its log file as stdout and stderr, its environment and working
folder; it runs the task and exits with the runner's exit code.

A child ends as :mod:`multiprocessing`'s forked children do, with ``os._exit`` after
waiting for its threads, plus the ``atexit`` handlers (the tracking client flushes
there) and a garbage collection (files left open get flushed): tearing down the
interpreter's modules would cost 10-15 ms of CPU per step and change nothing.

Only a process's parent can read its exit status, so the server waits for its children
and passes their statuses on. The protocol is one JSON document per line:

- backend -> server: ``{"task": {...}, "env": {...}, "cwd": "...", "log": "..."}``
- server -> backend: ``{"started": pid}`` (one per request, in order) and
  ``{"exited": pid, "code": n}`` (``code`` as :class:`subprocess.Popen` has it:
  negative for a signal).

The server half (:func:`serve`) imports only the standard library.

What children share: the server's memory and, in ``/proc/<pid>/environ``, the environment
it was started with. So the backend starts it with an allowlisted environment holding no
token, and uses it only where every step is the same user's (single-user mode): a request
carries its child's whole environment (its run's token included), which the child puts
in ``os.environ``.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any, NoReturn

log = logging.getLogger(__name__)

#: How long a request may wait for the server's answer (it imports the runner first).
START_TIMEOUT_S = 60.0


# -- the server (inside the runner process) ----------------------------------------------------
def serve(
    run_task: Callable[[dict[str, Any]], int], warm_up: Callable[[dict[str, Any]], None]
) -> int:
    """Fork a child per request on stdin until stdin closes, then return 0. A child runs
    its task and exits (this function never returns there). ``warm_up(task)`` runs
    here before each fork: it imports what children of such tasks would each import."""
    # Answers go to the backend on a descriptor of their own; stdout becomes stderr, so
    # that a stray print (an import's, a warm-up's) cannot garble them.
    answers = os.dup(1)
    os.dup2(2, 1)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    # SIGCHLD writes a byte to the wake-up pipe (a Python handler must exist for that).
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_write, warn_on_full_buffer=False)
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ, "requests")
    selector.register(wake_read, selectors.EVENT_READ, "children")
    pending = b""
    # What the children share stays out of their garbage collections (and their pages
    # out of copy-on-write faults that a collection's bookkeeping would cause).
    gc.freeze()
    while True:
        for key, _ in selector.select():
            if key.data == "children":
                with contextlib.suppress(BlockingIOError):
                    while os.read(wake_read, 512):
                        pass
                _report_exits(answers)
                continue
            chunk = os.read(0, 1 << 16)
            if not chunk:  # the backend closed (or died): running steps are its business
                selector.close()
                return 0
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                if not line.strip():
                    continue
                request = json.loads(line)
                _warm_up(warm_up, request["task"])
                pid = os.fork()
                if pid == 0:
                    selector.close()
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    for descriptor in (wake_read, wake_write, answers):
                        os.close(descriptor)
                    _run_child(request, run_task)
                # Both sides set the group, so it exists before the backend hears the pid.
                with contextlib.suppress(OSError):
                    os.setpgid(pid, pid)
                _send(answers, {"started": pid})


def _run_child(request: dict[str, Any], run_task: Callable[[dict[str, Any]], int]) -> NoReturn:
    code = 1
    try:
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)
        log_fd = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        null_fd = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null_fd, 0)
        os.close(null_fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        code = run_task(request["task"])
        for thread in threading.enumerate():
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()
        atexit._run_exitfuncs()
        gc.collect()
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def _warm_up(warm_up: Callable[[dict[str, Any]], None], task: dict[str, Any]) -> None:
    known = len(sys.modules)
    try:
        warm_up(task)
    except Exception:  # the child imports for itself, and fails visibly if it must
        traceback.print_exc()
    if len(sys.modules) != known:
        gc.freeze()  # the new modules too


def _report_exits(answers: int) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _send(answers, {"exited": pid, "code": os.waitstatus_to_exitcode(status)})


def _send(answers: int, message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(answers, data) :]


# -- the client (inside the backend) -----------------------------------------------------------
class ForkedProcess:
    """A step process forked by the server; waited on like a :class:`subprocess.Popen`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        #: Why the exit status is unknown (the server stopped first), else None.
        self.lost: str | None = None
        self._exited = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._exited.wait(timeout):
            raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout or 0)
        assert self.returncode is not None
        return self.returncode

    def when_done(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the process has exited (at once if it has): no thread
        has to wait for it."""
        with self._lock:
            if self.returncode is None:
                self._callbacks.append(callback)
                return
        callback()

    def _exit(self, code: int, lost: str | None = None) -> None:
        with self._lock:
            self.lost = lost
            self.returncode = code
            callbacks, self._callbacks = self._callbacks, []
        self._exited.set()
        for callback in callbacks:
            try:
                callback()
            except Exception:  # the server's reader thread must go on
                log.exception("a step exit callback failed")


class ForkServer:
    """Starts the server on first use and forks step processes through it.

    Thread-safe. :meth:`spawn` answers None when it cannot fork (no ``fork`` on this
    platform, or the server failed): the caller then starts a runner itself.
    """

    def __init__(self, command: list[str], environment: Callable[[], dict[str, str]]) -> None:
        self._command = command
        self._environment = environment
        self._lock = threading.Lock()  # one request at a time: answers come in order
        self._server: _Server | None = None
        self._disabled = not hasattr(os, "fork")

    def start(self) -> None:
        """Start the server now (it imports the runner while the caller plans)."""
        with self._lock:
            self._ensure_started()

    def spawn(
        self, task: dict[str, Any], *, env: dict[str, str], cwd: str, log_path: str
    ) -> ForkedProcess | None:
        request = json.dumps({"task": task, "env": env, "cwd": cwd, "log": log_path}) + "\n"
        with self._lock:
            server = self._ensure_started()
            if server is None or server.interpreter_settings != _interpreter_settings(env):
                return None  # a child would not see them: they act at interpreter start
            return server.fork(request.encode())

    def close(self) -> None:
        with self._lock:
            server, self._server, self._disabled = self._server, None, True
        if server is not None:
            server.close()

    def _ensure_started(self) -> _Server | None:
        if self._disabled:
            return None
        server = self._server
        if server is not None and server.process.poll() is None:
            return server
        if server is not None and not server.served:
            log.warning("the step fork server exited at start; steps start their own runner")
            self._disabled = True
            return None
        try:
            self._server = _Server(self._command, self._environment())
        except OSError:
            log.warning("cannot start the step fork server", exc_info=True)
            self._disabled = True
            return None
        return self._server


class _Server:
    """One server process, its answers and its children."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        self.interpreter_settings = _interpreter_settings(env)
        self.served = False  # whether it ever forked
        self._answer = threading.Condition()
        self._answers: list[ForkedProcess] = []
        self._gone = False  # its output ended
        self._children: dict[int, ForkedProcess] = {}
        threading.Thread(target=self._read, name="mlops-fork-server", daemon=True).start()

    def fork(self, request: bytes) -> ForkedProcess | None:
        """Send one request and wait for its child (None when the server died)."""
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(request)
            stdin.flush()
        except OSError:
            pass  # it died: the reader sees the end of its output
        with self._answer:
            if not self._answer.wait_for(self._answered, START_TIMEOUT_S):
                log.warning("the step fork server does not answer; stopping it")
                self.process.kill()
                self._answer.wait_for(self._answered)
            child = self._answers.pop(0) if self._answers else None
        if child is not None:
            self.served = True
        return child

    def _answered(self) -> bool:
        return bool(self._answers) or self._gone

    def close(self) -> None:
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()  # EOF: the server exits
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        for line in stream:
            message = json.loads(line)
            if "started" in message:
                child = ForkedProcess(int(message["started"]))
                self._children[child.pid] = child
                with self._answer:
                    self._answers.append(child)
                    self._answer.notify_all()
            else:
                exited = self._children.pop(int(message["exited"]), None)
                if exited is not None:
                    exited._exit(int(message["code"]))
        stream.close()
        self.process.wait()
        with self._answer:
            self._gone = True  # a request in flight gets no child
            self._answer.notify_all()
        # Its running children lost the only process that could tell their exit status:
        # kill them and say so, rather than leave steps running with nobody to report.
        for pid, child in list(self._children.items()):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            child._exit(-signal.SIGKILL, lost="the step fork server stopped")
        self._children.clear()


def _interpreter_settings(env: dict[str, str]) -> dict[str, str]:
    """The variables Python reads when it starts (PYTHONPATH, PYTHONHASHSEED, ...)."""
    return {key: value for key, value in env.items() if key.startswith("PYTHON")}
