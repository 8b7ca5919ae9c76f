"""A test helper that *runs* the containers of Job (and Argo step) pods on this host.

The emulator's kubelet moves pods through states; this helper also executes a pod's
container command and args as a real local subprocess (with the container's env, plus
overrides: e.g. a tracking URI the host can reach), stores its output as the pod's log
and finishes the pod with the process's exit code. The Job controller then marks the Job
Complete or Failed, as on a cluster. Pipelines' steps thus really run through the step
runner, on every backend.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .state import Obj

_PYTHON_BIN = str(Path(sys.executable).parent)


class PodRunner:
    def __init__(
        self, emulator: Any, env: Mapping[str, str] | None = None, timeout: float = 120
    ) -> None:
        self.emulator = emulator
        self.env = dict(env or {})
        self.timeout = timeout
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
        env.update(self.env)
        result = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=self.timeout, check=False
        )
        self.ran.append(name)
        self.emulator.kubelet.finish(
            namespace, name, exit_code=result.returncode, log=result.stdout + result.stderr
        )
        return result.returncode


class WorkflowRunner:
    """Plays the Argo controller for one Workflow: runs its DAG's tasks in dependency order
    (loops expanded from ``withItems``/``withParam``, ``when`` evaluated), each as a pod
    whose container really runs (:class:`PodRunner`), with ``emptyDir``-like output folders
    on the host, and writes ``status.nodes``/``status.phase`` as Argo does."""

    OUTPUTS_DIR = "/tmp/mlops-outputs"

    def __init__(self, pods: PodRunner) -> None:
        self.pods = pods
        self.emulator = pods.emulator

    def run(self, namespace: str, name: str) -> Obj:
        import json
        import re
        import tempfile

        state = self.emulator.state
        workflows = state.resource("argoproj.io/v1alpha1", "Workflow")
        workflow = state.get(workflows, namespace, name)
        spec = workflow["spec"]
        templates = {t["name"]: t for t in spec["templates"]}
        dag = {t["name"]: t for t in templates[spec["entrypoint"]]["dag"]["tasks"]}
        parameters = {
            p["name"]: p["value"] for p in spec.get("arguments", {}).get("parameters", [])
        }
        outputs: dict[str, dict[str, str]] = {}
        phases: dict[str, str] = {}
        nodes: dict[str, Obj] = {}

        def substitute(text: str, item: Any = None, inputs: Mapping[str, str] | None = None) -> str:
            def value(match: re.Match[str]) -> str:
                expression = match.group(1).strip()
                if expression.startswith("workflow.parameters."):
                    return parameters[expression.split(".", 2)[2]]
                if expression.startswith("tasks."):
                    _, task, _, _, key = expression.split(".", 4)
                    return outputs[task][key]
                if expression == "item":
                    return item if isinstance(item, str) else json.dumps(item)
                if expression.startswith("item."):
                    member = item[expression[5:]]
                    return member if isinstance(member, str) else json.dumps(member)
                if expression.startswith("inputs.parameters.") and inputs is not None:
                    return inputs[expression[len("inputs.parameters.") :]]
                return match.group(0)

            return re.sub(r"\{\{([^}]+)\}\}", value, text)

        order: list[str] = []

        def visit(task: str) -> None:
            if task in order:
                return
            for dependency in dag[task].get("dependencies", []):
                visit(dependency)
            order.append(task)

        for task in dag:
            visit(task)
        for task_name in order:
            task = dag[task_name]
            if any(phases.get(d) != "Succeeded" for d in task.get("dependencies", [])):
                phases[task_name] = "Omitted"
                nodes[f"{name}-{task_name}"] = {
                    "id": f"{name}-{task_name}",
                    "displayName": task_name,
                    "type": "Omitted",
                    "phase": "Omitted",
                }
                continue
            if "when" in task and not eval(substitute(task["when"]), {"__builtins__": {}}):
                phases[task_name] = "Skipped"
                nodes[f"{name}-{task_name}"] = {
                    "id": f"{name}-{task_name}",
                    "displayName": task_name,
                    "type": "Skipped",
                    "phase": "Skipped",
                }
                continue
            if "withItems" in task:
                items: list[Any] = list(task["withItems"])
            elif "withParam" in task:
                items = json.loads(substitute(task["withParam"]))
            else:
                items = [None]
            looped = "withItems" in task or "withParam" in task
            results = []
            for index, item in enumerate(items):
                template = templates[task["template"]]
                inputs = {
                    p["name"]: substitute(p["value"], item)
                    for p in task.get("arguments", {}).get("parameters", [])
                }
                pod_name = f"{name}-{task_name}-{index}"
                folder = tempfile.mkdtemp(prefix="argo-outputs-")
                container = dict(template["container"])
                container["name"] = "main"
                container["args"] = [
                    substitute(arg, item, inputs)
                    .replace("{{pod.name}}", pod_name)
                    .replace(self.OUTPUTS_DIR, folder)
                    for arg in container.get("args", [])
                ]
                pod = state.create(
                    state.resource("v1", "Pod"),
                    namespace,
                    {
                        "metadata": {
                            "name": pod_name,
                            "namespace": namespace,
                            "labels": {"workflows.argoproj.io/workflow": name},
                        },
                        "spec": {"containers": [container], "restartPolicy": "Never"},
                        "status": {"phase": "Pending"},
                    },
                )
                code = self.pods.run_pod(pod)
                node_outputs = []
                for parameter in (template.get("outputs") or {}).get("parameters", []):
                    path = Path(parameter["valueFrom"]["path"].replace(self.OUTPUTS_DIR, folder))
                    if path.exists():
                        node_outputs.append({"name": parameter["name"], "value": path.read_text()})
                display = f"{task_name}({index}:{item})" if looped else task_name
                nodes[pod_name] = {
                    "id": pod_name,
                    "podName": pod_name,
                    "displayName": display,
                    "templateName": template["name"],
                    "type": "Pod",
                    "phase": "Succeeded" if code == 0 else "Failed",
                    "message": "" if code == 0 else f"Error (exit code {code})",
                    "outputs": {"parameters": node_outputs},
                }
                results.append(code == 0)
                outputs[task_name] = {p["name"]: p["value"] for p in node_outputs}
            phases[task_name] = "Succeeded" if all(results) else "Failed"
        phase = "Failed" if "Failed" in phases.values() else "Succeeded"
        status = {"phase": phase, "nodes": nodes}
        return state.replace(workflows, namespace, name, {**workflow, "status": status}, "status")
