"""Argument parsing of ``%track`` and ``%%track``: pure functions, no IPython state.

Every error is a ``TrackUsageError`` whose message is one line: what is wrong and the
usage of the sub-command, which the magic shows as IPython's ``UsageError`` (no traceback).
"""

from __future__ import annotations

import argparse
import ast
import shlex
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ..tracking.entities import RunStatus

#: One usage line per sub-command, shown with errors and in ``%track?``.
USAGE: dict[str, str] = {
    "start": "%track start [--experiment NAME] [--name RUN] [--tag K=V ...] [--nested]"
    " [--system-metrics]",
    "end": "%track end [--status FINISHED|FAILED|KILLED]",
    "status": "%track status",
    "param": "%track param KEY=VALUE [KEY=VALUE ...]",
    "metric": "%track metric KEY VALUE [--step N]",
    "tag": "%track tag KEY=VALUE [KEY=VALUE ...]",
    "artifact": "%track artifact PATH [--path ARTIFACT_DIR]",
    "runs": "%track runs [FILTER] [--experiment NAME] [--max N]",
    "compare": "%track compare RUN_ID RUN_ID [RUN_ID ...]",
}
CELL_USAGE = (
    "%%track [--experiment NAME] [--name RUN] [--tag K=V ...] [--log VAR ...]"
    " [--params VAR ...] [--system-metrics]"
)
COMMANDS = tuple(USAGE)
LINE_USAGE = "%track {" + ",".join(COMMANDS) + "} ...  (see %track?)"


class TrackUsageError(Exception):
    """Bad arguments to a ``%track`` magic; the message is one line with the usage."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing and exiting."""

    def __init__(self, usage: str) -> None:
        super().__init__(prog="%track", usage=usage, add_help=False, allow_abbrev=False)
        self._usage_line = usage

    def error(self, message: str) -> NoReturn:
        raise TrackUsageError(f"{message}. Usage: {self._usage_line}")


# -- parsed forms ----------------------------------------------------------------------
@dataclass(frozen=True)
class Start:
    experiment: str | None = None
    name: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    nested: bool = False
    system_metrics: bool = False


@dataclass(frozen=True)
class End:
    status: RunStatus = RunStatus.FINISHED


@dataclass(frozen=True)
class Status:
    pass


@dataclass(frozen=True)
class Params:
    values: dict[str, Any]


@dataclass(frozen=True)
class MetricPoint:
    key: str
    value: float
    step: int | None = None


@dataclass(frozen=True)
class Tags:
    values: dict[str, str]


@dataclass(frozen=True)
class Artifact:
    path: str
    artifact_path: str | None = None


@dataclass(frozen=True)
class Runs:
    filter_string: str | None = None
    experiment: str | None = None
    max_results: int = 100


@dataclass(frozen=True)
class Compare:
    run_ids: list[str]


@dataclass(frozen=True)
class CellOptions:
    experiment: str | None = None
    name: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    system_metrics: bool = False


LineCommand = Start | End | Status | Params | MetricPoint | Tags | Artifact | Runs | Compare


