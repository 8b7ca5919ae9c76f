"""Find and compile the pipelines defined in a ``.py`` file or a notebook.

The server never imports user code into its own process: it runs
``python -m jupyter_mlops.pipelines.dsl.loader PATH``, which prints
``{"pipelines": [spec, ...]}`` (or ``{"error": ...}``) as JSON. That process is the
caller's, as every process that runs user code: an allowlisted environment, and in
multi-user mode the caller's own OS account (see ``jupyter_mlops.processes``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from ...errors import InvalidParameter
from ...processes import OsAccount, ProcessPolicy
from .declare_only import DeclaredOnly, declaring_only
from .tracing import Pipeline

COMPILE_TIMEOUT_S = 60


def load_pipeline_file(path: str | Path) -> list[dict[str, Any]]:
    """The compiled specs of every ``@pipeline`` defined at top level in ``path`` (and of
    any pipeline it submits or schedules). Its ``submit``/``schedule`` calls run nothing:
    the first one ends the reading of the file, so pipelines defined after it are not
    found."""
    path = Path(path)
    if path.suffix == ".ipynb":
        import nbformat

        notebook = nbformat.read(str(path), as_version=4)
        lines: list[str] = []
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            # IPython syntax (magics, shell escapes) is not Python: leave it out.
            lines += [
                line
                for line in cell.source.splitlines()
                if not line.lstrip().startswith(("%", "!"))
            ]
            lines.append("")
        folder = Path(tempfile.mkdtemp(prefix="mlops-notebook-pipeline-"))
        source = folder / f"{path.stem.replace('-', '_')}_pipeline.py"
        source.write_text("\n".join(lines), encoding="utf-8")
        path = source
    module_name = f"_mlops_pipeline_file_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise InvalidParameter(f"cannot load {str(path)!r} as Python", field="path")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    # Reading a file must not run its pipelines: its submit/schedule calls declare theirs
    # and stop the file there (see declare_only); what it defined before is kept.
    with declaring_only() as declared, contextlib.suppress(DeclaredOnly):
        spec.loader.exec_module(module)
    pipelines = [value for value in vars(module).values() if isinstance(value, Pipeline)]
    specs = [pipeline.compile() for pipeline in pipelines]
    names = {spec_["pipelineInfo"]["name"] for spec_ in specs}
    for extra in declared:  # e.g. submit(make_pipeline()), bound to no top-level name
        if extra.get("pipelineInfo", {}).get("name") not in names:
            specs.append(extra)
            names.add(extra["pipelineInfo"]["name"])
    return specs


def compile_file(
    path: Path,
    policy: ProcessPolicy,
    account: OsAccount | None = None,
    python: str = sys.executable,
    cwd: Path | None = None,
) -> list[dict[str, Any]]:
    """:func:`load_pipeline_file` in a subprocess of ``account`` (None: the server's own,
    in single-user mode) with an allowlisted environment (blocking; run it off the loop)."""
    try:
        result = subprocess.run(
            [python, "-m", "jupyter_mlops.pipelines.dsl.loader", str(path)],
            capture_output=True,
            text=True,
            timeout=COMPILE_TIMEOUT_S,
            cwd=cwd or path.parent,
            env=policy.environment(account=account),
            check=False,
            **policy.popen_options(account),
        )
    except subprocess.TimeoutExpired:
        raise InvalidParameter(
            f"{path.name} took more than {COMPILE_TIMEOUT_S}s to load", field="path"
        ) from None
    lines = result.stdout.strip().splitlines()
    try:
        document = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        document = {}
    if "pipelines" in document:
        pipelines: list[dict[str, Any]] = document["pipelines"]
        return pipelines
    message = document.get("error") or (result.stderr.strip().splitlines() or ["no output"])[-1]
    raise InvalidParameter(f"cannot compile {path.name}: {message}", field="path")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(json.dumps({"error": "usage: python -m jupyter_mlops.pipelines.dsl.loader PATH"}))
        return 2
    try:
        specs = load_pipeline_file(args[0])
    except Exception as exc:  # report what broke to the server, as JSON
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        print(json.dumps({"error": message}))
        return 1
    print(json.dumps({"pipelines": specs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
