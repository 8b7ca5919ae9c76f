"""Signing in on a user's subdomain (``subdomain_host``), as JupyterHub's services do.

Our login cookie is host-only: a browser never sends it to ``alice.example.com``, and that
is the point of subdomains. So the proxy there sends an unauthenticated browser to
``{base_url}mlops/servers-login?next=...`` on the main host, where it is signed in; that
answers with a redirect back to the subdomain's ``{base_url}mlops/servers-callback``
carrying a code: signed with the server's cookie secret, valid for a minute, once, for that
user on that host only. The callback trades it for a cookie of that host alone (HttpOnly,
SameSite=Lax, signed, naming the user and the host), which the proxy accepts there.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from jupyter_server.auth.decorator import allow_unauthenticated, authorized
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from .handlers.base import AUTH_RESOURCE, SETTING_PROXY_POLICY
from .proxy_policy import ProxyPolicy, hostname

LOGIN_PATH = "mlops/servers-login"
CALLBACK_PATH = "mlops/servers-callback"
#: The cookie that names the viewer on an owner's subdomain.
COOKIE_NAME = "mlops-proxy-user"
COOKIE_MAX_AGE_DAYS = 1
CODE_MAX_AGE_S = 60
_CODE_NAME = "mlops-proxy-code"
#: Where the extension's LoginCodes live in the tornado settings (made on first use).
SETTING_LOGIN_CODES = "mlops_proxy_login_codes"


class LoginCodes:
    """Short-lived, single-use codes naming a user for one host.

    Signed (tornado's signed values) with the server's cookie secret, so any process with
    that secret can check one; "single use" is kept in this process's memory, so with
    several replicas a code could be replayed on another within its minute.
    """

    def __init__(
        self,
        secret: str | bytes,
        max_age_s: float = CODE_MAX_AGE_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._max_age_s = max_age_s
        self._clock = clock
        self._used: dict[str, float] = {}  # nonce -> when it may be forgotten
        self._lock = threading.Lock()

    def issue(self, user: str, host: str) -> str:
        payload = json.dumps({"user": user, "host": host, "nonce": secrets.token_urlsafe(16)})
        signed = web.create_signed_value(self._secret, _CODE_NAME, payload, clock=self._clock)
        return signed.decode("ascii")

    def redeem(self, code: str, host: str) -> str | None:
        """The user ``code`` names, if it is genuine, fresh, unused and for ``host``."""
        raw = web.decode_signed_value(
            self._secret,
            _CODE_NAME,
            code,
            max_age_days=self._max_age_s / 86400,
            clock=self._clock,
        )
        if raw is None:
            return None
        try:
            payload = json.loads(raw)
            user, bound_host, nonce = payload["user"], payload["host"], payload["nonce"]
        except (ValueError, KeyError, TypeError):
            return None
        if bound_host != host or not isinstance(user, str):
            return None
        now = self._clock()
        with self._lock:
            self._used = {n: t for n, t in self._used.items() if t > now}
            if nonce in self._used:
                return None
            self._used[nonce] = now + self._max_age_s + 1
        return user


def login_codes(settings: dict[str, Any]) -> LoginCodes:
    codes = settings.get(SETTING_LOGIN_CODES)
    if codes is None:
        codes = settings.setdefault(SETTING_LOGIN_CODES, LoginCodes(settings["cookie_secret"]))
    assert isinstance(codes, LoginCodes)
    return codes


def proxy_policy(handler: web.RequestHandler) -> ProxyPolicy:
    policy = handler.settings.get(SETTING_PROXY_POLICY)
    return policy if isinstance(policy, ProxyPolicy) else ProxyPolicy()


def servers_path(base_url: str) -> str:
    """``{base_url}mlops/servers/``: the proxy's paths, and the subdomain cookie's."""
    return url_path_join(base_url, "mlops/servers/")


def accepts_host(handler: JupyterHandler) -> bool:
    """jupyter_server's Host check, widened to the main host and owners' subdomains of
    ``subdomain_host`` (configured by the admin, so no DNS-rebinding risk): on a laptop,
    ``http://localhost:8888`` serves ``alice.localhost``, which the default check refuses."""
    return proxy_policy(handler).serves(handler.request.host) or JupyterHandler.check_host(handler)


def set_viewer_cookie(handler: web.RequestHandler, user: str, host: str) -> None:
    policy = proxy_policy(handler)
    handler.set_signed_cookie(
        COOKIE_NAME,
        json.dumps({"user": user, "host": host}),
        expires_days=COOKIE_MAX_AGE_DAYS,
        path=servers_path(handler.settings.get("base_url", "/")),
        httponly=True,
        samesite="Lax",
        secure=policy.secure,
    )


def viewer_from_cookie(handler: web.RequestHandler) -> str | None:
    """The user our subdomain cookie names, if it is genuine and was issued for this host."""
    raw = handler.get_signed_cookie(COOKIE_NAME, max_age_days=COOKIE_MAX_AGE_DAYS)
    if raw is None:
        return None
    try:
        payload = json.loads(raw)
        user, host = payload["user"], payload["host"]
    except (ValueError, KeyError, TypeError):
        return None
    if host != hostname(handler.request.host) or not isinstance(user, str):
        return None
    return user


def login_redirect(handler: JupyterHandler) -> str:
    """Where an unauthenticated browser on an owner's subdomain signs in."""
    policy = proxy_policy(handler)
    here = f"{policy.origin_of(handler.request.host)}{handler.request.uri}"
    query = urllib.parse.urlencode({"next": here})
    return f"{policy.main_origin}{url_path_join(handler.base_url, LOGIN_PATH)}?{query}"


class ServersLoginHandler(JupyterHandler):
    """On the main host, signed in as usual: send the browser back to the subdomain in
    ``next`` with a code for it."""

    auth_resource = AUTH_RESOURCE

    def check_host(self) -> bool:
        return accepts_host(self)

    @web.authenticated
    @authorized
    def get(self) -> None:
        policy = proxy_policy(self)
        if not policy.subdomains or hostname(self.request.host) != policy.domain:
            raise web.HTTPError(404)
        target = self.get_argument("next", "")
        parts = urllib.parse.urlsplit(target)
        if not policy.owner_url(target) or not parts.path.startswith(servers_path(self.base_url)):
            raise web.HTTPError(400, "next must be a notebook server's address on its subdomain")
        assert self.current_user is not None
        code = login_codes(self.settings).issue(self.current_user.username, hostname(parts.netloc))
        back = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
        query = urllib.parse.urlencode({"code": code, "next": back})
        origin = f"{parts.scheme}://{parts.netloc}"
        self.redirect(f"{origin}{url_path_join(self.base_url, CALLBACK_PATH)}?{query}")


class ServersCallbackHandler(JupyterHandler):
    """On an owner's subdomain: trade a code for this host's cookie, then go on."""

    def check_host(self) -> bool:
        return accepts_host(self)

    @allow_unauthenticated  # the code is the credential (checked below)
    def get(self) -> None:
        policy = proxy_policy(self)
        host = hostname(self.request.host)
        if not policy.serves(host) or host == policy.domain:
            raise web.HTTPError(404)
        user = login_codes(self.settings).redeem(self.get_argument("code", ""), host)
        if user is None:
            raise web.HTTPError(403, "this sign-in link is invalid, expired or used")
        target = urllib.parse.urlsplit(self.get_argument("next", ""))
        origin = f"{target.scheme}://{target.netloc}"
        if (
            hostname(target.netloc) != host
            or origin != policy.origin_of(self.request.host)
            or not target.path.startswith(servers_path(self.base_url))
        ):
            raise web.HTTPError(400, "next must be a notebook server's address on this host")
        set_viewer_cookie(self, user, host)
        # The same host: a path (and query) only, never an address elsewhere.
        self.redirect(urllib.parse.urlunsplit(("", "", target.path, target.query, "")))


def login_handlers() -> list[tuple[str, type[web.RequestHandler]]]:
    """The sign-in routes, relative to ``{base_url}`` (ExtensionApp joins it on)."""
    return [
        (f"{LOGIN_PATH}$", ServersLoginHandler),
        (f"{CALLBACK_PATH}$", ServersCallbackHandler),
    ]
