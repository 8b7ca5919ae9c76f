"""Who a user's local processes run as, and with what environment: one policy object,
built by the extension from its mode and settings, handed to every local backend."""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PermissionDenied
from .accounts import OsAccount, lookup_account
from .environment import DEFAULT_ENVIRONMENT_ALLOWLIST, child_environment


class UserMode(str, enum.Enum):
    """Single-user: one person owns the server and the machine account it runs as
    (jupyter_server's own token or password). Multi-user: an identity provider names
    several users (JupyterHub's, or another), who must be kept apart."""

    SINGLE = "single-user"
    MULTI = "multi-user"


# What an OS account name may be (POSIX portable names, as useradd accepts them).
_ACCOUNT_NAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}$")


@dataclass(frozen=True)
class ProcessPolicy:
    mode: UserMode = UserMode.SINGLE
    #: How a user name becomes an OS account name (``{username}``), in multi-user mode.
    account_template: str = "{username}"
    allowlist: tuple[str, ...] = DEFAULT_ENVIRONMENT_ALLOWLIST
    #: Where processes cannot switch accounts (the server is not root), say so here.
    can_switch_accounts: bool = field(default_factory=lambda: os.geteuid() == 0)

    @property
    def multi_user(self) -> bool:
        return self.mode is UserMode.MULTI

    def account_for(self, owner: str, *, backend: str = "local") -> OsAccount | None:
        """The account ``owner``'s processes run as: None in single-user mode (the
        server's own, which belongs to the one user); in multi-user mode the owner's own
        account, or PermissionDenied saying why there is none."""
        if not self.multi_user:
            return None
        if not self.can_switch_accounts:
            raise PermissionDenied(
                f"this server runs in multi-user mode but not as root, so the {backend} "
                f"backend cannot run {owner!r}'s processes as {owner!r}'s own account; "
                "use the Kubernetes backends for several users (see docs/security.md)",
                field="owner",
            )
        name = self.account_template.format(username=owner).lower()
        if not _ACCOUNT_NAME.match(name):
            raise PermissionDenied(
                f"the user {owner!r} maps to {name!r}, which is no valid account name; "
                "set MlopsExtension.local_account_template or use the Kubernetes backends",
                field="owner",
            )
        return lookup_account(name)

    def environment(
        self, extra: Mapping[str, str] | None = None, account: OsAccount | None = None
    ) -> dict[str, str]:
        return child_environment(extra, account=account, allowlist=self.allowlist)

    @staticmethod
    def popen_options(account: OsAccount | None) -> dict[str, Any]:
        """Extra ``subprocess.Popen`` options: the account switch and a private umask in
        multi-user mode; nothing in single-user mode (the process is the server's user's)."""
        return {} if account is None else account.popen_options()

    @staticmethod
    def private_folder(path: Path, account: OsAccount | None, mode: int = 0o700) -> Path:
        """Create ``path`` (and missing parents, private to the server) for a process of
        ``account``: its own, mode ``mode``, unreadable to other accounts."""
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o711)
        path.mkdir(exist_ok=True, mode=mode)
        os.chmod(path, mode)
        if account is not None:
            account.owns(path)
        return path
