"""report runs: the reports the scheduler made and mailed, one per unique key

Revision ID: 0017_report_runs
Revises: 0016_follow_up_task_wo_index
Create Date: 2026-11-30 07:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import customers.db

revision: str = "0017_report_runs"
down_revision: str | None = "0016_follow_up_task_wo_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    utc = customers.db.UtcDateTime(timezone=True)
    op.create_table(
        "report_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("decided_at", utc, nullable=False),
        sa.Column("made_at", utc, nullable=True),
        sa.Column("directory", sa.String(length=1000), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("next_attempt_at", utc, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("mailed_at", utc, nullable=True),
        sa.Column("mailed_to", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_runs")),
        sa.UniqueConstraint("key", name=op.f("uq_report_runs_key")),
    )
    with op.batch_alter_table("report_runs") as batch:
        batch.create_index(
            batch.f("ix_report_runs_next_attempt_at"), ["next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("report_runs") as batch:
        batch.drop_index(batch.f("ix_report_runs_next_attempt_at"))
    op.drop_table("report_runs")
