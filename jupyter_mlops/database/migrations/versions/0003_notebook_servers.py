"""Notebook servers: specs, computed object names, status and activity.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # PLACEHOLDER: filled in by the notebook_servers work in progress


def downgrade() -> None:
    pass
