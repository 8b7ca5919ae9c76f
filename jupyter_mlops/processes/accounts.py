"""Operating-system accounts that user processes run as (multi-user mode, local backends).

As JupyterHub's LocalProcessSpawner: the account is looked up by name, the process gets
its uid, primary gid and supplementary groups, and a login's ``HOME``, ``USER`` and
``SHELL``. Root and the server's own account are never a user's account: a process of
either could read the server's secrets.
"""

from __future__ import annotations

import grp
import os
import pwd
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PermissionDenied


@dataclass(frozen=True)
class OsAccount:
    name: str
    uid: int
    gid: int
    groups: tuple[int, ...]
    home: str
    shell: str

    def login_environment(self) -> dict[str, str]:
        return {"HOME": self.home, "USER": self.name, "LOGNAME": self.name, "SHELL": self.shell}

    def popen_options(self) -> dict[str, Any]:
        """``subprocess.Popen`` options that drop to this account in the child, before
        it executes anything (groups first, then gid, then uid), with a private umask."""
        return {
            "user": self.uid,
            "group": self.gid,
            "extra_groups": list(self.groups),
            "umask": 0o077,
        }

    def owns(self, path: Path) -> None:
        """Make ``path`` (created by the server) this account's own."""
        os.chown(path, self.uid, self.gid)


def lookup_account(name: str) -> OsAccount:
    """The account called ``name``; PermissionDenied when there is none, or when it is
    root or the account this server runs as."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise PermissionDenied(
            f"there is no operating-system account {name!r} to run {name!r}'s processes as; "
            "create it, or run user processes on Kubernetes instead "
            "(NotebookServers.backend_class / Pipelines.backend_class)",
            field="owner",
        ) from None
    if entry.pw_uid == 0 or entry.pw_uid == os.geteuid():
        raise PermissionDenied(
            f"the account {name!r} is root or the server's own account; user processes "
            "never run as either (set MlopsExtension.local_account_template, or run user "
            "processes on Kubernetes instead)",
            field="owner",
        )
    groups = tuple(sorted({g.gr_gid for g in grp.getgrall() if name in g.gr_mem} | {entry.pw_gid}))
    return OsAccount(
        name=entry.pw_name,
        uid=entry.pw_uid,
        gid=entry.pw_gid,
        groups=groups,
        home=entry.pw_dir,
        shell=entry.pw_shell or "/bin/sh",
    )
