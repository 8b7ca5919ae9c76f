"""The whole schema: imports every domain's ORM models so that ``Base.metadata`` lists
all tables. Alembic's environment and the schema test read the metadata from here; a new
domain adds its models module below."""

from __future__ import annotations

# Imported for their side effect: each module registers its tables on Base.metadata.
import jupyter_mlops.auth.models  # API tokens
import jupyter_mlops.notebooks.models  # notebook servers
import jupyter_mlops.pipelines.server.store.models  # pipelines, runs, steps, schedules
import jupyter_mlops.registry.logged_models.models  # logged models
import jupyter_mlops.registry.store.models  # model registry
import jupyter_mlops.tracking.store.models  # noqa: F401  (experiments, runs, metrics)
from jupyter_mlops.database.base import Base, include_object_for

metadata = Base.metadata

__all__ = ["include_object_for", "metadata"]
