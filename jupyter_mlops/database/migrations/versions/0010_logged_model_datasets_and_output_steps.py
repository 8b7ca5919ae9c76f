"""Logged models as MLflow 3 keeps them: the dataset each model metric was measured on
(``dataset_name``/``dataset_digest``, as ``mlflow.log_metric(model_id=..., dataset=...)``
sends them) and the step at which a run logged a model as its output (``log_outputs``).
Existing rows keep NULL: no dataset, and step 0 when read."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    with op.batch_alter_table("logged_model_metrics") as batch:
        batch.add_column(sa.Column("dataset_name", sa.String(500), nullable=True))
        batch.add_column(sa.Column("dataset_digest", sa.String(36), nullable=True))
    with op.batch_alter_table("logged_models") as batch:
        batch.add_column(sa.Column("source_run_step", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("logged_models") as batch:
        batch.drop_column("source_run_step")
    with op.batch_alter_table("logged_model_metrics") as batch:
        batch.drop_column("dataset_digest")
        batch.drop_column("dataset_name")
