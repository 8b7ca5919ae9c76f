"""Metric spools: a queued point is on disk before ``log_metric`` returns.

``log_metric`` queues points and a background thread writes them in batches (batcher.py),
so a process killed with SIGKILL used to lose everything still queued. Now each point is
also appended to this process's spool file, with one ``write(2)`` under the run's lock,
before the call returns. The page cache holds it from then on: it survives the death of
the process (not of the machine), at about a microsecond per point.

One spool file per process and tracking URI, ``<spool dir>/<writer id>.spool``, private
(0600 in a 0700 folder), locked with ``flock`` for as long as its process lives: the
kernel drops the lock when the process dies, however it dies, so a lock that can be taken
means a dead writer. Lines, append-only:

``# jupyter-mlops spool 1 {"uri": ..., "writer": ..., "pid": ...}``  header
``R<run>\\t<run id>``                         a run's number in this file
``K<key>\\t<key as JSON>``                    a metric key's number
``P<run>\\t<key>\\t<seq>\\t<value>\\t<timestamp>\\t<step>``  a point; ``seq`` 0, 1, ... per run
``A<run>\\t<seq>``                            points up to ``seq`` are stored

Each point is numbered per run, and the store keeps per (writer, run) the last number it
stored (``metric_write_marks``, in the transaction that stores the points), so a replay
adds every point exactly once however often it is tried (spool_replay.py). A file whose
points are all stored is deleted when its process ends.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import threading
import uuid
from pathlib import Path

log = logging.getLogger(__name__)

SPOOL_DIR_ENV = "JUPYTER_MLOPS_SPOOL_DIR"
#: "0" turns spooling off (points queue in memory only, as before).
SPOOL_ENV = "JUPYTER_MLOPS_SPOOL"
FORMAT = 1
HEADER_PREFIX = "# jupyter-mlops spool "
SUFFIX = ".spool"
# A spool whose points are all stored is emptied (truncated, its tables written again) once
# it grows past this, so a kernel that logs for days does not fill the disk.
COMPACT_BYTES = 64 * 1024 * 1024


class RunSpool:
    """One run's numbering in a spool: producers hold ``lock`` while they take numbers,
    append their lines and queue the points, so the file, the numbers and the queue agree
    on the order."""

    __slots__ = ("lock", "next_seq", "number", "prefixes", "writer")

    def __init__(self, writer: SpoolWriter, number: int) -> None:
        self.writer = writer
        self.number = number
        self.lock = threading.Lock()
        self.next_seq = 0
        self.prefixes: dict[str, bytes] = {}

    def prefix(self, key: str) -> bytes:
        """The start of this run's point lines of ``key`` (under ``lock``)."""
        prefix = self.prefixes.get(key)
        if prefix is None:
            prefix = self.prefixes[key] = self.writer.point_prefix(self.number, key)
        return prefix


