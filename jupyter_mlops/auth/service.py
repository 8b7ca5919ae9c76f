"""Issuing, listing, revoking and recognising owner-scoped API tokens, with permissions.

A user manages their own tokens; admins see and revoke everyone's and may issue tokens
for others. The notebook service issues one per notebook-server start for the server's
owner (``issue_server_token``) and revokes it when the server stops or is deleted; the
cluster pipeline backends one per pipeline-run submission for the run's owner
(``issue_pipeline_token``), revoked when the run ends.
Methods block (store) and run in the server's thread pool.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable

from ..errors import InvalidParameter, NotFound, PermissionDenied
from ..tracking.entities import Page
from .entities import DISPLAY_PREFIX_LENGTH, TOKEN_PREFIX, ApiToken, hash_token
from .store import SqlTokenStore, parse_token_id

#: Longest note accepted (a note says what the token is for).
MAX_NOTE_LENGTH = 1000
#: Longest lifetime a token may be given, in seconds (ten years).
MAX_EXPIRES_IN_S = 10 * 365 * 24 * 3600
#: Only record a use when the last recorded one is older than this (ms): one write per
#: request would make every metric batch of a busy run pay for a database write.
LAST_USED_RESOLUTION_MS = 60_000
#: Lifetime of a pipeline run's token, in seconds (seven days): revoked when the run ends,
#: the expiry bounds what a token left behind by a lost run can do.
PIPELINE_TOKEN_EXPIRES_IN_S = 7 * 24 * 3600


def _now_ms() -> int:
    return int(time.time() * 1000)


def new_secret() -> str:
    """A new token: our prefix and 256 random bits (URL-safe base64)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def server_key(owner: str, name: str) -> str:
    """How a token records the notebook server it was issued for."""
    return f"{owner}/{name}"


def kernels_key(server_url: str) -> str:
    """How a token records the jupyter server whose kernels it was issued for (a restart
    at the same URL replaces it; the prefix keeps it apart from the other keys)."""
    return f"server-kernels:{server_url}"


def pipeline_run_key(run_id: str) -> str:
    """How a token records the pipeline run it was issued for (in the column of notebook
    servers: no ``/`` in it, so it never equals a :func:`server_key`)."""
    return f"pipeline-run:{run_id}"


def scoring_key(worker: str) -> str:
    """How a token records the scoring worker (pod) it was issued for."""
    return f"scoring:{worker}"