# -- helpers -----------------------------------------------------------------------------
def _split(line: str, usage: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as err:  # an unclosed quote
        raise TrackUsageError(f"{err}. Usage: {usage}") from None


def parse_literal(text: str) -> Any:
    """A Python literal (``0.01``, ``3``, ``'adam'``, ``[1, 2]``, ``True``), else the text."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def parse_assignments(tokens: list[str], usage: str, *, literals: bool) -> dict[str, Any]:
    """``KEY=VALUE`` tokens; values parsed as Python literals when ``literals``."""
    if not tokens:
        raise TrackUsageError(f"expected KEY=VALUE. Usage: {usage}")
    values: dict[str, Any] = {}
    for token in tokens:
        key, sep, raw = token.partition("=")
        key = key.strip()
        if not sep or not key:
            raise TrackUsageError(f"expected KEY=VALUE, got {token!r}. Usage: {usage}")
        values[key] = parse_literal(raw) if literals else raw
    return values


def split_assignments(text: str, usage: str) -> list[str]:
    """Split on whitespace outside quotes and brackets, keeping the quotes."""
    tokens: list[str] = []
    current: list[str] = []
    quote: str | None = None
    depth = 0
    escaped = False
    for char in text:
        if quote is not None:
            current.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
            continue
        if char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif char.isspace() and depth == 0:
            if current:
                tokens.append("".join(current))
                current = []
            continue
        current.append(char)
    if quote is not None:
        raise TrackUsageError(f"No closing quotation. Usage: {usage}")
    if current:
        tokens.append("".join(current))
    return tokens


def _identifier(name: str, usage: str) -> str:
    if not name.isidentifier():
        raise TrackUsageError(f"{name!r} is not a variable name. Usage: {usage}")
    return name


# -- line magic --------------------------------------------------------------------------
def parse_line(line: str) -> LineCommand:
    """Parse the arguments of ``%track``."""
    stripped = line.strip()
    if not stripped:
        raise TrackUsageError(f"missing sub-command. Usage: {LINE_USAGE}")
    command, _, rest = stripped.partition(" ")
    usage = USAGE.get(command)
    if usage is None:
        raise TrackUsageError(f"unknown sub-command {command!r}. Usage: {LINE_USAGE}")
    if command in ("param", "tag"):
        # Split keeping quotes, so that optimizer='adam' stays a quoted literal and
        # name='two words' or sizes=[1, 2] one token.
        tokens = split_assignments(rest, usage)
        if command == "param":
            return Params(parse_assignments(tokens, usage, literals=True))
        raw = parse_assignments(tokens, usage, literals=False)
        return Tags({k: _unquote(v) for k, v in raw.items()})
    args = _split(rest, usage)
    parser = _Parser(usage)
    if command == "start":
        parser.add_argument("--experiment", "-e")
        parser.add_argument("--name", "-n")
        parser.add_argument("--tag", "-t", action="append", default=[])
        parser.add_argument("--nested", action="store_true")
        parser.add_argument("--system-metrics", action="store_true")
        ns = parser.parse_args(args)
        tags = parse_assignments(ns.tag, usage, literals=False) if ns.tag else {}
        return Start(ns.experiment, ns.name, tags, ns.nested, ns.system_metrics)
    if command == "end":
        parser.add_argument("--status", "-s", default="FINISHED", type=str.upper)
        ns = parser.parse_args(args)
        allowed = (RunStatus.FINISHED, RunStatus.FAILED, RunStatus.KILLED)
        if ns.status not in {s.value for s in allowed}:
            parser.error(f"--status must be FINISHED, FAILED or KILLED, not {ns.status!r}")
        return End(RunStatus(ns.status))
    if command == "status":
        parser.parse_args(args)
        return Status()
    if command == "metric":
        parser.add_argument("key")
        parser.add_argument("value")
        parser.add_argument("--step", type=_integer)
        ns = parser.parse_args(args)
        try:
            value = float(ns.value)
        except ValueError:
            parser.error(f"VALUE must be a number, got {ns.value!r}")
        return MetricPoint(ns.key, value, ns.step)
    if command == "artifact":
        parser.add_argument("local_path")
        parser.add_argument("--path", "-p", dest="artifact_path")
        ns = parser.parse_args(args)
        return Artifact(ns.local_path, ns.artifact_path)
    if command == "runs":
        parser.add_argument("filter", nargs="*")
        parser.add_argument("--experiment", "-e")
        parser.add_argument("--max", type=_integer, default=100)
        ns = parser.parse_args(args)
        if ns.max < 1:
            parser.error("--max must be at least 1")
        return Runs(" ".join(ns.filter) or None, ns.experiment, ns.max)
    # compare
    parser.add_argument("run_ids", nargs="+")
    ns = parser.parse_args(args)
    if len(ns.run_ids) < 2:
        parser.error("give at least two run ids")
    return Compare(list(dict.fromkeys(ns.run_ids)))


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


# -- cell magic --------------------------------------------------------------------------
def parse_cell_line(line: str) -> CellOptions:
    """Parse the arguments of ``%%track``."""
    parser = _Parser(CELL_USAGE)
    parser.add_argument("--experiment", "-e")
    parser.add_argument("--name", "-n")
    parser.add_argument("--tag", "-t", action="append", default=[])
    parser.add_argument("--log", "-l", nargs="+", action="extend", default=[])
    parser.add_argument("--params", "-p", nargs="+", action="extend", default=[])
    parser.add_argument("--system-metrics", action="store_true")
    ns = parser.parse_args(_split(line, CELL_USAGE))
    tags = parse_assignments(ns.tag, CELL_USAGE, literals=False) if ns.tag else {}
    return CellOptions(
        experiment=ns.experiment,
        name=ns.name,
        tags=tags,
        log=[_identifier(v, CELL_USAGE) for v in ns.log],
        params=[_identifier(v, CELL_USAGE) for v in ns.params],
        system_metrics=ns.system_metrics,
    )


HELP = f"""Track runs from notebook cells (jupyter-mlops).

Line magic, one sub-command:

  {USAGE["start"]}
      Start a run and make it the active run (--nested: a child of the active run).
  {USAGE["end"]}
      End the active run.
  {USAGE["status"]}
      Show the active run.
  {USAGE["param"]}
      Log params; values are Python literals: %track param lr=0.01 layers=3 optimizer='adam'
  {USAGE["metric"]}
      Log one metric point: %track metric loss 0.31 --step 10
  {USAGE["tag"]}
      Set tags on the active run.
  {USAGE["artifact"]}
      Upload a file or a folder to the active run.
  {USAGE["runs"]}
      A table of runs (sortable, filterable) to pick runs to compare, e.g.
      %track runs metrics.accuracy > 0.9 --experiment iris
  {USAGE["compare"]}
      Params side by side, metric charts overlaid, parallel coordinates.

Cell magic:

  {CELL_USAGE}
      Run the cell inside a run (a new one, or a child of the active run). Logs the cell's
      source (artifact cell/source.py), its stdout (cell/stdout.txt), its wall time (metric
      cell/wall_time_seconds) and the final values of the --log variables (numbers as
      metrics, the rest as params) and --params variables (params; a dict gives one param
      per key). An exception ends the run FAILED, stores the traceback
      (cell/traceback.txt) and is raised unchanged.

Runs started from a notebook are tagged with the notebook path, kernel, Python and
library versions, git commit, branch and dirty flag, and the host.
"""
