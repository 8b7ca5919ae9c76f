"""What a run's process prints, kept as the run's artifact ``logs/console.txt``.

``start_run`` in a script (not in IPython, where ``%%track`` keeps each cell's output)
puts a tee on ``sys.stdout`` and ``sys.stderr``: everything written through them still
reaches the console, and a copy goes into a bounded buffer (the last ``MAX_BYTES``) that a
background thread uploads every few seconds (``UPLOAD_INTERVAL_S``) when it changed, and once
more when the run ends (before the run is marked ended, so a REST server still takes it).
Logging handlers that were writing to the console stream are pointed at the tee while it
is on, so ``logging.basicConfig()`` before ``start_run`` is captured too.

Only Python-level writes are seen: output that C code, a subprocess or a
``sys.stdout.buffer`` write puts straight on file descriptors 1 and 2 is not captured.
``JUPYTER_MLOPS_CAPTURE_OUTPUT=false`` turns capture off unless a run asks for it
(``start_run(capture_output=True)``); ``=true`` turns it on in IPython too.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from .client import MlopsClient

log = logging.getLogger(__name__)

#: The artifact a captured console is stored as (the run page's Logs tab reads it).
CONSOLE_ARTIFACT = "logs/console.txt"
#: Turns capture on (``1``/``true``/``yes``/``on``) or off (``0``/``false``/``no``/``off``)
#: for runs that do not say; unset: on, except in IPython.
ENV_CAPTURE = "JUPYTER_MLOPS_CAPTURE_OUTPUT"
#: How much of the output is kept: the last 10 MB (earlier bytes are dropped, and the
#: file says how many).
MAX_BYTES = 10 * 1024 * 1024
#: How often a changed buffer is uploaded while the run runs (seconds; at least
#: ``MIN_INTERVAL_S``), unless ``JUPYTER_MLOPS_CAPTURE_OUTPUT_INTERVAL`` says otherwise.
UPLOAD_INTERVAL_S = 5.0
MIN_INTERVAL_S = 0.5
ENV_INTERVAL = "JUPYTER_MLOPS_CAPTURE_OUTPUT_INTERVAL"
#: How long ending a run waits for an upload under way before it writes the last one.
_STOP_WAIT_S = 10.0
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def enabled_by_default() -> bool:
    """Whether a run that does not say captures its process's output:
    ``JUPYTER_MLOPS_CAPTURE_OUTPUT`` when set, else on outside IPython."""
    raw = os.environ.get(ENV_CAPTURE, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    if raw:
        log.warning("jupyter-mlops: %s=%r is neither true nor false; ignored", ENV_CAPTURE, raw)
    return not _in_ipython()


def default_interval() -> float:
    """``JUPYTER_MLOPS_CAPTURE_OUTPUT_INTERVAL``, else ``UPLOAD_INTERVAL_S``."""
    raw = os.environ.get(ENV_INTERVAL)
    try:
        value = float(raw) if raw else UPLOAD_INTERVAL_S
    except ValueError:
        log.warning("jupyter-mlops: %s=%r is not a number; ignored", ENV_INTERVAL, raw)
        return UPLOAD_INTERVAL_S
    return max(MIN_INTERVAL_S, value)


def _in_ipython() -> bool:
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    return get_ipython() is not None


class ConsoleTail:
    """The last ``max_bytes`` of text written (UTF-8), cut at a line start where it can be,
    and how many bytes before them were dropped.

    Writing never waits for a lock: a write can come from a signal handler that interrupted
    another write on the same thread, or while the thread that ends the run reads the text
    (each step is one atomic operation under the GIL; a trim is skipped while another runs).
    """

    def __init__(self, max_bytes: int = MAX_BYTES, seed: str = "") -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        self.max_bytes = max_bytes
        # Trimmed a slice at a time, not at every write past the cap.
        self._trim_above = max_bytes + max(max_bytes // 8, 1)
        self._data = bytearray()
        self._dropped = 0
        self._versions = itertools.count(1)
        self._version = 0
        self._trimming = threading.Lock()
        if seed:
            self.append(seed)

    @property
    def version(self) -> int:
        """Changed by every write that added something."""
        return self._version

    def append(self, text: str) -> None:
        if not text:
            return
        self._data += text.encode("utf-8", "replace")
        self._version = next(self._versions)  # after the bytes: a reader never misses them
        if len(self._data) > self._trim_above and self._trimming.acquire(blocking=False):
            try:
                self._trim()
            finally:
                self._trimming.release()

    def _trim(self) -> None:
        cut = len(self._data) - self.max_bytes
        newline = self._data.find(b"\n", cut, cut + 64 * 1024)
        if newline >= 0 and newline + 1 < len(self._data):
            cut = newline + 1
        else:  # a very long line: at least never in the middle of a character
            while cut < len(self._data) and 0x80 <= self._data[cut] < 0xC0:
                cut += 1
        del self._data[:cut]
        self._dropped += cut

    def snapshot(self) -> tuple[str, int]:
        """The text kept (after a line saying how much was dropped, if any), and its
        version."""
        version = self._version  # before the bytes: a later write changes it again
        data, dropped = bytes(self._data), self._dropped
        text = data.decode("utf-8", "replace")
        if dropped:
            text = (
                f"[jupyter-mlops: {dropped} earlier bytes of output are not kept; "
                f"this log holds the last {self.max_bytes} bytes]\n" + text
            )
        return text, version


class _Tee:
    """A text stream that writes through to ``stream`` and copies what it wrote into
    ``sink`` until detached. Everything else (``fileno``, ``isatty``, ``encoding``,
    ``buffer``, ``flush``...) is the wrapped stream's."""

    def __init__(self, stream: TextIO, sink: ConsoleTail) -> None:
        self._stream = stream
        self._sink: ConsoleTail | None = sink

    def write(self, text: str) -> int:
        written = self._stream.write(text)
        sink = self._sink
        if sink is not None:
            sink.append(text)
        return written

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def __repr__(self) -> str:
        return f"<jupyter-mlops console tee of {self._stream!r}>"


