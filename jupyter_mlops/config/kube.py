"""``c.Kube``: how this server reaches the Kubernetes API (notebook servers, pipeline
steps and scoring workers all use the one connection)."""

from __future__ import annotations

from traitlets import CaselessStrEnum, Unicode
from traitlets.config import LoggingConfigurable

from ..kube.client import KubeConfig


class Kube(LoggingConfigurable):
    """The Kubernetes API connection of every Kubernetes backend."""

    config_mode = CaselessStrEnum(
        ["auto", "in-cluster", "kubeconfig"],
        default_value="auto",
        config=True,
        help="""How to reach the Kubernetes API: ``in-cluster`` (the pod's service account),
        ``kubeconfig`` (``Kube.config_file``/``Kube.context``), or ``auto`` (in-cluster when
        available, else the kubeconfig).""",
    )
    api_host = Unicode(
        "", config=True, help="Talk to this API URL directly instead (``kubectl proxy``, tests)."
    )
    config_file = Unicode(
        "",
        config=True,
        help="The kubeconfig file to read (empty: ``~/.kube/config`` or $KUBECONFIG).",
    )
    context = Unicode(
        "", config=True, help="The kubeconfig context to use (empty: the file's current context)."
    )
    cluster_domain = Unicode(
        "cluster.local", config=True, help="The cluster's DNS domain, to reach notebook Services."
    )

    def client_config(self) -> KubeConfig:
        """These settings as the Kubernetes client takes them."""
        return KubeConfig(
            mode=self.config_mode,
            host=self.api_host,
            config_file=self.config_file,
            context=self.context,
        )
