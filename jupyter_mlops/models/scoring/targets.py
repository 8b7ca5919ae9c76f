"""What a predict request scores: the registered model version it names, the folder of
its files (confined to the artifact store) and whose OS account its worker runs as.

The rules live here, not in the handler: which version ``alias`` / ``version`` / neither
means, that a version's files must lie inside the artifact store (the registry confines
sources when they are registered; checked again here, since a symlink on the way could
have changed since), and whose account runs the model (its registered owner's, in
multi-user mode; the pool looks the account up when it starts a worker).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import InvalidParameter, NotFound
from ...processes import ProcessPolicy
from ...registry.sources import is_stored_here

if TYPE_CHECKING:
    from ...registry.entities import ModelVersion
    from ...registry.service import RegistryService


@dataclass(frozen=True)
class ScoringTarget:
    """One model version to score with, and the user whose OS account its worker runs as
    (``owner``; None in single-user mode, where workers run as the server's account)."""

    name: str
    version: str
    folder: Path
    owner: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str | None]:
        """What identifies its worker: the version, its files, and who it runs as."""
        return (self.name, self.version, str(self.folder), self.owner)


def choose_version(
    registry: RegistryService, user: str, name: str, alias: str | None, version: str | None
) -> ModelVersion:
    """The version ``alias`` or ``version`` names; with neither, the newest one."""
    if alias is not None and version is not None:
        raise InvalidParameter("Pass alias or version, not both", field="alias")
    if alias is not None:
        return registry.get_model_version_by_alias(user, name, alias)
    if version is not None:
        return registry.get_model_version(user, name, version)
    versions = registry.get_latest_versions(user, name)
    if not versions:
        raise NotFound(f"Registered model {name!r} has no versions", field="name")
    return max(versions, key=lambda mv: int(mv.version))


def confined_folder(registry: RegistryService, storage_location: str) -> Path:
    """The absolute folder of a version's files, refused outside the artifact store."""
    if not is_stored_here(storage_location):
        # A source recorded as given (a run or logged model we do not know, an object store).
        raise NotFound(
            f"The model's files are not in this server's artifact store ({storage_location!r})",
            field="name",
        )
    root = Path(registry.artifacts.root).resolve()
    folder = (root / storage_location).resolve()
    if not folder.is_relative_to(root):
        raise InvalidParameter("the model's files lie outside the artifact store", field="name")
    return folder


def resolve_target(
    registry: RegistryService,
    policy: ProcessPolicy,
    user: str,
    name: str,
    alias: str | None = None,
    version: str | None = None,
) -> ScoringTarget:
    """The target of ``user``'s predict request (blocking: reads the store).

    In multi-user mode the worker runs as the registered model's owner's account (see
    ``ProcessPolicy.account_for``: where there is none, the pool's start raises
    PermissionDenied saying why, naming the Kubernetes backends)."""
    chosen = choose_version(registry, user, name, alias, version)
    folder = confined_folder(registry, chosen.storage_location)
    owner = None
    if policy.multi_user:
        owner = registry.get_registered_model(user, chosen.name).owner
    return ScoringTarget(chosen.name, str(chosen.version), folder, owner)
