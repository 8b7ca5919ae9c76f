"""Where notebook servers run: ``local`` processes, ``kubernetes`` StatefulSets, or
Kubeflow ``Notebook`` resources. Chosen by ``NotebookServers.backend_class``."""

from .base import BackendContext, NotebookBackend, Upstream
from .kubeflow import KubeflowNotebookBackend
from .kubernetes import KubernetesNotebookBackend
from .local import LocalNotebookBackend

__all__ = [
    "BackendContext",
    "KubeflowNotebookBackend",
    "KubernetesNotebookBackend",
    "LocalNotebookBackend",
    "NotebookBackend",
    "Upstream",
]
