"""A test helper that *runs* the containers of Job (and Argo step) pods on this host.

The emulator's kubelet moves pods through states; this helper also executes a pod's
container command and args as a real local subprocess (with the container's env, plus
overrides: e.g. a tracking URI the host can reach), stores its output as the pod's log
and finishes the pod with the process's exit code. The Job controller then marks the Job
Complete or Failed, as on a cluster. Pipelines' steps thus really run through the step
runner, on every backend. :class:`WorkflowRunner` (``argo_controller.py``) plays Argo's
controller with it.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .argo_controller import WorkflowRunner
from .state import Obj

__all__ = ["PodRunner", "WorkflowRunner"]

_PYTHON_BIN = str(Path(sys.executable).parent)


class PodRunner:
    def __init__(
        self,
        emulator: Any,
        env: Mapping[str, str] | None = None,
        timeout: float = 120,
        *,
        secrets: bool = False,
        cwd: Path | None = None,
    ) -> None:
        """``env`` overrides the containers' env; ``secrets``: resolve ``secretKeyRef``
        env values from the emulator's Secrets, as the kubelet does (else they are unset);
        ``cwd``: the image's working directory (default: this process's)."""
        self.emulator = emulator
        self.env = dict(env or {})
        self.timeout = timeout
        self.secrets = secrets
        self.cwd = cwd
        self.ran: list[str] = []

    def pending(self, namespace: str, label_selector: str = "") -> list[Obj]:
        return [
            pod
            for pod in self.emulator.kubelet.list_pods(namespace, label_selector)
            if (pod.get("status") or {}).get("phase", "Pending") == "Pending"
        ]

    def run_pending(self, namespace: str, label_selector: str = "") -> int:
        """Run every Pending pod to its end; how many ran."""
        pods = self.pending(namespace, label_selector)
        for pod in pods:
            self.run_pod(pod)
        return len(pods)

    def run_pod(self, pod: Obj, *, extra_args: list[str] | None = None) -> int:
        namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        self.emulator.kubelet.run(namespace, name)
        container = pod["spec"]["containers"][0]
        argv = [*container.get("command", []), *container.get("args", []), *(extra_args or [])]
        env = {
            "PATH": f"{_PYTHON_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": os.environ.get("HOME", "/tmp"),
        }
        for item in container.get("env") or []:
            if "value" in item:
                env[item["name"]] = item["value"]
            elif self.secrets and "secretKeyRef" in item.get("valueFrom", {}):
                value = self._secret_value(namespace, item["valueFrom"]["secretKeyRef"])
                if value is not None:
                    env[item["name"]] = value
        env.update(self.env)
        result = subprocess.run(
            argv,
            env=env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )
        self.ran.append(name)
        self.emulator.kubelet.finish(
            namespace, name, exit_code=result.returncode, log=result.stdout + result.stderr
        )
        return result.returncode

    def _secret_value(self, namespace: str, ref: Mapping[str, Any]) -> str | None:
        secret = self.emulator.get("v1", "Secret", namespace, ref["name"]) or {}
        if ref["key"] in (secret.get("stringData") or {}):
            return str(secret["stringData"][ref["key"]])
        encoded = (secret.get("data") or {}).get(ref["key"])
        return None if encoded is None else base64.b64decode(encoded).decode()
