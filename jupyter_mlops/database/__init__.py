"""The one SQL database every domain stores into: engine and units of work
(:mod:`.engine`), the shared declarative base (:mod:`.base`), and the Alembic migrations
applied on open (``migrations/``)."""