class TokenService:
    def __init__(
        self,
        store: SqlTokenStore,
        admins: Iterable[str],
        clock_ms: Callable[[], int] = _now_ms,
    ) -> None:
        self.store = store
        self.admins = frozenset(admins)
        self._clock_ms = clock_ms

    def is_admin(self, user: str) -> bool:
        return user in self.admins

    # -- users' tokens ---------------------------------------------------------------------
    def create_token(
        self,
        user: str,
        note: str = "",
        expires_in: int | None = None,
        owner: str | None = None,
    ) -> tuple[ApiToken, str]:
        """Issue a token acting as ``owner`` (default: ``user``; others need an admin).

        Returns the record and the secret, which is never shown again."""
        owner = user if owner is None else owner
        if not isinstance(owner, str) or not owner or len(owner) > 256:
            raise InvalidParameter(
                "owner must be a user name of 1 to 256 characters", field="owner"
            )
        if owner != user and not self.is_admin(user):
            raise PermissionDenied(f"{user} may not issue tokens for {owner}", field="owner")
        if not isinstance(note, str) or len(note) > MAX_NOTE_LENGTH:
            raise InvalidParameter(
                f"note must be text of at most {MAX_NOTE_LENGTH} characters", field="note"
            )
        if expires_in is not None and (
            isinstance(expires_in, bool)
            or not isinstance(expires_in, int)
            or not 1 <= expires_in <= MAX_EXPIRES_IN_S
        ):
            raise InvalidParameter(
                f"expires_in must be a number of seconds from 1 to {MAX_EXPIRES_IN_S}, or null",
                field="expires_in",
            )
        return self._issue(owner, note, expires_in, None)

    def list_tokens(
        self,
        user: str,
        owner: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> Page[ApiToken]:
        """A user's own tokens; admins see everyone's (or ``owner``'s)."""
        if not self.is_admin(user):
            if owner not in (None, user):
                raise PermissionDenied(f"{user} may not list the tokens of {owner}", field="owner")
            owner = user
        return self.store.search(owner=owner, max_results=max_results, page_token=page_token)

    def get_token(self, user: str, token_id: str) -> ApiToken:
        token = self.store.get(parse_token_id(token_id))
        # Someone else's token is "not found" to a non-admin: ids reveal nothing.
        if token is None or (token.owner != user and not self.is_admin(user)):
            raise NotFound(f"no API token {token_id}")
        return token

    def revoke_token(self, user: str, token_id: str) -> None:
        token = self.get_token(user, token_id)
        self.store.delete(int(token.id))

    # -- requests --------------------------------------------------------------------------
    def authenticate(self, secret: str) -> ApiToken | None:
        """The live token ``secret`` is, or None (unknown, revoked or expired)."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        token = self.store.find_by_hash(hash_token(secret))
        now = self._clock_ms()
        if token is None or token.expired(now):
            return None
        if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION_MS:
            self.store.touch(int(token.id), now)
        return token

    # -- notebook servers ------------------------------------------------------------------
    def issue_server_token(self, owner: str, name: str) -> str:
        """A fresh token for the notebook server ``owner/name`` (acting as ``owner``),
        replacing the tokens issued for it before. Returns the secret."""
        key = server_key(owner, name)
        self.store.delete_for_server(key)
        _, secret = self._issue(owner, f"notebook server {key}", None, key)
        return secret

    def revoke_server_tokens(self, owner: str, name: str) -> int:
        return self.store.delete_for_server(server_key(owner, name))

    # -- this server's kernels -------------------------------------------------------------
    def issue_kernel_token(self, owner: str, server_url: str) -> str:
        """A fresh token for the kernels the (single-user) server at ``server_url`` starts,
        acting as ``owner``, replacing the one issued at its last start. Returns the secret."""
        key = kernels_key(server_url)
        self.store.delete_for_server(key)
        _, secret = self._issue(owner, f"kernels of {server_url}", None, key)
        return secret

    def revoke_kernel_tokens(self, server_url: str) -> int:
        return self.store.delete_for_server(kernels_key(server_url))

    # -- pipeline runs ---------------------------------------------------------------------
    def issue_pipeline_token(
        self, owner: str, run_id: str, expires_in: int = PIPELINE_TOKEN_EXPIRES_IN_S
    ) -> str:
        """A fresh token for the steps of pipeline run ``run_id`` (acting as its ``owner``),
        replacing the tokens issued for the run before. Returns the secret."""
        key = pipeline_run_key(run_id)
        self.store.delete_for_server(key)
        _, secret = self._issue(owner, f"pipeline run {run_id}", expires_in, key)
        return secret

    def revoke_pipeline_tokens(self, run_id: str) -> int:
        return self.store.delete_for_server(pipeline_run_key(run_id))

    # -- scoring workers -------------------------------------------------------------------
    def issue_scoring_token(self, owner: str, worker: str) -> str:
        """A fresh token for the scoring worker ``worker`` (a pod, acting as the model's
        ``owner`` to download its files), replacing any issued for it before."""
        key = scoring_key(worker)
        self.store.delete_for_server(key)
        _, secret = self._issue(owner, f"scoring worker {worker}", None, key)
        return secret

    def revoke_scoring_tokens(self, worker: str) -> int:
        return self.store.delete_for_server(scoring_key(worker))

    def _issue(
        self, owner: str, note: str, expires_in: int | None, notebook_server: str | None
    ) -> tuple[ApiToken, str]:
        secret = new_secret()
        now = self._clock_ms()
        token = self.store.create(
            owner=owner,
            token_hash=hash_token(secret),
            prefix=secret[:DISPLAY_PREFIX_LENGTH],
            note=note,
            created_at=now,
            expires_at=None if expires_in is None else now + expires_in * 1000,
            notebook_server=notebook_server,
        )
        return token, secret
