"""Safe, collision-free DNS-1123 names derived from user and server names.

The scheme follows KubeSpawner's ``safe_slug``/``multi_slug`` (reimplemented): a name that
is already a valid lower-case label is kept as it is; anything else is lower-cased, runs of
other characters become ``-``, it is truncated, and ``---`` plus 8 hex digits of the
SHA-256 of the *original* name is appended, so ``user@example.com`` and
``User.Example.Com`` (or ``a-b`` vs ``a.b``) never collide. ``---`` never occurs in a name
kept unchanged (a valid name containing ``--`` is hashed too), so a hashed and an
unhashed name cannot collide either.
"""

from __future__ import annotations

import hashlib
import re

#: DNS-1123 label: what Service names need (and so what every name of ours satisfies).
_VALID = re.compile(r"^[a-z]([a-z0-9-]*[a-z0-9])?$")
_INVALID_RUN = re.compile(r"[^a-z0-9]+")
HASH_LENGTH = 8
MAX_NAME_LENGTH = 63


def is_valid_name(name: str, max_length: int = MAX_NAME_LENGTH) -> bool:
    """A DNS-1123 label starting with a letter, at most ``max_length`` characters."""
    return 0 < len(name) <= max_length and _VALID.match(name) is not None


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def _strip(name: str, max_length: int) -> str:
    slug = _INVALID_RUN.sub("-", name.lower()).strip("-")[:max_length].rstrip("-")
    if not slug or not slug[0].isalpha():
        slug = ("x-" + slug)[:max_length].rstrip("-") if slug else "x"
    return slug


def safe_slug(name: str, max_length: int = 32) -> str:
    """``name`` itself when it is a valid name without ``--``, else a hashed slug."""
    if "--" not in name and is_valid_name(name, max_length):
        return name
    keep = max_length - HASH_LENGTH - 3
    if keep < 1:
        raise ValueError(f"max_length {max_length} leaves no room for the name")
    return f"{_strip(name, keep)}---{_hash(name)}"


def multi_slug(parts: list[str], max_length: int = 48) -> str:
    """One name for several parts (user, server): ``a--b``, hashed as a whole when any part
    needed changing or the result would be too long."""
    simple = "--".join(parts)
    if all("--" not in p and is_valid_name(p) for p in parts) and len(simple) <= max_length:
        return simple
    room = max_length - HASH_LENGTH - 3 - 2 * (len(parts) - 1)
    share = max(1, room // len(parts))
    stripped = "--".join(_strip(p, share) for p in parts)
    digest = _hash("\xff".join(parts))
    return f"{stripped}---{digest}"
