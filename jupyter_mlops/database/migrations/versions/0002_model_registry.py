"""Model registry: registered models, versions, aliases, tags and MLflow 3 logged models.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # PLACEHOLDER: filled in by the model_registry work in progress


def downgrade() -> None:
    pass
