"""Replaying the spools of dead processes: their points are stored, each exactly once.

A spool (client/spool.py) outlives its process when points were still queued at its death.
Whoever opens the same tracking URI next, or ``jupyter mlops sync``, finds it: a spool whose
``flock`` can be taken belongs to a dead process (the kernel drops a dead process's locks),
and holding that lock keeps two replays apart. Its points after the last ack are sent in
their numbers' order with ``log_spooled_metrics``; the store skips what it already has
(``metric_write_marks``), so a replay that is itself killed is simply run again. The file
is deleted once everything in it is stored.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidParameter, InvalidState, NotFound, PermissionDenied
from ..tracking.entities import Metric
from .spool import FORMAT, HEADER_PREFIX, SUFFIX, spool_dir
from .transport import TrackingTransport

log = logging.getLogger(__name__)

#: Points per request, as the batcher sends them.
BATCH = 1000


@dataclass
class SpooledRun:
    run_id: str
    acked: int = -1
    points: list[tuple[int, Metric]] = field(default_factory=list)


@dataclass
class Spool:
    """A spool file as read back: its header and each run's points not yet acknowledged."""

    path: Path
    uri: str
    writer_id: str
    runs: dict[int, SpooledRun]

    def pending(self) -> Iterator[tuple[SpooledRun, list[tuple[int, Metric]]]]:
        for run in self.runs.values():
            rest = [(seq, m) for seq, m in run.points if seq > run.acked]
            if rest:
                yield run, rest


@dataclass
class ReplayReport:
    """What one replay did: spools finished (deleted), points sent, runs skipped and why."""

    spools: int = 0
    points: int = 0
    skipped: list[str] = field(default_factory=list)


def read_header(path: Path) -> dict[str, object] | None:
    """A spool's header, or None if ``path`` is not a spool of a format we read."""
    try:
        with path.open("rb") as file:
            line = file.readline(4096).decode("utf-8", "replace")
    except OSError:
        return None
    if not line.startswith(HEADER_PREFIX) or not line.endswith("\n"):
        return None
    version, _, rest = line[len(HEADER_PREFIX) :].partition(" ")
    if version != str(FORMAT):
        return None
    try:
        header = json.loads(rest)
    except ValueError:
        return None
    return header if isinstance(header, dict) else None


def parse(path: Path, data: bytes) -> Spool:
    """Read a spool's lines. A last line without its newline (the process died inside
    the write) is ignored: its call had not returned, so nothing was acknowledged."""
    lines = data.split(b"\n")[:-1]  # the part after the last newline is incomplete
    header = json.loads(lines[0].decode()[len(HEADER_PREFIX) :].partition(" ")[2])
    runs: dict[int, SpooledRun] = {}
    keys: dict[int, str] = {}
    for raw in lines[1:]:
        kind, body = raw[:1], raw[1:]
        if kind == b"P":
            run_no, key_no, seq, value, timestamp, step = body.split(b"\t")
            runs[int(run_no)].points.append(
                (int(seq), Metric(keys[int(key_no)], _float(value), int(timestamp), int(step)))
            )
        elif kind == b"A":
            run_no, seq = body.split(b"\t")
            run = runs[int(run_no)]
            run.acked = max(run.acked, int(seq))
        elif kind == b"R":
            run_no, run_id = body.split(b"\t")
            runs.setdefault(int(run_no), SpooledRun(run_id.decode()))
        elif kind == b"K":
            key_no, key = body.split(b"\t", 1)
            keys[int(key_no)] = json.loads(key)
    return Spool(path, str(header["uri"]), str(header["writer"]), runs)


def _float(text: bytes) -> float:
    # repr() of a float reads back exactly; NaN and infinities as float() spells them.
    value = float(text)
    return math.nan if math.isnan(value) else value


@contextlib.contextmanager
def _claimed(path: Path) -> Iterator[int | None]:
    """The spool's fd with its lock held, or None if a live process (or another replay)
    holds it."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        yield None
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        yield fd
    finally:
        os.close(fd)


def orphaned_spools(uri: str | None, directory: Path | None = None) -> list[Path]:
    """Spool files (of ``uri``, or of any URI when None) whose process is gone."""
    folder = spool_dir() if directory is None else directory
    try:
        candidates = sorted(folder.glob(f"*{SUFFIX}"))
    except OSError:
        return []
    found = []
    for path in candidates:
        header = read_header(path)
        if header is None or (uri is not None and header.get("uri") != uri):
            continue
        with _claimed(path) as fd:
            if fd is not None:
                found.append(path)
    return found


def replay_spool(path: Path, transport: TrackingTransport, report: ReplayReport) -> bool:
    """Store what ``path`` holds that is not stored yet, then delete it. False if a live
    process or another replay holds it. Transport errors propagate (the file stays)."""
    with _claimed(path) as fd:
        if fd is None:
            return False
        with open(fd, "rb", closefd=False) as file:
            spool = parse(path, file.read())
        for run, points in spool.pending():
            try:
                report.points += _send(transport, spool.writer_id, run.run_id, points, report)
            except (NotFound, InvalidState, PermissionDenied) as err:
                # Deleted or unknown run, or not ours: nothing to store it in, ever.
                report.skipped.append(f"run {run.run_id}: {err}")
        path.unlink(missing_ok=True)
        report.spools += 1
        return True


def _send(
    transport: TrackingTransport,
    writer_id: str,
    run_id: str,
    points: list[tuple[int, Metric]],
    report: ReplayReport,
) -> int:
    points.sort(key=lambda item: item[0])
    sent = 0
    start = 0
    while start < len(points):
        # A batch is a run of consecutive numbers (there are no gaps in practice).
        end = start + 1
        while (
            end < len(points) and end - start < BATCH and points[end][0] == points[end - 1][0] + 1
        ):
            end += 1
        sent += _send_chunk(transport, writer_id, run_id, points[start:end], report)
        start = end
    return sent


def _send_chunk(
    transport: TrackingTransport,
    writer_id: str,
    run_id: str,
    chunk: list[tuple[int, Metric]],
    report: ReplayReport,
) -> int:
    """Send consecutive points; if the server refuses the batch (a bad key, say: the writer
    was told, and dropped it), halve it until the refused points are found and skipped, so
    one bad point does not cost its batch's good ones."""
    try:
        transport.log_spooled_metrics(run_id, writer_id, chunk[0][0], [m for _, m in chunk])
        return len(chunk)
    except InvalidParameter as err:
        if len(chunk) == 1:
            report.skipped.append(f"run {run_id}, point {chunk[0][0]}: {err}")
            return 0
    half = len(chunk) // 2
    return _send_chunk(transport, writer_id, run_id, chunk[:half], report) + _send_chunk(
        transport, writer_id, run_id, chunk[half:], report
    )


def replay_orphans(
    uri: str | None, transport: TrackingTransport, directory: Path | None = None
) -> ReplayReport:
    """Replay every orphaned spool of ``uri`` through ``transport``."""
    report = ReplayReport()
    for path in orphaned_spools(uri, directory):
        replay_spool(path, transport, report)
    return report
