"""Where pipeline steps run: ``local`` subprocesses, Kubernetes Jobs, or one Argo Workflow."""

from .base import BackendSettings, PipelineBackend

__all__ = ["BackendSettings", "PipelineBackend"]
