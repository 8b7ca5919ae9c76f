"""Alembic environment: always run online, on the connection the store hands over.

The store calls ``alembic.command.upgrade`` with ``config.attributes["connection"]`` set to
a connection that already holds the migration lock and an open transaction, so the
migrations run inside that transaction.
"""

from __future__ import annotations

from alembic import context

from jupyter_mlops.database.schema import include_object_for, metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("jupyter-mlops migrations run through Database.upgrade, not the CLI")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_object=include_object_for(connection.dialect.name),
)
with context.begin_transaction():
    context.run_migrations()