class ConsoleCapture:
    """Tee this process's ``sys.stdout`` and ``sys.stderr`` into a ``ConsoleTail`` and hand
    its text to ``upload`` every ``interval`` seconds (when it changed) from a daemon
    thread, and at ``stop``. Upload errors are logged, never raised."""

    def __init__(
        self,
        upload: Callable[[str], None],
        *,
        max_bytes: int = MAX_BYTES,
        interval: float | None = None,
        seed: str = "",
    ) -> None:
        self.tail = ConsoleTail(max_bytes, seed)
        self._upload = upload
        self._interval = default_interval() if interval is None else interval
        self._uploaded = self.tail.version
        self._upload_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._tees: dict[str, _Tee] = {}
        self._handlers: list[tuple[logging.StreamHandler[Any], TextIO]] = []
        self._warned = False

    def start(self) -> None:
        """Put the tees on (once) and start the upload thread."""
        if self._thread is not None:
            return
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if stream is None:  # pythonw, or closed by the program
                continue
            tee = _Tee(stream, self.tail)
            self._tees[name] = tee
            setattr(sys, name, tee)
            for handler in _console_handlers(stream):
                handler.setStream(tee)
                self._handlers.append((handler, stream))
        self._thread = threading.Thread(
            target=self._run, name="jupyter-mlops-console-upload", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Take the tees off (where nobody put another stream on top since) and upload
        what changed since the last upload. Never raises; a second call does nothing."""
        if self._thread is None or self._stopping.is_set():
            return
        self._stopping.set()
        for handler, stream in self._handlers:
            if handler.stream is self._tees.get("stdout") or handler.stream is self._tees.get(
                "stderr"
            ):
                handler.setStream(stream)
        for name, tee in self._tees.items():
            tee._sink = None  # whatever stays in a chain only passes writes on
            if getattr(sys, name) is tee:
                setattr(sys, name, _unwrap(tee._stream))
        if self._thread is not threading.current_thread():
            self._thread.join(_STOP_WAIT_S)
        self._upload_if_changed(wait=_STOP_WAIT_S)

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            self._upload_if_changed(wait=0)

    def _upload_if_changed(self, wait: float) -> None:
        if not self._upload_lock.acquire(timeout=wait if wait > 0 else -1):
            log.warning("jupyter-mlops: the last console upload did not finish; not waiting")
            return
        try:
            text, version = self.tail.snapshot()
            if version == self._uploaded:
                return
            self._upload(text)
            self._uploaded = version
        except Exception as err:  # the console log is a help, never a reason to fail a run
            if not self._warned:
                self._warned = True
                log.warning("jupyter-mlops: could not store the console output: %s", err)
        finally:
            self._upload_lock.release()


def _unwrap(stream: TextIO) -> TextIO:
    """``stream`` without the detached tees of captures that ended out of order."""
    while isinstance(stream, _Tee) and stream._sink is None:
        stream = stream._stream
    return stream


def _console_handlers(stream: TextIO) -> Iterator[logging.StreamHandler[Any]]:
    """The logging handlers (of any logger) that write to ``stream``."""
    loggers: list[Any] = [logging.getLogger()]
    loggers += list(logging.Logger.manager.loggerDict.values())
    seen: set[int] = set()
    for logger in loggers:
        for handler in getattr(logger, "handlers", ()):
            if (
                isinstance(handler, logging.StreamHandler)
                and not isinstance(handler, logging.FileHandler)
                and handler.stream is stream
                and id(handler) not in seen
            ):
                seen.add(id(handler))
                yield handler


def start_console_capture(
    client: MlopsClient, run_id: str, *, resumed: bool = False
) -> ConsoleCapture | None:
    """Capture this process's console into ``run_id``'s ``logs/console.txt`` from now until
    ``stop()``. A resumed run's log goes on after what it holds already. ``None`` (and a
    warning) when capture cannot start: the run goes on without it."""
    try:
        seed = _stored_console(client, run_id) if resumed else ""

        def upload(text: str) -> None:
            client.log_text(run_id, text, CONSOLE_ARTIFACT)

        capture = ConsoleCapture(upload, seed=seed)
        capture.start()
        return capture
    except Exception as err:
        log.warning("jupyter-mlops: not capturing the console of run %s: %s", run_id, err)
        return None


def _stored_console(client: MlopsClient, run_id: str) -> str:
    folder = CONSOLE_ARTIFACT.rsplit("/", 1)[0]
    if not any(f.path == CONSOLE_ARTIFACT for f in client.list_artifacts(run_id, folder)):
        return ""
    with tempfile.TemporaryDirectory(prefix="mlops-console-") as tmp:
        local = client.download_artifacts(run_id, CONSOLE_ARTIFACT, tmp)
        return Path(local).read_text("utf-8", "replace")
