"""ticket connectors: a subscription may deliver through a connector (Request Tracker), with a
sync cursor, and each work order's ticket is linked

Revision ID: 0008_ticket_connectors
Revises: 0007_service_desk_records
Create Date: 2026-11-30 04:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import workorders.db

revision: str = "0008_ticket_connectors"
down_revision: str | None = "0007_service_desk_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("connector", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("sync_cursor", sa.String(length=200), nullable=True))
    op.create_table(
        "ticket_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_ref", sa.String(length=200), nullable=False),
        sa.Column("created_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscriptions.id"],
            name=op.f("fk_ticket_links_subscription_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_ticket_links_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_links")),
        sa.UniqueConstraint("subscription_id", "ticket_ref", name="uq_ticket_links_ticket"),
        sa.UniqueConstraint("subscription_id", "work_order_id", name="uq_ticket_links_work_order"),
    )
    with op.batch_alter_table("ticket_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ticket_links_work_order_id"), ["work_order_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_links_work_order_id"))
    op.drop_table("ticket_links")
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.drop_column("sync_cursor")
        batch_op.drop_column("connector")
