"""What a notebook pod's status means to its user: one of our statuses, with the reason
(ImagePullBackOff, Unschedulable with the scheduler's message, OOMKilled,
CrashLoopBackOff). Pure: a pod manifest (dict) in, an Observation out."""

from __future__ import annotations

from typing import Any

from .entities import Observation, ServerStatus

_IMAGE_PROBLEMS = {"ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull"}
_CONFIG_PROBLEMS = {"CreateContainerConfigError", "CreateContainerError", "RunContainerError"}


def observe_pod(pod: dict[str, Any], container: str | None = None) -> Observation:
    meta = pod.get("metadata", {})
    status = pod.get("status") or {}
    if meta.get("deletionTimestamp"):
        return Observation(ServerStatus.STOPPING, "Terminating", "the pod is shutting down")
    statuses = status.get("containerStatuses") or []
    if container is not None:
        statuses = [c for c in statuses if c.get("name") == container] or statuses
    for item in statuses:
        state = item.get("state") or {}
        waiting = state.get("waiting") or {}
        terminated = state.get("terminated") or {}
        last = (item.get("lastState") or {}).get("terminated") or {}
        reason = waiting.get("reason", "")
        if reason in _IMAGE_PROBLEMS:
            return Observation(
                ServerStatus.FAILED,
                reason,
                waiting.get("message") or f"cannot pull image {item.get('image', '')!r}",
            )
        if reason in _CONFIG_PROBLEMS:
            return Observation(ServerStatus.FAILED, reason, waiting.get("message", ""))
        if reason == "CrashLoopBackOff":
            if last.get("reason") == "OOMKilled":
                return Observation(
                    ServerStatus.FAILED,
                    "OOMKilled",
                    "the server ran out of memory (over its memory limit) and keeps being "
                    "restarted; give it more memory",
                )
            code = last.get("exitCode")
            return Observation(
                ServerStatus.FAILED,
                "CrashLoopBackOff",
                f"the server keeps exiting (last exit code {code}); see its logs",
            )
        if terminated.get("reason") == "OOMKilled":
            return Observation(
                ServerStatus.FAILED,
                "OOMKilled",
                "the server ran out of memory (over its memory limit); give it more memory",
            )
    phase = status.get("phase", "Pending")
    if phase == "Pending":
        for condition in status.get("conditions") or []:
            if (
                condition.get("type") == "PodScheduled"
                and condition.get("status") == "False"
                and condition.get("reason") == "Unschedulable"
            ):
                return Observation(
                    ServerStatus.PENDING, "Unschedulable", condition.get("message", "")
                )
        for item in statuses:
            waiting = (item.get("state") or {}).get("waiting") or {}
            if waiting.get("reason"):
                return Observation(
                    ServerStatus.STARTING, waiting["reason"], waiting.get("message", "")
                )
        scheduled = any(
            c.get("type") == "PodScheduled" and c.get("status") == "True"
            for c in status.get("conditions") or []
        )
        if scheduled:
            return Observation(ServerStatus.STARTING, "Scheduled", "pulling the image")
        return Observation(ServerStatus.PENDING, "Scheduling", "waiting for a node")
    if phase == "Running":
        if statuses and all(item.get("ready") for item in statuses):
            return Observation(ServerStatus.RUNNING)
        return Observation(ServerStatus.STARTING, "Started", "waiting for the server to answer")
    return Observation(
        ServerStatus.FAILED,
        status.get("reason") or phase,
        status.get("message") or f"the pod is {phase}",
    )
