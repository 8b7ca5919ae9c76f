"""Pure builders of the Kubernetes objects of pipeline runs: a step's Job, and the Argo
Workflow of a whole run. A typed spec in, a manifest (plain dict) out; tests validate
them against the official schemas."""

from __future__ import annotations

import ast
import functools
import inspect
import json
from dataclasses import dataclass, field
from typing import Any

from ...kube.labels import managed_labels
from ...kube.names import multi_slug, safe_slug
from ..runtime import bootstrap as step_bootstrap
from .runtime_wheel import runtime_wheel_filename

COMPONENT = "pipeline-step"
RUN_LABEL = "mlops.jupyter.org/pipeline-run"
STEP_LABEL = "mlops.jupyter.org/pipeline-step"
STEP_ANNOTATION = "mlops.jupyter.org/pipeline-step"
#: The namespace-wide token Secret, used only where no API tokens are issued per run.
TOKEN_SECRET = "jupyter-mlops-pipeline-token"
TOKEN_KEY = "token"
#: Marks a run's own token Secret (``run_token_secret_name``), to find those left behind.
TOKEN_SECRET_LABEL = "mlops.jupyter.org/pipeline-token"
CONTAINER = "step"
DEFAULT_CPU = "1"
DEFAULT_MEMORY = "1Gi"
#: Finished Jobs are deleted after this long: their logs are kept by us by then.
TTL_AFTER_FINISHED_S = 3600
ARGO_OUTPUTS_DIR = "/tmp/mlops-outputs"

# The container's entrypoint: the image's Python (python3, else python) runs the step
# bootstrap, which fetches jupyter-mlops from this server when the image lacks it (as KFP's
# lightweight components install kfp at start, but from the server: the version that made
# the pod, with no package index) and becomes the step runner. The bootstrap's source is
# the first argument after the script's name, the container's args follow.
_LAUNCH = (
    'src=$1; shift; for python in python3 python; do if command -v "$python" >/dev/null; '
    'then exec "$python" -c "$src" "$@"; fi; done; '
    "echo 'jupyter-mlops: the step image has no python3 or python on PATH' >&2; exit 127"
)


def runner_command() -> list[str]:
    """The container command that runs the step runner with the container's args."""
    return ["sh", "-c", _LAUNCH, "mlops-step", _bootstrap_source()]


@functools.cache
def _bootstrap_source() -> str:
    """``step_bootstrap``'s code without its docstrings (it is in every step's manifest, an
    Argo Workflow holds one per step), then the call naming this server's runtime wheel."""
    tree = ast.parse(inspect.getsource(step_bootstrap))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return f"{ast.unparse(tree)}\nmain({runtime_wheel_filename()!r})\n"


def job_name(run_id: str, step_id: str) -> str:
    """The Job's name: stable for a run's step, so that a restarted server finds it."""
    return multi_slug(
        [f"mlops-{run_id[:12]}", safe_slug(step_id.replace("[", "-").replace("]", ""), 30)], 63
    )


def run_token_secret_name(run_id: str) -> str:
    """The Secret holding the API token that the steps of run ``run_id`` act with."""
    return f"mlops-{run_id[:12]}-token"


def resources_of(executor: dict[str, Any]) -> dict[str, Any]:
    """Requests and limits of a step (always set; requests = limits: a step is a batch job)."""
    declared = executor.get("resources") or {}
    amounts = {
        "cpu": declared.get("cpuLimit") or DEFAULT_CPU,
        "memory": declared.get("memoryLimit") or DEFAULT_MEMORY,
    }
    limits = dict(amounts)
    accelerator = declared.get("accelerator")
    if accelerator and accelerator.get("count"):
        limits[accelerator["type"]] = str(accelerator["count"])
    return {"requests": amounts, "limits": limits}


