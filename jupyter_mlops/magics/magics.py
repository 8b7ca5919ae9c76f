"""``%track`` and ``%%track``: tracking from notebook cells through the fluent API."""

from __future__ import annotations

import ast
import io
import sys
import time
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import Any, TextIO, cast

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from traitlets import Bool, Integer

from ..errors import MLOpsError
from ..tracking.entities import RunStatus
from . import parsers

#: Artifacts and metric of a ``%%track`` cell.
SOURCE_ARTIFACT = "cell/source.py"
STDOUT_ARTIFACT = "cell/stdout.txt"
TRACEBACK_ARTIFACT = "cell/traceback.txt"
WALL_TIME_METRIC = "cell/wall_time_seconds"
ERROR_TAG = "mlops.cell.error"


class _Tee(io.TextIOBase):
    """Writes go to the cell's real stdout and into a bounded buffer."""

    def __init__(self, target: TextIO, limit: int) -> None:
        self._target = target
        self._limit = limit
        self._parts: list[str] = []
        self._size = 0
        self.truncated = False

    def write(self, text: str) -> int:
        self._target.write(text)
        if self._size < self._limit:
            kept = text[: self._limit - self._size]
            self._parts.append(kept)
            self._size += len(kept)
            self.truncated = self.truncated or len(kept) < len(text)
        elif text:
            self.truncated = True
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return False

    def getvalue(self) -> str:
        return "".join(self._parts)

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, ... of the real stream
        return getattr(self._target, name)


