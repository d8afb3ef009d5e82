"""customer notices and parts held at dispatch

Revision ID: 0015_customer_notices
Revises: 0014_followup_surveys
Create Date: 2026-11-30 07:10:02.697807
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import workorders.db

revision: str = "0015_customer_notices"
down_revision: str | None = "0014_followup_surveys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=True),
        sa.Column(
            "step",
            sa.Enum(
                "received",
                "on_the_way",
                "done",
                "survey",
                name="step",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("created_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "waiting", "sent", "skipped", "failed", name="state", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("next_attempt_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=254), nullable=True),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("sent_at", workorders.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_customer_notices_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_customer_notices_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_notices")),
        sa.UniqueConstraint("key", name=op.f("uq_customer_notices_key")),
    )
    with op.batch_alter_table("customer_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_notices_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customer_notices_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_customer_notices_work_order_id"), ["work_order_id"], unique=False
        )

    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parts_held", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(
            sa.Column("parts_missing", sa.JSON(), server_default="[]", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.drop_column("parts_missing")
        batch_op.drop_column("parts_held")

    with op.batch_alter_table("customer_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_notices_work_order_id"))
        batch_op.drop_index(batch_op.f("ix_customer_notices_state"))
        batch_op.drop_index(batch_op.f("ix_customer_notices_next_attempt_at"))

    op.drop_table("customer_notices")