def spool_dir() -> Path:
    """``JUPYTER_MLOPS_SPOOL_DIR``, else ``<jupyter data dir>/mlops/spool``."""
    configured = os.environ.get(SPOOL_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "mlops" / "spool"


def spooling_enabled() -> bool:
    return os.environ.get(SPOOL_ENV, "1").strip().lower() not in {"0", "false", "no", "off"}


class SpoolWriter:
    """This process's spool for one tracking URI (see the module docstring)."""

    def __init__(
        self, uri: str, directory: Path | None = None, compact_bytes: int = COMPACT_BYTES
    ) -> None:
        self.uri = uri
        self.compact_bytes = compact_bytes
        self.writer_id = uuid.uuid4().hex
        folder = spool_dir() if directory is None else directory
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = folder / f"{self.writer_id}{SUFFIX}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC
        self.fd = os.open(self.path, flags, 0o600)
        self._pid = os.getpid()
        fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        header = {
            "uri": uri,
            "writer": self.writer_id,
            "pid": self._pid,
            "host": socket.gethostname(),
        }
        os.write(self.fd, f"{HEADER_PREFIX}{FORMAT} {json.dumps(header)}\n".encode())
        self._lock = threading.Lock()
        self._header = f"{HEADER_PREFIX}{FORMAT} {json.dumps(header)}\n".encode()
        self._runs: dict[str, RunSpool] = {}
        self._keys: dict[str, int] = {}
        self._acked: dict[int, int] = {}  # run number -> last seq stored
        self._size_at_check = 0
        self._warned = False
        self.closed = False

    # -- numbering (rare: once per run and per key) ---------------------------------------
    def run(self, run_id: str) -> RunSpool:
        """The run's numbering here (one per run, however often the run is resumed)."""
        with self._lock:
            state = self._runs.get(run_id)
            if state is None:
                state = self._runs[run_id] = RunSpool(self, len(self._runs))
                os.write(self.fd, f"R{state.number}\t{run_id}\n".encode())
            return state

    def point_prefix(self, run_number: int, key: str) -> bytes:
        """The start of a point line of ``key`` in run ``run_number`` (cached by callers)."""
        with self._lock:
            number = self._keys.get(key)
            if number is None:
                number = self._keys[key] = len(self._keys)
                os.write(self.fd, f"K{number}\t{json.dumps(key)}\n".encode())
        return b"P%d\t%d\t" % (run_number, number)

    def write_failed(self, err: OSError) -> None:
        """A point could not be spooled (a full disk, say): it still queues and is written
        as usual, but a kill before then loses it. Said once per spool; a replay skips the
        missing numbers."""
        if not self._warned:
            self._warned = True
            log.warning(
                "jupyter-mlops: metric points can no longer be spooled to %s (%s); a process "
                "killed before they are written loses them",
                self.path,
                err,
            )

    # -- bookkeeping from the writer thread ------------------------------------------------
    def ack(self, run_number: int, last_seq: int) -> None:
        """Points up to ``last_seq`` of the run are stored: a replay may skip them.
        Called by whoever writes batches (one at a time)."""
        if self.closed:
            return
        self._acked[run_number] = max(last_seq, self._acked.get(run_number, -1))
        try:
            os.write(self.fd, b"A%d\t%d\n" % (run_number, last_seq))
            self._compact_if_large()
        except OSError as err:  # only an optimisation: the store's marks decide
            log.debug("jupyter-mlops: could not note an ack in %s: %s", self.path, err)

    def fully_acked(self) -> bool:
        """Every point spooled so far is stored (read under the runs' locks to be exact)."""
        with self._lock:
            runs = list(self._runs.values())
        return all(self._acked.get(run.number, -1) >= run.next_seq - 1 for run in runs)

    def _compact_if_large(self) -> None:
        size = os.fstat(self.fd).st_size
        if size < self.compact_bytes or size < self._size_at_check + self.compact_bytes // 8:
            return
        self._size_at_check = size
        with self._lock:
            runs = list(self._runs.items())
            held = []
            try:
                # Never wait for a producer here (it may be waiting for this writer):
                # if one is busy, try again at a later ack.
                for _, state in runs:
                    if not state.lock.acquire(blocking=False):
                        return
                    held.append(state.lock)
                if not all(self._acked.get(s.number, -1) >= s.next_seq - 1 for _, s in runs):
                    return
                os.ftruncate(self.fd, 0)
                tables = [self._header]
                tables += [f"R{s.number}\t{rid}\n".encode() for rid, s in runs]
                tables += [f"K{n}\t{json.dumps(k)}\n".encode() for k, n in self._keys.items()]
                tables += [b"A%d\t%d\n" % (s.number, s.next_seq - 1) for _, s in runs]
                os.write(self.fd, b"".join(tables))
                self._size_at_check = 0
            finally:
                for lock in held:
                    lock.release()

    def close(self) -> None:
        """Close the file; delete it when every point in it is stored (else it waits for a
        replay). Only the process that opened it does either (not a forked child)."""
        if self.closed or os.getpid() != self._pid:
            return
        self.closed = True
        try:
            if self.fully_acked():
                self.path.unlink(missing_ok=True)
        finally:
            os.close(self.fd)


def open_spool(uri: str) -> SpoolWriter | None:
    """A new spool for ``uri``, or None when spooling is off or impossible here (a
    read-only home, say): then points queue in memory only, as the docs say."""
    if not spooling_enabled():
        return None
    try:
        return SpoolWriter(uri)
    except OSError as err:
        log.warning(
            "jupyter-mlops: no metric spool (%s); queued points are lost if this process "
            "is killed. Set %s to a writable folder.",
            err,
            SPOOL_DIR_ENV,
        )
        return None
