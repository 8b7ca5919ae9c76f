"""Secrets the server must be able to read back (a notebook server's token, which the
proxy presents upstream), kept encrypted at rest with the server's key, as JupyterHub's
CryptKeeper keeps ``auth_state``: Fernet (AES-128-CBC with an HMAC-SHA256 tag)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

#: Marks a sealed value, so that a plain value left by an older version is recognised.
SEALED_PREFIX = "sealed:"


def load_or_create_key(path: Path) -> str:
    """The key in ``path``; a new one written there (mode 0600) when the file is missing."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Fernet.generate_key().decode("ascii")
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it meanwhile: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


class Sealer:
    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise ValueError(
                "MlopsExtension.crypt_key must be 32 url-safe base64-encoded bytes "
                "(cryptography.fernet.Fernet.generate_key())"
            ) from exc

    def seal(self, value: str) -> str:
        return SEALED_PREFIX + self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def unseal(self, value: str) -> str:
        """The plain value of a sealed one; a value that was never sealed comes back as is
        (written by a version that stored it in plain text)."""
        if not value.startswith(SEALED_PREFIX):
            return value
        try:
            return self._fernet.decrypt(value[len(SEALED_PREFIX) :].encode("ascii")).decode()
        except InvalidToken:
            raise ValueError("a sealed secret does not match MlopsExtension.crypt_key") from None

    @staticmethod
    def is_sealed(value: str) -> bool:
        return value.startswith(SEALED_PREFIX)