@dataclass
class StepJobSpec:
    """Everything a step's Job needs."""

    run_id: str
    step_id: str
    pipeline: str
    owner: str
    namespace: str
    image: str
    task: dict[str, Any]  # the runner's task document
    executor: dict[str, Any]
    tracking_url: str
    retries: int = 0
    timeout_s: float | None = None
    service_account: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    #: The Secret whose ``token`` the runner acts with (the run's own, or the shared one).
    token_secret: str = TOKEN_SECRET


def _env(
    tracking_url: str, extra: dict[str, str], token_secret: str = TOKEN_SECRET
) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = [
        {"name": "PYTHONUNBUFFERED", "value": "1"},
        {"name": "JUPYTER_MLOPS_TRACKING_URI", "value": tracking_url},
        {
            "name": "JUPYTER_MLOPS_TOKEN",
            "valueFrom": {
                "secretKeyRef": {"name": token_secret, "key": TOKEN_KEY, "optional": True}
            },
        },
    ]
    env += [{"name": key, "value": value} for key, value in sorted(extra.items())]
    return env


def _labels(run_id: str, step_id: str | None, owner: str, pipeline: str) -> dict[str, str]:
    labels = managed_labels(COMPONENT, owner, pipeline)
    labels[RUN_LABEL] = run_id
    if step_id is not None:
        labels[STEP_LABEL] = safe_slug(step_id.replace("[", "-").replace("]", ""), 63)
    return labels


def _pod_security(service_account: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "restartPolicy": "Never",
        # No API token in step pods unless an account was configured for them.
        "automountServiceAccountToken": bool(service_account),
    }
    if service_account:
        spec["serviceAccountName"] = service_account
    return spec


def build_step_job(spec: StepJobSpec) -> dict[str, Any]:
    """A ``batch/v1`` Job that runs one step with the step runner."""
    name = job_name(spec.run_id, spec.step_id)
    labels = _labels(spec.run_id, spec.step_id, spec.owner, spec.pipeline)
    container: dict[str, Any] = {
        "name": CONTAINER,
        "image": spec.image,
        "command": runner_command(),
        "args": ["--task-json", json.dumps(spec.task, separators=(",", ":"))],
        "env": _env(spec.tracking_url, spec.env, spec.token_secret),
        "resources": resources_of(spec.executor),
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "securityContext": {"allowPrivilegeEscalation": False},
    }
    job_spec: dict[str, Any] = {
        "backoffLimit": spec.retries,
        "ttlSecondsAfterFinished": TTL_AFTER_FINISHED_S,
        "template": {
            "metadata": {"labels": labels, "annotations": {STEP_ANNOTATION: spec.step_id}},
            "spec": {**_pod_security(spec.service_account), "containers": [container]},
        },
    }
    if spec.timeout_s:
        # A whole-Job deadline: every attempt gets the step's timeout.
        job_spec["activeDeadlineSeconds"] = int(spec.timeout_s * (spec.retries + 1)) or 1
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": name,
            "namespace": spec.namespace,
            "labels": labels,
            "annotations": {STEP_ANNOTATION: spec.step_id},
        },
        "spec": job_spec,
    }


def build_token_secret(namespace: str, token: str) -> dict[str, Any]:
    """The namespace-wide token Secret (no API tokens per run: this server's own token)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": TOKEN_SECRET,
            "namespace": namespace,
            "labels": managed_labels(COMPONENT, "jupyter-mlops", "token"),
        },
        "type": "Opaque",
        "stringData": {TOKEN_KEY: token},
    }


def build_run_token_secret(
    namespace: str, run_id: str, owner: str, pipeline: str, token: str
) -> dict[str, Any]:
    """The Secret of one run's API token (acting as its owner), labelled as the run's
    other objects; deleted by the server when the run ends, hence no ownerReference."""
    labels = _labels(run_id, None, owner, pipeline)
    labels[TOKEN_SECRET_LABEL] = "run"
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": run_token_secret_name(run_id),
            "namespace": namespace,
            "labels": labels,
        },
        "type": "Opaque",
        "stringData": {TOKEN_KEY: token},
    }
