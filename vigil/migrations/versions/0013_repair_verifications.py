"""repair verifications: the follow-up's verdict on each resolution, with its evidence

Revision ID: 0013_repair_verifications
Revises: 0012_api_keys_bound
Create Date: 2026-11-30 05:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import customers.db

revision: str = "0013_repair_verifications"
down_revision: str | None = "0012_api_keys_bound"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    utc = customers.db.UtcDateTime(timezone=True)
    op.create_table(
        "repair_verifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=False),
        sa.Column("resolved_at", utc, nullable=False),
        sa.Column("period_end", utc, nullable=False),
        sa.Column("decided_at", utc, nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "verified",
                "repeat_repair",
                "no_telemetry",
                name="outcome",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_repair_verifications_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_verifications")),
        sa.UniqueConstraint(
            "work_order_id",
            "resolved_at",
            name=op.f("uq_repair_verifications_work_order_id"),
        ),
    )
    with op.batch_alter_table("repair_verifications") as batch:
        batch.create_index(
            batch.f("ix_repair_verifications_work_order_id"), ["work_order_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("repair_verifications") as batch:
        batch.drop_index(batch.f("ix_repair_verifications_work_order_id"))
    op.drop_table("repair_verifications")
