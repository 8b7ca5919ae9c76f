"""The whole schema: imports every domain's ORM models so that ``Base.metadata`` lists
all tables. Alembic's environment and the schema test read the metadata from here; a new
domain adds its models module below."""

from __future__ import annotations

import jupyter_mlops.tracking.store.models  # noqa: F401  (registers the tracking tables)
from jupyter_mlops.database.base import Base, include_object_for

metadata = Base.metadata

__all__ = ["include_object_for", "metadata"]
