"""The one step runner: ``python -m jupyter_mlops.pipelines.runtime.runner --task-file task.json``.

Every backend runs every step through it (a local subprocess, a Job's pod, an Argo
pod). It

1. reads the task: its executor (Python function, command or notebook), its input
   values and the types of its outputs (``--task-file`` or ``--task-json``);
2. installs missing ``packages`` into a cached ``--target`` folder (never into the
   running environment);
3. makes the step's tracking run active when the step's code uses jupyter_mlops, so
   that ``mlops.log_metric`` in a step logs to the step's child run;
4. runs the step with its stdout and stderr as the step's log;
5. checks the outputs' types and stores them: as files in ``outputsDir`` (the local
   backend points it into the step run's artifact folder) and/or uploaded as artifacts
   ``outputs/<name>.json`` of the step's tracking run (``uploadOutputs``);
6. reports the status: exit code 0 or 1, the error in ``statusFile`` and in the
   Kubernetes termination log.

Start-up cost matters (it is paid once per step): the tracking client is imported only
when a step needs it, and the local backend forks steps from one warm runner
(``--fork-server``, :mod:`.fork_server`) instead of starting Python for each.
"""

from __future__ import annotations
import __future__

import argparse
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

from ..spec import types as t
from .step_api import ENV_OUTPUTS_DIR

TERMINATION_LOG = "/dev/termination-log"
ENV_PACKAGE_CACHE = "MLOPS_PACKAGE_CACHE"
ENV_RUN_ID = "MLOPS_STEP_RUN_ID"


