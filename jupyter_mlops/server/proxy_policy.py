"""How the notebook-server proxy treats callers and pages (see ``proxy``): pure rules, no I/O.

Two ways to keep a user's pages from acting as whoever views them:

- without ``subdomain_host`` every proxied page is served on our own origin, so a
  response to anyone but the server's owner carries a sandboxing Content-Security-Policy
  without ``allow-same-origin``: the page runs in an opaque origin that can neither read
  our cookies nor call our API with them (JupyterLab's own interface cannot run that way;
  see docs/security.md). A page shown to its owner is not sandboxed: its scripts are the
  owner's code acting as the owner, which gains nobody anything, and JupyterLab works;
  nor in single-user mode, where one person owns every server;
- with ``subdomain_host = "https://example.com"`` (JupyterHub's setting) alice's servers are
  served only on ``alice.example.com``, an origin of their own that our host-only login
  cookie never reaches, and no sandbox is needed.
"""

from __future__ import annotations

import enum
import re
import urllib.parse
from dataclasses import dataclass

from ..kube.names import MAX_NAME_LENGTH, safe_slug

#: Scripts, forms, popups, downloads and dialogs work; without ``allow-same-origin`` the page
#: gets an opaque origin: no access to our cookies, storage or same-origin requests.
SANDBOX = "sandbox allow-scripts allow-forms allow-popups allow-downloads allow-modals"
#: Only pages of the same origin may frame a proxied page (clickjacking).
FRAME_ANCESTORS = "frame-ancestors 'self'"

_PORT = re.compile(r":\d*$")


class HostRole(enum.Enum):
    """What a request's host is to the server it asks for (with ``subdomain_host``)."""

    MAIN = "main"  # the host of subdomain_host: redirected to the owner's subdomain
    OWNER = "owner"  # the owner's own subdomain: served
    OTHER = "other"  # anything else (another user's subdomain, an address): refused


def hostname(host: str) -> str:
    """The name in a ``Host`` header: lower case, without port, brackets or final dot."""
    name = host.strip().lower()
    if name.startswith("["):  # an IPv6 literal, [::1]:8888
        return name[1 : name.find("]")] if "]" in name else name
    return _PORT.sub("", name).rstrip(".")


def _validated(subdomain_host: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(subdomain_host)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ValueError(
            f"MlopsExtension.subdomain_host must be a URL such as https://example.com "
            f"(scheme, host and optional port only), not {subdomain_host!r}"
        )
    return parts


def owner_label(owner: str) -> str:
    """The DNS label of ``owner``'s subdomain: the name itself when it is a valid lower-case
    label, else a collision-free escaped one (``Alice`` and ``alice`` differ, as DNS would
    not tell them apart)."""
    return safe_slug(owner, MAX_NAME_LENGTH)


def without_frame_ancestors(policy: str) -> str:
    """An upstream Content-Security-Policy minus its ``frame-ancestors`` directives (ours
    decides who frames a proxied page); "" when nothing else is left."""
    kept = [
        directive.strip()
        for directive in policy.split(";")
        if directive.strip() and directive.split()[0].lower() != "frame-ancestors"
    ]
    return "; ".join(kept)


@dataclass(frozen=True)
class ProxyPolicy:
    #: Admins may open other users' servers (JupyterHub's ``admin_access``).
    admin_access: bool = False
    #: ``https://example.com``: each owner's servers are served from ``<owner>.example.com``.
    subdomain_host: str = ""
    #: Single-user mode: one person owns every server (and the account they run as), so
    #: they open all of them, unsandboxed.
    single_user: bool = False

    def __post_init__(self) -> None:
        if self.subdomain_host:
            _validated(self.subdomain_host)

    @property
    def subdomains(self) -> bool:
        return bool(self.subdomain_host)

    @property
    def _parts(self) -> urllib.parse.SplitResult:
        return _validated(self.subdomain_host)

    @property
    def domain(self) -> str:
        """The main host's name (``example.com``); owners' hosts are its subdomains."""
        return hostname(self._parts.hostname or "")

    @property
    def secure(self) -> bool:
        return self._parts.scheme == "https"

    def _origin(self, name: str) -> str:
        port = f":{self._parts.port}" if self._parts.port else ""
        return f"{self._parts.scheme}://{name}{port}"

    @property
    def main_origin(self) -> str:
        return self._origin(self.domain)

    def origin_of(self, host: str) -> str:
        """The configured scheme and port with the name of ``host`` (a request's Host)."""
        return self._origin(hostname(host))

    def owner_host(self, owner: str) -> str:
        return f"{owner_label(owner)}.{self.domain}"

    def owner_origin(self, owner: str) -> str:
        return self._origin(self.owner_host(owner))

    def role(self, host: str, owner: str) -> HostRole:
        """What a request on ``host`` for one of ``owner``'s servers is (ports are not
        compared: cookies, the reason for subdomains, ignore them too)."""
        name = hostname(host)
        if name == self.owner_host(owner):
            return HostRole.OWNER
        if name == self.domain:
            return HostRole.MAIN
        return HostRole.OTHER

    def serves(self, host: str) -> bool:
        """Whether ``host`` is the main host or one owner's subdomain (one label below)."""
        if not self.subdomains:
            return False
        name = hostname(host)
        label, _, rest = name.partition(".")
        return name == self.domain or (rest == self.domain and bool(label))

    def owner_url(self, url: str) -> bool:
        """Whether ``url`` is an address on some owner's subdomain (where a login may
        send the browser back to)."""
        try:
            parts = urllib.parse.urlsplit(url)
            port = parts.port
        except ValueError:  # a port that is no number
            return False
        name = hostname(parts.netloc)
        return (
            self.subdomains
            and parts.scheme == self._parts.scheme
            and "@" not in parts.netloc
            and port == self._parts.port
            and name != self.domain
            and self.serves(name)
        )

    @property
    def admins_open_others(self) -> bool:
        """Whether admins may open servers they do not own (``admin_access``)."""
        return self.admin_access or self.single_user

    def content_security_policy(self, viewer_is_owner: bool = False) -> str:
        """Our Content-Security-Policy of a proxied response (sent besides what is left of
        the upstream's: browsers enforce every policy, so the upstream cannot loosen it).
        ``viewer_is_owner``: the response goes to the server's owner (False until known)."""
        if self.subdomains or self.single_user or viewer_is_owner:
            return FRAME_ANCESTORS
        return f"{FRAME_ANCESTORS}; {SANDBOX}"
