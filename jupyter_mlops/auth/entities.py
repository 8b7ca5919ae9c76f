"""What the token store hands out: a token's record, never its secret (only its hash is
stored; the secret is shown once, when the token is created)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

#: Every token we issue starts with this, so that a request's token can be told apart from
#: jupyter_server's own token without a database lookup (and so that leaked tokens are
#: recognisable by secret scanners).
TOKEN_PREFIX = "mlops_"

#: How many leading characters of a token are kept in clear, to tell tokens apart in lists.
DISPLAY_PREFIX_LENGTH = len(TOKEN_PREFIX) + 4


def hash_token(token: str) -> str:
    """The stored form of a token. A plain SHA-256 suffices: tokens carry 256 random bits,
    so there is nothing to brute-force (salting and stretching protect low-entropy
    passwords, and would make every authenticated request slow)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ApiToken:
    """One API token: who it acts as, why it exists, and its lifetime (epoch ms)."""

    id: str
    owner: str
    note: str
    #: The first characters of the secret ("mlops_AbCd"), to recognise it in a list.
    prefix: str
    created_at: int
    last_used: int | None
    expires_at: int | None
    #: ``owner/name`` of the notebook server the token was issued for, if any.
    notebook_server: str | None

    def expired(self, now_ms: int) -> bool:
        return self.expires_at is not None and self.expires_at <= now_ms
