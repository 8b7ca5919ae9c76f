"""API tokens: owner-scoped tokens for the REST API, stored as SHA-256 hashes."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jupyter_mlops.database.migrations.ddl import millis, owner_column, primary_key, surrogate_key

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        surrogate_key(),
        owner_column(),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("notebook_server", sa.String(330), nullable=True),
        millis("created_at"),
        millis("last_used", nullable=True),
        millis("expires_at", nullable=True),
        primary_key("api_tokens", "id"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_index("ix_api_tokens_owner", "api_tokens", ["owner", "id"])
    op.create_index("ix_api_tokens_notebook_server", "api_tokens", ["notebook_server"])


def downgrade() -> None:
    op.drop_index("ix_api_tokens_notebook_server", table_name="api_tokens")
    op.drop_index("ix_api_tokens_owner", table_name="api_tokens")
    op.drop_table("api_tokens")
