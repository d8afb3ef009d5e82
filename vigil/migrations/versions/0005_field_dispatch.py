"""field engineers and dispatch: engineers with skills, certifications, absences; what each asset type requires; every dispatch with who, how and why

Revision ID: 0005_field_dispatch
Revises: 0004_alert_contributions
Create Date: 2026-11-30 04:06:39.512748
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import workorders.db

revision: str = "0005_field_dispatch"
down_revision: str | None = "0004_alert_contributions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dispatch_requirements",
        sa.Column("asset_type", sa.String(length=100), nullable=False),
        sa.Column("min_skill_level", sa.Integer(), nullable=False),
        sa.Column(
            "min_level",
            sa.Enum("junior", "mid", "senior", name="engineerlevel", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("certifications", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "min_skill_level BETWEEN 1 AND 3", name=op.f("ck_dispatch_requirements_skill_level")
        ),
        sa.PrimaryKeyConstraint("asset_type", name=op.f("pk_dispatch_requirements")),
    )
    op.create_table(
        "engineers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column(
            "level",
            sa.Enum("junior", "mid", "senior", name="engineerlevel", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("base_label", sa.String(length=200), nullable=True),
        sa.Column("base_latitude", sa.Double(), nullable=True),
        sa.Column("base_longitude", sa.Double(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("working_hours", sa.JSON(), nullable=False),
        sa.Column("max_open_jobs", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(base_latitude IS NULL AND base_longitude IS NULL) OR (base_latitude BETWEEN -90 AND 90 AND base_longitude BETWEEN -180 AND 180)",
            name=op.f("ck_engineers_base_coordinates"),
        ),
        sa.CheckConstraint("max_open_jobs >= 1", name=op.f("ck_engineers_capacity_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engineers")),
        sa.UniqueConstraint("code", name=op.f("uq_engineers_code")),
    )
    op.create_table(
        "engineer_absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_engineer_absences_absence_order")),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["engineers.id"],
            name=op.f("fk_engineer_absences_engineer_id_engineers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engineer_absences")),
    )
    with op.batch_alter_table("engineer_absences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engineer_absences_engineer_id"), ["engineer_id"], unique=False
        )

    op.create_table(
        "engineer_certifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["engineers.id"],
            name=op.f("fk_engineer_certifications_engineer_id_engineers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engineer_certifications")),
        sa.UniqueConstraint("engineer_id", "name", name="uq_engineer_certification"),
    )
    op.create_table(
        "engineer_skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("asset_type", sa.String(length=100), nullable=False),
        sa.Column("fault_code", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name=op.f("ck_engineer_skills_skill_level")),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["engineers.id"],
            name=op.f("fk_engineer_skills_engineer_id_engineers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engineer_skills")),
        sa.UniqueConstraint("engineer_id", "asset_type", "fault_code", name="uq_engineer_skill"),
    )
    op.create_table(
        "dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column(
            "mode",
            sa.Enum("manual", "auto", name="dispatchmode", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["engineers.id"],
            name=op.f("fk_dispatches_engineer_id_engineers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_dispatches_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatches")),
    )
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dispatches_engineer_active", ["engineer_id", "active"], unique=False
        )
        batch_op.create_index(
            "uq_dispatches_one_active",
            ["work_order_id"],
            unique=True,
            sqlite_where=sa.text("active"),
            postgresql_where=sa.text("active"),
        )


def downgrade() -> None:
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_dispatches_one_active",
            sqlite_where=sa.text("active"),
            postgresql_where=sa.text("active"),
        )
        batch_op.drop_index("ix_dispatches_engineer_active")

    op.drop_table("dispatches")
    op.drop_table("engineer_skills")
    op.drop_table("engineer_certifications")
    with op.batch_alter_table("engineer_absences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engineer_absences_engineer_id"))

    op.drop_table("engineer_absences")
    op.drop_table("engineers")
    op.drop_table("dispatch_requirements")
