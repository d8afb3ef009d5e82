"""engineer visits: check-in/out, steps, notes, photos and signatures; acceptance on work orders

Revision ID: 0020_engineer_visits
Revises: 0019_maintenance_plans
Create Date: 2026-11-30 07:10:05.050027
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import workorders.db

revision: str = "0020_engineer_visits"
down_revision: str | None = "0019_maintenance_plans"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visit_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=True),
        sa.Column("signer", sa.String(length=200), nullable=True),
        sa.Column("uploaded_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_visit_files_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_files")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_visit_files_stored_name")),
    )
    with op.batch_alter_table("visit_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visit_files_work_order_id"), ["work_order_id"], unique=False
        )

    op.create_table(
        "visit_notes",
        sa.Column("work_order_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_visit_notes_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("work_order_id", name=op.f("pk_visit_notes")),
    )
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("checked_in_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("in_latitude", sa.Double(), nullable=True),
        sa.Column("in_longitude", sa.Double(), nullable=True),
        sa.Column("in_accuracy_m", sa.Double(), nullable=True),
        sa.Column("checked_out_at", workorders.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("out_latitude", sa.Double(), nullable=True),
        sa.Column("out_longitude", sa.Double(), nullable=True),
        sa.Column("out_accuracy_m", sa.Double(), nullable=True),
        sa.CheckConstraint(
            "(in_latitude IS NULL OR in_latitude BETWEEN -90 AND 90) AND (in_longitude IS NULL OR in_longitude BETWEEN -180 AND 180) AND (out_latitude IS NULL OR out_latitude BETWEEN -90 AND 90) AND (out_longitude IS NULL OR out_longitude BETWEEN -180 AND 180)",
            name=op.f("ck_visits_coordinates"),
        ),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["engineers.id"],
            name=op.f("fk_visits_engineer_id_engineers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_visits_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visits_work_order_id"), ["work_order_id"], unique=False
        )

    op.create_table(
        "visit_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("done_at", workorders.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_articles.id"],
            name=op.f("fk_visit_steps_article_id_kb_articles"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_visit_steps_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_steps")),
        sa.UniqueConstraint("work_order_id", "position", name="uq_visit_step"),
    )
    with op.batch_alter_table("visit_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visit_steps_work_order_id"), ["work_order_id"], unique=False
        )

    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accepted_by", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("accepted_at", workorders.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("no_acceptance_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_column("no_acceptance_reason")
        batch_op.drop_column("accepted_at")
        batch_op.drop_column("accepted_by")

    with op.batch_alter_table("visit_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_steps_work_order_id"))

    op.drop_table("visit_steps")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visits_work_order_id"))

    op.drop_table("visits")
    op.drop_table("visit_notes")
    with op.batch_alter_table("visit_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_files_work_order_id"))

    op.drop_table("visit_files")