class StepFailed(Exception):
    """The step's own code or command failed; the message says how."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jupyter_mlops.pipelines.runtime.runner")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--task-file", help="JSON file describing the task")
    source.add_argument("--task-json", help="the task description itself")
    source.add_argument(
        "--fork-server",
        action="store_true",
        help="fork a process per task read on stdin (one JSON line each), reporting "
        "pids and exit codes on stdout: the local backend starts one, so that a step does "
        "not pay for starting Python and importing the runner (see fork_server.py)",
    )
    parser.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="an input value (overrides the task's; Argo passes upstream outputs this way)",
    )
    parser.add_argument(
        "--input-text",
        action="append",
        default=[],
        metavar="NAME=TEXT",
        help="an input given as text: JSON when it parses, else the string (a loop item)",
    )
    parser.add_argument(
        "--input-list",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="every loop iteration's value as Argo aggregates them (fan-in): a JSON list "
        "whose string items are the values' JSON text",
    )
    args = parser.parse_args(argv)
    if args.fork_server:
        from .fork_server import serve

        return serve(run_task, warm_up)
    if args.task_file:
        task = json.loads(Path(args.task_file).read_text(encoding="utf-8"))
    else:
        task = json.loads(args.task_json)
    for item in args.input:
        name, _, raw = item.partition("=")
        task.setdefault("inputs", {})[name] = json.loads(raw)
    for item in args.input_text:
        name, _, raw = item.partition("=")
        try:
            task.setdefault("inputs", {})[name] = json.loads(raw)
        except json.JSONDecodeError:
            task.setdefault("inputs", {})[name] = raw
    for item in args.input_list:
        name, _, raw = item.partition("=")
        # Argo parses the items only when every one is an object or a list.
        task.setdefault("inputs", {})[name] = [
            json.loads(value) if isinstance(value, str) else value for value in json.loads(raw)
        ]
    return run_task(task)


def warm_up(task: dict[str, Any]) -> None:
    """In the fork server, before it forks ``task``: import once what its child would
    import, so that every later child has it too. Imports only (no connection, thread
    or event loop, which a fork would not carry over safely): a notebook step's
    nbformat and nbclient (1-2 s: jsonschema's format checkers build a grammar), and the
    tracking client of a step that logs or uploads its outputs (SQLAlchemy and the store,
    ~0.4 s; requests and the REST transport, ~0.1 s)."""
    if "notebook" in task["executor"]:
        import nbclient
        import nbclient.exceptions  # noqa: F401
        import nbformat  # noqa: F401
    tracking = _Tracking(task.get("tracking") or {})
    if tracking.run_id is None and tracking.parent_run_id is None:
        return
    uploads = bool(task.get("uploadOutputs"))
    if (
        tracking.parent_run_id is None
        and not uploads
        and not tracking._needs_client(task["executor"])
    ):
        return
    from ...client import fluent  # noqa: F401
    from ...client.uri import resolve_tracking_uri, scheme_of

    if scheme_of(resolve_tracking_uri()[0]) == "rest":
        from ...client import rest_transport  # noqa: F401
    else:  # what StoreTransport.from_uri imports; no engine (a child opens its own)
        from sqlalchemy.orm import configure_mappers

        from ...client import store_transport  # noqa: F401
        from ...tracking import artifacts  # noqa: F401
        from ...tracking.store import sql_store  # noqa: F401

        configure_mappers()


def run_task(task: dict[str, Any]) -> int:
    status_file = task.get("statusFile")
    tracking = _Tracking(task.get("tracking") or {})
    try:
        outputs_dir = Path(task.get("outputsDir") or tempfile.mkdtemp(prefix="mlops-outputs-"))
        outputs_dir.mkdir(parents=True, exist_ok=True)
        executor = task["executor"]
        _install_packages(executor.get("packages") or [])
        tracking.start(executor)
        inputs = task.get("inputs") or {}
        output_types: dict[str, str] = task.get("outputs") or {}
        if "python" in executor:
            values = _run_python(executor["python"], inputs, output_types, outputs_dir)
        elif "container" in executor:
            values = _run_command(executor["container"], inputs, output_types, outputs_dir)
        else:
            values = _run_notebook(
                executor["notebook"], inputs, output_types, outputs_dir, task, tracking
            )
        checked = _check_outputs(values, output_types)
        for name, value in checked.items():
            (outputs_dir / f"{name}.json").write_text(json.dumps(value), encoding="utf-8")
        if task.get("uploadOutputs"):
            tracking.upload(outputs_dir, "outputs")
        tracking.end(success=True)
    except BaseException as exc:  # report every failure, then exit non-zero
        message = _describe(exc)
        if not isinstance(exc, StepFailed):
            traceback.print_exc()
        print(f"step failed: {message}", file=sys.stderr, flush=True)
        _report(status_file, {"state": "FAILED", "error": message})
        try:
            tracking.end(success=False)
        except Exception:
            traceback.print_exc()
        return 1
    _report(status_file, {"state": "SUCCEEDED"})
    return 0


def _describe(exc: BaseException) -> str:
    if isinstance(exc, StepFailed):
        return str(exc)
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:2000]


def _report(status_file: str | None, status: dict[str, Any]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    if status_file:
        Path(status_file).write_text(json.dumps(status), encoding="utf-8")
    if (
        status.get("error")
        and os.path.exists(os.path.dirname(TERMINATION_LOG) or "/")
        and os.environ.get("KUBERNETES_SERVICE_HOST")
    ):
        with contextlib.suppress(OSError):
            Path(TERMINATION_LOG).write_text(status["error"][:4000], encoding="utf-8")


# -- packages -----------------------------------------------------------------------------
def _install_packages(packages: list[str]) -> None:
    """Make ``packages`` importable: nothing to do when installed versions satisfy them,
    else ``pip install --target`` into a folder cached by the list's hash."""
    if not packages or _all_satisfied(packages):
        return
    cache_root = Path(
        os.environ.get(ENV_PACKAGE_CACHE) or Path(tempfile.gettempdir()) / "mlops-step-packages"
    )
    target = cache_root / hashlib.sha256("\n".join(sorted(packages)).encode()).hexdigest()[:16]
    if not (target / ".complete").exists():
        target.mkdir(parents=True, exist_ok=True)
        print(f"installing {' '.join(packages)}", flush=True)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
                str(target),
                *packages,
            ],
            check=False,
        )
        if result.returncode != 0:
            raise StepFailed(f"pip could not install {', '.join(packages)}")
        (target / ".complete").touch()
    sys.path.insert(0, str(target))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(target), os.environ.get("PYTHONPATH")])
    )


def _all_satisfied(packages: list[str]) -> bool:
    from importlib import metadata

    from packaging.requirements import InvalidRequirement, Requirement

    for text in packages:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            return False  # a URL or path: let pip decide
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            return False
        if requirement.specifier and version not in requirement.specifier:
            return False
    return True


