"""Single-user or multi-user: which the server is, and what multi-user takes away.

Single-user is jupyter_server's own token or password login: one person, who owns the
machine account the server runs as, and who may run code there (that is what a Jupyter
server is for). Multi-user is any identity provider that names several users
(JupyterHub's, or a custom ``ServerApp.identity_provider_class``): then the server is a
shared service, like JupyterHub's hub, and nobody but an admin may run code in it or read
its files. Users run code in their own notebook servers instead.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.auth.identity import (
    IdentityProvider,
    LegacyIdentityProvider,
    PasswordIdentityProvider,
)
from jupyter_server.utils import ensure_async

from ..processes import UserMode

# jupyter_server's own providers: one shared token (or password), and an invented
# "anonymous" user per browser. Their users are not people.
SHARED_IDENTITY_PROVIDERS = (IdentityProvider, PasswordIdentityProvider, LegacyIdentityProvider)

#: jupyter_server's resources that run code as the server's account, read or write its
#: files, or stop it. In multi-user mode only admins reach them.
SERVER_ONLY_RESOURCES = frozenset(
    {"kernels", "kernelspecs", "sessions", "terminals", "contents", "nbconvert", "config", "server"}
)


def derive_user_mode(identity_provider: IdentityProvider, configured: str) -> UserMode:
    """The mode ``configured`` names, or (``auto``) the one the identity provider implies."""
    if configured != "auto":
        return UserMode(configured)
    if type(identity_provider) in SHARED_IDENTITY_PROVIDERS:
        return UserMode.SINGLE
    return UserMode.MULTI


class MultiUserAuthorizer(Authorizer):
    """Wraps the server's authorizer: in multi-user mode, jupyter_server's code and file
    endpoints (kernels, terminals, contents, shutdown...) are for admins only; everything
    else is decided by the wrapped authorizer as before."""

    def __init__(
        self, inner: Authorizer, admins: frozenset[str], shared_identity: bool, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.inner = inner
        self.admins = admins
        # jupyter_server's own login: whoever holds the token is the one (admin) user.
        self.shared_identity = shared_identity

    async def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        admin = self.shared_identity or user.username in self.admins
        if resource in SERVER_ONLY_RESOURCES and not admin:
            handler.log.warning(
                "multi-user mode: %s may not %s %s on this server (admins only)",
                user.username,
                action,
                resource,
            )
            return False
        return bool(await ensure_async(self.inner.is_authorized(handler, user, action, resource)))
