"""preventive maintenance plans

Revision ID: 0019_maintenance_plans
Revises: 0018_customer_value
Create Date: 2026-11-30 07:09:57.976940
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import customers.db

revision: str = "0019_maintenance_plans"
down_revision: str | None = "0018_customer_value"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "maintenance_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("asset_type", sa.String(length=100), nullable=True),
        sa.Column(
            "trigger",
            sa.Enum(
                "calendar",
                "running_hours",
                "condition",
                name="trigger",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("every", sa.Integer(), nullable=True),
        sa.Column(
            "unit",
            sa.Enum("days", "months", name="unit", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column(
            "anchor",
            sa.Enum("fixed", "completion", name="anchor", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("lead_days", sa.Integer(), nullable=True),
        sa.Column("interval_hours", sa.Double(), nullable=True),
        sa.Column("lead_hours", sa.Double(), nullable=True),
        sa.Column("first_due_hours", sa.Double(), nullable=True),
        sa.Column("metric", sa.String(length=100), nullable=True),
        sa.Column(
            "direction",
            sa.Enum("above", "below", name="direction", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("level", sa.Double(), nullable=True),
        sa.Column("clear_level", sa.Double(), nullable=True),
        sa.Column("for_readings", sa.Integer(), nullable=True),
        sa.Column("article_ids", sa.JSON(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column(
            "priority",
            sa.Enum(
                "urgent", "normal", "suggestion", name="priority", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", customers.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", customers.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(asset_id IS NULL) <> (asset_type IS NULL)",
            name=op.f("ck_maintenance_plans_one_target"),
        ),
        sa.CheckConstraint("grace_days >= 0", name=op.f("ck_maintenance_plans_grace_days")),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_maintenance_plans_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_plans")),
        sa.UniqueConstraint("name", name=op.f("uq_maintenance_plans_name")),
    )
    with op.batch_alter_table("maintenance_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_maintenance_plans_asset_id"), ["asset_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_maintenance_plans_asset_type"), ["asset_type"], unique=False
        )

    op.create_table(
        "plan_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("due_key", sa.String(length=64), nullable=False),
        sa.Column("due_at", customers.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("due_hours", sa.Double(), nullable=True),
        sa.Column("generated_at", customers.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("created", "attached", "skipped", name="outcome", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "done",
                "missed",
                "cancelled",
                name="occurrencestatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("done_at", customers.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("done_hours", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_plan_occurrences_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["maintenance_plans.id"],
            name=op.f("fk_plan_occurrences_plan_id_maintenance_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_plan_occurrences_work_order_id_work_orders"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_occurrences")),
        sa.UniqueConstraint("plan_id", "asset_id", "due_key", name="uq_plan_occurrences_due"),
    )
    with op.batch_alter_table("plan_occurrences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_occurrences_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_occurrences_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_occurrences_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_plan_occurrences_work_order_id"), ["work_order_id"], unique=False
        )

    op.create_table(
        "plan_progress",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("anchor_on", sa.Date(), nullable=True),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("waiting", sa.Boolean(), nullable=False),
        sa.Column("run_hours", sa.Double(), nullable=True),
        sa.Column("raw_hours", sa.Double(), nullable=True),
        sa.Column("read_until", customers.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("next_due_hours", sa.Double(), nullable=True),
        sa.Column("counter_resets", sa.Integer(), nullable=False),
        sa.Column("armed", sa.Boolean(), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.Column("streak_since", customers.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_value", sa.Double(), nullable=True),
        sa.Column("updated_at", customers.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_plan_progress_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["maintenance_plans.id"],
            name=op.f("fk_plan_progress_plan_id_maintenance_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "asset_id", name=op.f("pk_plan_progress")),
    )


def downgrade() -> None:
    op.drop_table("plan_progress")
    with op.batch_alter_table("plan_occurrences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_occurrences_work_order_id"))
        batch_op.drop_index(batch_op.f("ix_plan_occurrences_status"))
        batch_op.drop_index(batch_op.f("ix_plan_occurrences_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_occurrences_due_at"))

    op.drop_table("plan_occurrences")
    with op.batch_alter_table("maintenance_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maintenance_plans_asset_type"))
        batch_op.drop_index(batch_op.f("ix_maintenance_plans_asset_id"))

    op.drop_table("maintenance_plans")
