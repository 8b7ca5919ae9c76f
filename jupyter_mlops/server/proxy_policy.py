"""How the notebook-server proxy treats callers and pages (see ``proxy``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProxyPolicy:
    #: Admins may open other users' servers (JupyterHub's ``admin_access``).
    admin_access: bool = False
    #: ``https://example.com``: each owner's servers are served from ``<owner>.example.com``.
    subdomain_host: str = ""
