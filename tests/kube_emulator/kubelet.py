"""A test helper that plays the kubelet (and the scheduler): it moves pods through the
states users meet, writing the pod status, container statuses and Events the real
components write, so code under test sees what it would see on a cluster."""

from __future__ import annotations

from typing import Any

from .state import ClusterState, Obj, now_rfc3339


class Kubelet:
    def __init__(self, state: ClusterState) -> None:
        self.state = state
        self.pods = state.resource("v1", "Pod")

    # -- helpers ---------------------------------------------------------------------------
    def pod(self, namespace: str, name: str) -> Obj:
        return self.state.get(self.pods, namespace, name)

    def list_pods(self, namespace: str | None = None, label_selector: str = "") -> list[Obj]:
        return self.state.list(self.pods, namespace, label_selector)

    def _containers(self, pod: Obj) -> list[Obj]:
        return list(pod.get("spec", {}).get("containers") or [{"name": "main", "image": ""}])

    def _write(self, pod: Obj, status: Obj) -> Obj:
        meta = pod["metadata"]
        return self.state.replace(
            self.pods, meta["namespace"], meta["name"], {**pod, "status": status}, "status"
        )

    def _event(
        self, pod: Obj, reason: str, message: str, type_: str = "Normal", source: str = "kubelet"
    ) -> None:
        self.state.record_event(pod, reason, message, type_=type_, source=source)

    def _scheduled(self, pod: Obj, node: str) -> list[Obj]:
        self._event(
            pod,
            "Scheduled",
            f"Successfully assigned {pod['metadata']['namespace']}/{pod['metadata']['name']} "
            f"to {node}",
            source="default-scheduler",
        )
        return [{"type": "PodScheduled", "status": "True", "lastTransitionTime": now_rfc3339()}]

    # -- states ----------------------------------------------------------------------------
    def run(
        self,
        namespace: str,
        name: str,
        *,
        ready: bool = True,
        log: str = "",
        node: str = "node-1",
        pod_ip: str = "10.0.0.10",
    ) -> Obj:
        """Scheduled, image pulled, containers started (and ready unless ``ready=False``);
        ``pod_ip`` lets a test point clients at a process it runs as the container."""
        pod = self.pod(namespace, name)
        conditions = self._scheduled(pod, node)
        statuses = []
        for container in self._containers(pod):
            image = container.get("image", "")
            self._event(pod, "Pulling", f'Pulling image "{image}"')
            self._event(pod, "Pulled", f'Successfully pulled image "{image}" in 1.2s')
            self._event(pod, "Created", f"Created container {container['name']}")
            self._event(pod, "Started", f"Started container {container['name']}")
            statuses.append(
                {
                    "name": container["name"],
                    "image": image,
                    "imageID": "",
                    "ready": ready,
                    "started": True,
                    "restartCount": 0,
                    "state": {"running": {"startedAt": now_rfc3339()}},
                }
            )
            if log:
                self.state.set_log(namespace, name, log, container["name"])
        conditions.append({"type": "Ready", "status": "True" if ready else "False"})
        conditions.append({"type": "ContainersReady", "status": "True" if ready else "False"})
        return self._write(
            pod,
            {
                "phase": "Running",
                "podIP": pod_ip,
                "hostIP": "192.168.0.1",
                "startTime": now_rfc3339(),
                "conditions": conditions,
                "containerStatuses": statuses,
            },
        )

    def unschedulable(
        self,
        namespace: str,
        name: str,
        message: str = "0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: "
        "0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    ) -> Obj:
        """The scheduler finds no node: Pending with an Unschedulable condition."""
        pod = self.pod(namespace, name)
        self._event(pod, "FailedScheduling", message, "Warning", source="default-scheduler")
        return self._write(
            pod,
            {
                "phase": "Pending",
                "conditions": [
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "reason": "Unschedulable",
                        "message": message,
                        "lastTransitionTime": now_rfc3339(),
                    }
                ],
            },
        )

    def image_pull_backoff(self, namespace: str, name: str) -> Obj:
        """Scheduled, but the image cannot be pulled."""
        pod = self.pod(namespace, name)
        conditions = self._scheduled(pod, "node-1")
        statuses = []
        for container in self._containers(pod):
            image = container.get("image", "")
            self._event(pod, "Pulling", f'Pulling image "{image}"')
            self._event(
                pod,
                "Failed",
                f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to '
                f'pull and unpack image "{image}": not found',
                "Warning",
            )
            self._event(pod, "BackOff", f'Back-off pulling image "{image}"', "Normal")
            statuses.append(
                {
                    "name": container["name"],
                    "image": image,
                    "imageID": "",
                    "ready": False,
                    "started": False,
                    "restartCount": 0,
                    "state": {
                        "waiting": {
                            "reason": "ImagePullBackOff",
                            "message": f'Back-off pulling image "{image}"',
                        }
                    },
                }
            )
        conditions.append({"type": "Ready", "status": "False", "reason": "ContainersNotReady"})
        return self._write(
            pod, {"phase": "Pending", "conditions": conditions, "containerStatuses": statuses}
        )

    def _terminated_then(
        self, namespace: str, name: str, reason: str, exit_code: int, waiting: str | None
    ) -> Obj:
        pod = self.pod(namespace, name)
        statuses = []
        for container in self._containers(pod):
            terminated = {"reason": reason, "exitCode": exit_code, "finishedAt": now_rfc3339()}
            status: dict[str, Any] = {
                "name": container["name"],
                "image": container.get("image", ""),
                "imageID": "",
                "ready": False,
                "started": False,
                "restartCount": 3 if waiting else 1,
            }
            if waiting:
                status["state"] = {
                    "waiting": {
                        "reason": waiting,
                        "message": f"back-off 40s restarting failed container={container['name']}",
                    }
                }
                status["lastState"] = {"terminated": terminated}
                self._event(pod, "BackOff", "Back-off restarting failed container", "Warning")
            else:
                status["state"] = {"terminated": terminated}
            statuses.append(status)
        return self._write(
            pod,
            {
                "phase": "Running",
                "conditions": [
                    {"type": "PodScheduled", "status": "True"},
                    {"type": "Ready", "status": "False"},
                ],
                "containerStatuses": statuses,
            },
        )

    def oom_killed(self, namespace: str, name: str) -> Obj:
        """The container went over its memory limit and was killed (exit 137)."""
        return self._terminated_then(namespace, name, "OOMKilled", 137, None)

    def crash_loop(
        self, namespace: str, name: str, *, reason: str = "Error", exit_code: int = 1
    ) -> Obj:
        """The container keeps exiting: CrashLoopBackOff, last termination ``reason``."""
        return self._terminated_then(namespace, name, reason, exit_code, "CrashLoopBackOff")

    def finish(self, namespace: str, name: str, *, exit_code: int = 0, log: str = "") -> Obj:
        """A run-to-completion pod (Job, workflow step) ends: Succeeded, or Failed."""
        pod = self.pod(namespace, name)
        if log:
            for container in self._containers(pod):
                self.state.set_log(namespace, name, log, container["name"])
        statuses = [
            {
                "name": c["name"],
                "image": c.get("image", ""),
                "imageID": "",
                "ready": False,
                "restartCount": 0,
                "state": {
                    "terminated": {
                        "reason": "Completed" if exit_code == 0 else "Error",
                        "exitCode": exit_code,
                        "finishedAt": now_rfc3339(),
                    }
                },
            }
            for c in self._containers(pod)
        ]
        phase = "Succeeded" if exit_code == 0 else "Failed"
        return self._write(
            pod,
            {
                "phase": phase,
                "containerStatuses": statuses,
                "conditions": [{"type": "Ready", "status": "False"}],
            },
        )