@dataclass(frozen=True)
class RunSummary:
    """What ``%track status`` shows (HTML in JupyterLab, text elsewhere)."""

    run_id: str | None
    name: str | None = None
    experiment_id: str | None = None
    status: str | None = None
    tracking_uri: str | None = None

    def __repr__(self) -> str:
        if self.run_id is None:
            return "No active run (start one with %track start or %%track)."
        return (
            f"Active run {self.name!r} ({self.run_id}), experiment {self.experiment_id}, "
            f"{self.status}, logging to {self.tracking_uri}"
        )

    def _repr_html_(self) -> str:
        from html import escape

        if self.run_id is None:
            return f"<div class='mlops-RunSummary'>{escape(repr(self))}</div>"
        rows = [
            ("Run", f"{self.name} ({self.run_id})"),
            ("Experiment", self.experiment_id or ""),
            ("Status", self.status or ""),
            ("Tracking URI", self.tracking_uri or ""),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table class='mlops-RunSummary'>{body}</table>"


@magics_class
class TrackMagics(Magics):
    """The ``%track`` line magic and ``%%track`` cell magic."""

    log_cell_source = Bool(
        True, help="Store the source of a %%track cell as the artifact cell/source.py."
    ).tag(config=True)
    log_stdout = Bool(
        True, help="Store what a %%track cell prints as the artifact cell/stdout.txt."
    ).tag(config=True)
    max_stdout_chars = Integer(
        1_000_000, help="Characters of a %%track cell's stdout kept for the artifact."
    ).tag(config=True)

    @line_cell_magic
    def track(self, line: str, cell: str | None = None) -> Any:
        __tracebackhide__ = True
        # The docstring shown by %track? is parsers.HELP (assigned below the class).
        if cell is None:
            try:
                command = parsers.parse_line(line)
            except parsers.TrackUsageError as err:
                raise UsageError(str(err)) from None
            try:
                return self._run_line(command)
            except MLOpsError as err:
                # A refused input or a missing run: one line, not a trace of our code.
                raise UsageError(f"{type(err).__name__}: {err}") from None
        try:
            options = parsers.parse_cell_line(line)
        except parsers.TrackUsageError as err:
            raise UsageError(str(err)) from None
        return self._run_cell(options, cell)

    # -- line magic ----------------------------------------------------------------------
    def _run_line(self, command: parsers.LineCommand) -> Any:
        from ..client import fluent

        if isinstance(command, parsers.Start):
            active = fluent.start_run(
                experiment=command.experiment,
                run_name=command.name,
                nested=command.nested,
                tags=command.tags or None,
                system_metrics=command.system_metrics or None,
            )
            return self._summary(active)
        if isinstance(command, parsers.End):
            if fluent.active_run() is None:
                raise UsageError("No active run to end.")
            fluent.end_run(command.status)
            return None
        if isinstance(command, parsers.Status):
            return self._summary(fluent.active_run())
        if isinstance(command, parsers.Params):
            fluent.log_params(command.values)
            return None
        if isinstance(command, parsers.MetricPoint):
            fluent.log_metric(command.key, command.value, step=command.step)
            return None
        if isinstance(command, parsers.Tags):
            fluent.set_tags(command.values)
            return None
        if isinstance(command, parsers.Artifact):
            path = Path(command.path).expanduser()
            if path.is_dir():
                fluent.log_artifacts(path, command.artifact_path)
            elif path.is_file():
                fluent.log_artifact(path, command.artifact_path)
            else:
                raise UsageError(f"No file or folder {command.path!r}.")
            return None
        if isinstance(command, parsers.Runs):
            from ..widgets import RunsTable

            return RunsTable(
                filter=command.filter_string or "",
                experiment=command.experiment,
                max_results=command.max_results,
            )
        assert isinstance(command, parsers.Compare)
        from ..widgets import CompareRuns

        return CompareRuns(command.run_ids)

    @staticmethod
    def _summary(active: Any) -> RunSummary:
        from ..client import fluent

        if active is None:
            return RunSummary(None)
        info = active.info
        return RunSummary(
            info.run_id,
            info.run_name,
            info.experiment_id,
            info.status.value,
            active.client.tracking_uri if active.client is not None else fluent.get_tracking_uri(),
        )

    # -- cell magic ----------------------------------------------------------------------
    def _run_cell(self, options: parsers.CellOptions, cell: str) -> Any:
        from ..client import fluent, run_link

        __tracebackhide__ = True
        try:
            with run_link.links_off():  # one link, above the cell's own output
                active = fluent.start_run(
                    experiment=options.experiment,
                    run_name=options.name,
                    nested=fluent.active_run() is not None,
                    tags=options.tags or None,
                    system_metrics=options.system_metrics or None,
                )
        except MLOpsError as err:  # e.g. a refused experiment name: the cell does not run
            raise UsageError(f"{type(err).__name__}: {err}") from None
        run_link.display_run_link(active.info)
        run_id = active.run_id
        client = active.client
        if self.log_cell_source:
            try:
                client.log_text(run_id, cell, SOURCE_ARTIFACT)
            except Exception as err:  # the cell still runs, inside its run
                print(f"jupyter-mlops: cell source not stored: {err}", file=sys.stderr)
        tee = _Tee(sys.stdout, self.max_stdout_chars)
        started = time.perf_counter()
        try:
            with self._stdout_into(tee):
                result = self._execute(cell)
        except BaseException as err:
            elapsed = time.perf_counter() - started
            status = RunStatus.KILLED if isinstance(err, KeyboardInterrupt) else RunStatus.FAILED
            # Recording the failure must never hide the user's exception.
            try:
                text = "".join(traceback.format_exception(err))
                client.log_text(run_id, text, TRACEBACK_ARTIFACT)
                line = traceback.format_exception_only(err)[-1].strip()
                client.set_tag(run_id, ERROR_TAG, line[:5000])
                self._log_outcome(active, options, tee, elapsed)
            except Exception as record_err:
                print(f"jupyter-mlops: could not record the failure: {record_err}", file=sys.stderr)
            try:
                fluent._end(active, status)
            except Exception as end_err:
                print(f"jupyter-mlops: could not end run {run_id}: {end_err}", file=sys.stderr)
            raise
        elapsed = time.perf_counter() - started
        try:
            self._log_outcome(active, options, tee, elapsed)
        except MLOpsError as err:  # e.g. a --params value that differs from a logged one
            print(f"jupyter-mlops: {type(err).__name__}: {err}", file=sys.stderr)
        finally:
            fluent._end(active, RunStatus.FINISHED)
        return result

    @contextmanager
    def _stdout_into(self, tee: _Tee) -> Iterator[None]:
        if not self.log_stdout:
            yield
            return
        with redirect_stdout(tee):
            yield

    def _execute(self, cell: str) -> Any:
        """Run the cell in the user namespace, IPython syntax included; the value of a
        last bare expression is returned (and so shown as the cell's output)."""
        __tracebackhide__ = True
        shell = self.shell
        assert shell is not None
        source = shell.transform_cell(cell)
        # Registered with linecache, so tracebacks show the cell's lines.
        filename = shell.compile.cache(source, shell.execution_count, raw_code=cell)
        tree = cast(ast.Module, shell.compile.ast_parse(source, filename=filename))
        # IPython's compiler: it keeps the __future__ flags of earlier cells.
        compiler = cast(Any, shell.compile)
        last: ast.expr | None = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            statement = tree.body.pop()
            assert isinstance(statement, ast.Expr)
            last = statement.value
        namespace = shell.user_ns
        if tree.body:
            exec(compiler(tree, filename, "exec"), namespace)
        if last is None:
            return None
        expression = ast.Expression(last)
        ast.fix_missing_locations(expression)
        return eval(compiler(expression, filename, "eval"), namespace)

    def _log_outcome(
        self, active: Any, options: parsers.CellOptions, tee: _Tee, elapsed: float
    ) -> None:
        client, run_id = active.client, active.run_id
        namespace: Mapping[str, Any] = self.shell.user_ns if self.shell is not None else {}
        metrics: dict[str, float] = {WALL_TIME_METRIC: elapsed}
        params: dict[str, Any] = {}
        missing: list[str] = []
        for name in options.log:
            if name not in namespace:
                missing.append(name)
                continue
            value = namespace[name]
            number = _as_number(value)
            if number is not None:
                metrics[name] = number
            else:
                params[name] = value
        for name in options.params:
            if name not in namespace:
                missing.append(name)
                continue
            value = namespace[name]
            if isinstance(value, Mapping):
                params.update({str(k): v for k, v in value.items()})
            else:
                params[name] = value
        if missing:
            print(f"jupyter-mlops: not logged, not defined: {', '.join(missing)}", file=sys.stderr)
        from ..client.client import make_metric

        stamp = int(time.time() * 1000)
        points = [make_metric(k, v, 0, stamp) for k, v in metrics.items()]
        client.log_batch(run_id, metrics=points, params=params or None)
        if self.log_stdout:
            text = tee.getvalue()
            if tee.truncated:
                text += f"\n[jupyter-mlops: stdout cut at {self.max_stdout_chars} characters]\n"
            if text:
                client.log_text(run_id, text, STDOUT_ARTIFACT)


def _as_number(value: Any) -> float | None:
    """Numbers (and numpy scalars, 0-d arrays) as floats; bools and the rest: None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Real):
        return float(value)
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        try:
            inner = item()
        except Exception:
            return None
        return float(inner) if isinstance(inner, Real) and not isinstance(inner, bool) else None
    return None


TrackMagics.track.__doc__ = parsers.HELP
