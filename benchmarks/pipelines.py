"""Pipelines benchmark: the local backend's per-step overhead, a 100-step fan-out, and
the same small pipeline under Kubeflow Pipelines' ``kfp.local`` SubprocessRunner.

    python benchmarks/pipelines.py                 # everything (kfp is installed first)
    python benchmarks/pipelines.py --skip-kfp      # ours only
    python benchmarks/pipelines.py --markdown out.md

Every step does no work, so wall time is overhead: planning, the store writes, the
step's child tracking run, starting the step runner (a Python subprocess) and reading
its outputs. kfp pins old dependencies (``kubernetes<31``, ...) that clash with ours, so
it is installed into its own virtual environment (``--kfp-venv``, default a folder in
the temp directory, created on first use) and its half runs there, in a subprocess.
Targets (issue 7): < 150 ms overhead per step, 100-step fan-out < 10 s, >= 10x faster
than kfp.local on the same pipeline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

CHAIN_STEPS = 20
FAN_OUT = 100
SMALL_PIPELINE_STEPS = 3

# The same small pipeline for both: three chained additions (a lightweight component each).
KFP_SCRIPT = textwrap.dedent(
    """
    import json, sys, tempfile, time
    from kfp import dsl, local

    @dsl.component(base_image="python:3.11")
    def add(a: int, b: int) -> int:
        return a + b

    @dsl.pipeline
    def chain(x: int = 1) -> int:
        first = add(a=x, b=1)
        second = add(a=first.output, b=1)
        return add(a=second.output, b=1).output

    local.init(runner=local.SubprocessRunner(use_venv=False),
               pipeline_root=tempfile.mkdtemp(), raise_on_error=True)
    chain(x=1)  # warm-up: imports, caches
    times = []
    for _ in range(int(sys.argv[1])):
        start = time.perf_counter()
        result = chain(x=1)
        times.append(time.perf_counter() - start)
    print(json.dumps({"times": times, "result": result.output}))
    """
)


def _ours() -> dict[str, float]:
    import jupyter_mlops as mlops

    @mlops.step(cache=False)
    def add(a: int, b: int) -> int:
        return a + b

    @mlops.step(cache=False)
    def noop(i: int) -> int:
        return i

    @mlops.pipeline
    def chain(x: int = 1):
        value = add(a=x, b=1)
        for _ in range(CHAIN_STEPS - 1):
            value = add(a=value, b=1)
        return value

    @mlops.pipeline
    def small(x: int = 1):
        return add(a=add(a=add(a=x, b=1), b=1), b=1)

    @mlops.pipeline
    def fan_out(n: int = FAN_OUT):
        for i in mlops.parallel_for(list(range(FAN_OUT))):
            noop(i=i)

    def run(pipeline: object) -> float:
        start = time.perf_counter()
        handle = mlops.pipelines.submit(pipeline)
        state = handle.wait(timeout=600, poll_interval=0.01)
        elapsed = time.perf_counter() - start
        if state != "SUCCEEDED":
            raise SystemExit(f"{handle.name} ended {state}: {handle.message}")
        return elapsed

    run(small)  # warm-up: store created and migrated, imports done
    chain_s = min(run(chain) for _ in range(3))
    small_s = min(run(small) for _ in range(5))
    fan_s = run(fan_out)
    return {
        "per_step_ms": chain_s / CHAIN_STEPS * 1000,
        "chain_s": chain_s,
        "small_s": small_s,
        "fan_out_s": fan_s,
    }


def _kfp(venv: Path, repeat: int) -> dict[str, float] | None:
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} and installing kfp (once)...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "kfp"], check=True)
    script = venv / "kfp_chain.py"
    script.write_text(KFP_SCRIPT, encoding="utf-8")
    result = subprocess.run(
        [str(python), str(script), str(repeat)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        print(result.stderr[-3000:], file=sys.stderr)
        return None
    document = json.loads(result.stdout.strip().splitlines()[-1])
    return {"small_s": min(document["times"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-kfp", action="store_true")
    parser.add_argument(
        "--kfp-venv", type=Path, default=Path(tempfile.gettempdir()) / "mlops-bench-kfp" / "venv"
    )
    parser.add_argument("--kfp-repeat", type=int, default=3)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["JUPYTER_MLOPS_TRACKING_URI"] = f"sqlite:///{tmp}/mlops.db"
        os.environ["JUPYTER_MLOPS_ARTIFACT_ROOT"] = f"{tmp}/artifacts"
        ours = _ours()
    theirs = None if args.skip_kfp else _kfp(args.kfp_venv, args.kfp_repeat)

    lines = [
        f"Pipelines benchmark ({platform.python_version()}, {os.cpu_count()} cores, "
        "local backend, parallelism 4, SQLite store)",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| overhead per step ({CHAIN_STEPS}-step chain) | {ours['per_step_ms']:.0f} ms "
        "| < 150 ms |",
        f"| {FAN_OUT}-step fan-out, total | {ours['fan_out_s']:.2f} s | < 10 s |",
        f"| {SMALL_PIPELINE_STEPS}-step pipeline, ours | {ours['small_s']:.2f} s | |",
    ]
    if theirs is not None:
        ratio = theirs["small_s"] / ours["small_s"]
        lines += [
            f"| {SMALL_PIPELINE_STEPS}-step pipeline, kfp.local SubprocessRunner "
            f"| {theirs['small_s']:.2f} s | |",
            f"| ours vs kfp.local | {ratio:.1f}x faster | >= 10x |",
        ]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