# -- tracking -----------------------------------------------------------------------------
class _Tracking:
    """The step's tracking run: made active for the step's code when it logs."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.run_id: str | None = config.get("runId")
        self.parent_run_id: str | None = config.get("parentRunId")
        self.experiment_id: str | None = config.get("experimentId")
        self.run_name: str | None = config.get("runName")
        self.tags: dict[str, str] = dict(config.get("tags") or {})
        self.mode: str = config.get("activate", "auto")
        self.active: Any = None
        self.client: Any = None

    def _needs_client(self, executor: dict[str, Any]) -> bool:
        if self.mode == "never":
            return False
        if self.mode == "always":
            return True
        code = json.dumps(executor)
        return "jupyter_mlops" in code

    def _ensure_client(self) -> Any:
        if self.client is None:
            from ...client import MlopsClient

            self.client = MlopsClient()
            if self.run_id is None and self.parent_run_id is not None:
                run = self.client.create_run(
                    self.experiment_id or "0",
                    run_name=self.run_name,
                    tags=self.tags or None,
                    parent_run_id=self.parent_run_id,
                )
                self.run_id = run.info.run_id
        return self.client

    def start(self, executor: dict[str, Any]) -> None:
        if self.run_id is None and self.parent_run_id is None:
            return
        if self.parent_run_id is not None and self.run_id is None:
            self._ensure_client()
        if not self._needs_client(executor):
            return
        from ...client import fluent

        self._ensure_client()
        os.environ[ENV_RUN_ID] = str(self.run_id)
        self.active = fluent.start_run(run_id=self.run_id)

    def upload(self, folder: Path, artifact_path: str) -> None:
        if self.run_id is None:
            return
        client = self._ensure_client()
        if any(folder.iterdir()):
            client.log_artifacts(self.run_id, str(folder), artifact_path)

    def end(self, *, success: bool) -> None:
        if self.active is not None:
            from ...client import fluent

            active, self.active = self.active, None
            fluent.end_run("FINISHED" if success else "FAILED")
            del active
        elif self.client is not None and self.parent_run_id is not None and self.run_id:
            # A run we created (Argo): we end it too.
            self.client.update_run(self.run_id, status="FINISHED" if success else "FAILED")


# -- executors ----------------------------------------------------------------------------
def _run_python(
    spec: dict[str, Any], inputs: dict[str, Any], output_types: dict[str, str], outputs_dir: Path
) -> dict[str, Any]:
    os.environ[ENV_OUTPUTS_DIR] = str(outputs_dir)
    namespace: dict[str, Any] = {"__name__": "__mlops_step__"}
    # Annotations stay strings: the types they name (a NamedTuple of outputs, say) are
    # not shipped with the function.
    code = compile(
        spec["source"],
        f"<step {spec['functionName']}>",
        "exec",
        flags=__future__.annotations.compiler_flag,
        dont_inherit=True,
    )
    exec(code, namespace)
    result = namespace[spec["functionName"]](**inputs)
    values = _read_output_files(outputs_dir, output_types)
    if not output_types:
        return values
    names = list(output_types)
    if names == ["Output"]:
        values["Output"] = result
    elif result is not None:
        fields = getattr(result, "_asdict", None)
        mapping = fields() if fields is not None else result
        if isinstance(mapping, (tuple, list)) and len(mapping) == len(names):
            mapping = dict(zip(names, mapping, strict=True))
        if not isinstance(mapping, dict):
            raise StepFailed(
                f"the step must return its outputs {names} (a NamedTuple, a tuple or a dict)"
            )
        values.update(mapping)
    return values


def _read_output_files(outputs_dir: Path, output_types: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in output_types:
        path = outputs_dir / f"{name}.json"
        if path.exists():
            values[name] = json.loads(path.read_text(encoding="utf-8"))
    return values


def _substitute(text: str, inputs: dict[str, Any], raw_outputs: dict[str, Path]) -> str:
    for name, value in inputs.items():
        rendered = value if isinstance(value, str) else json.dumps(value)
        text = text.replace(f"{{{{inputs.{name}}}}}", rendered)
    for name, path in raw_outputs.items():
        text = text.replace(f"{{{{outputs.{name}}}}}", str(path))
    return text


def _run_command(
    spec: dict[str, Any], inputs: dict[str, Any], output_types: dict[str, str], outputs_dir: Path
) -> dict[str, Any]:
    raw_dir = Path(tempfile.mkdtemp(prefix="mlops-raw-outputs-"))
    raw_outputs = {name: raw_dir / name for name in output_types}
    argv = [
        _substitute(part, inputs, raw_outputs) for part in [*spec["command"], *spec.get("args", [])]
    ]
    env = dict(os.environ)
    env[ENV_OUTPUTS_DIR] = str(outputs_dir)
    for name, value in inputs.items():
        env[f"MLOPS_INPUT_{name.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    for name, path in raw_outputs.items():
        env[f"MLOPS_OUTPUT_{name.upper()}"] = str(path)
    sys.stdout.flush()
    try:
        result = subprocess.run(argv, env=env, check=False)
    except OSError as exc:
        raise StepFailed(f"cannot run {argv[0]!r}: {exc}") from None
    if result.returncode != 0:
        raise StepFailed(f"command exited with code {result.returncode}")
    values = _read_output_files(outputs_dir, output_types)
    for name, path in raw_outputs.items():
        if path.exists():
            text = path.read_text(encoding="utf-8")
            values[name] = t.parse_text(
                text.rstrip("\n"), output_types[name], field=f"output {name}"
            )
    return values


def _run_notebook(
    spec: dict[str, Any],
    inputs: dict[str, Any],
    output_types: dict[str, str],
    outputs_dir: Path,
    task: dict[str, Any],
    tracking: _Tracking,
) -> dict[str, Any]:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.reads(spec["source"], as_version=4)
    _inject_parameters(notebook, inputs)
    os.environ[ENV_OUTPUTS_DIR] = str(outputs_dir)
    if tracking.run_id:
        os.environ[ENV_RUN_ID] = str(tracking.run_id)
    workdir = Path(tempfile.mkdtemp(prefix="mlops-notebook-"))
    client = NotebookClient(
        notebook,
        kernel_name=spec.get("kernelName", "python3"),
        resources={"metadata": {"path": str(workdir)}},
        timeout=None,
    )
    error: BaseException | None = None
    try:
        client.execute()
    except CellExecutionError as exc:
        error = exc
    finally:
        _keep_notebook(notebook, spec["name"], task, tracking)
    if error is not None:
        print(str(error), file=sys.stderr)
        raise StepFailed(f"notebook {spec['name']!r} failed: {str(error).strip().splitlines()[-1]}")
    return _read_output_files(outputs_dir, output_types)


def _inject_parameters(notebook: Any, inputs: dict[str, Any]) -> None:
    import nbformat

    lines = ["# Parameters injected by jupyter-mlops"]
    lines += [f"{name} = {value!r}" for name, value in inputs.items()]
    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    position = 0
    for index, existing in enumerate(notebook.cells):
        if "parameters" in existing.get("metadata", {}).get("tags", []):
            position = index + 1
            break
    notebook.cells.insert(position, cell)


def _keep_notebook(notebook: Any, name: str, task: dict[str, Any], tracking: _Tracking) -> None:
    """Store the executed notebook, with its outputs, as an artifact of the step's run."""
    import nbformat

    text = nbformat.writes(notebook)
    folder = task.get("artifactsDir")
    if folder:
        path = Path(folder) / "notebook" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    elif task.get("uploadOutputs") and tracking.run_id:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            tracking._ensure_client().log_artifact(tracking.run_id, str(path), "notebook")


def _check_outputs(values: dict[str, Any], output_types: dict[str, str]) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for name, ptype in output_types.items():
        if name not in values:
            raise StepFailed(f"the step did not set its output {name!r}")
        try:
            json.dumps(values[name])
        except (TypeError, ValueError):
            raise StepFailed(
                f"output {name!r} is not JSON-serialisable: {type(values[name]).__name__}"
            ) from None
        try:
            checked[name] = t.check_value(values[name], ptype, field=f"output {name!r}")
        except Exception as exc:
            raise StepFailed(f"type mismatch: {getattr(exc, 'message', exc)}") from None
    return checked


if __name__ == "__main__":
    sys.exit(main())
