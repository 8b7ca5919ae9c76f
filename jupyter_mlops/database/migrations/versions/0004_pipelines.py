"""Pipelines: pipeline specs, pipeline runs, step runs, schedules.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # PLACEHOLDER: filled in by the pipelines work in progress


def downgrade() -> None:
    pass
