"""What tracking needs to know of logged models, which another domain owns.

A run names the logged models it used (``run_model_inputs``, a tracking table) and is
named by the models it produced (their ``source_run_id``). The logged models' own tables
are not tracking's to read: the logged-models service answers these two questions, for a
whole page of runs at once, and is handed to :class:`~.service.TrackingService` when the
services are wired.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .entities import LoggedModelRef


class LoggedModelCatalog(Protocol):
    """The two questions tracking asks about logged models; each is one batched query."""

    def names_of(self, model_ids: Sequence[str]) -> dict[str, str]:
        """id -> name of the logged models among ``model_ids`` (deleted ones too); an id
        missing from the answer names no logged model."""
        ...

    def produced_by(self, run_ids: Sequence[str]) -> dict[str, list[LoggedModelRef]]:
        """run id -> the live logged models that run produced, oldest first."""
        ...


class NoLoggedModels:
    """The catalog of a tracking service wired without logged models: it knows none."""

    def names_of(self, model_ids: Sequence[str]) -> dict[str, str]:
        return {}

    def produced_by(self, run_ids: Sequence[str]) -> dict[str, list[LoggedModelRef]]:
        return {}
