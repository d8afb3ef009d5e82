"""follow-up visits and surveys: tasks, contacts, contract cadence, surveys, preferred customers, escalations

Revision ID: 0014_followup_surveys
Revises: 0013_repair_verifications
Create Date: 2026-11-30 05:35:43.504567
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import workorders.db

revision: str = "0014_followup_surveys"
down_revision: str | None = "0013_repair_verifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_up_contract_cadence",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("first_year_months", sa.Integer(), nullable=False),
        sa.Column("set_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "first_year_months IN (3, 6)",
            name=op.f("ck_follow_up_contract_cadence_first_year_months"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_follow_up_contract_cadence_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contract_id", name=op.f("pk_follow_up_contract_cadence")),
    )
    op.create_table(
        "follow_up_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "after_repair",
                "after_installation",
                "periodic",
                "survey_call",
                "survey_review",
                name="taskkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("work_order_id", sa.Uuid(), nullable=True),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("survey_id", sa.Integer(), nullable=True),
        sa.Column("due_key", sa.String(length=64), nullable=False),
        sa.Column("due_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("assignee", sa.String(length=200), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "done", "cancelled", name="taskstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("reminded_at", workorders.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", workorders.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("done_at", workorders.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_follow_up_tasks_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_follow_up_tasks_contract_id_contracts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_follow_up_tasks_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_follow_up_tasks_work_order_id_work_orders"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_tasks")),
        sa.UniqueConstraint("kind", "asset_id", "due_key", name="uq_follow_up_tasks_due"),
    )
    with op.batch_alter_table("follow_up_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_tasks_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_follow_up_tasks_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index("ix_follow_up_tasks_open_due", ["status", "due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_follow_up_tasks_survey_id"), ["survey_id"], unique=False
        )

    op.create_table(
        "follow_up_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "phone",
                "email",
                "visit",
                "video",
                "message",
                name="contactchannel",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("made_by", sa.String(length=200), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("spoke_with", sa.String(length=200), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("recorded_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_follow_up_contacts_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["follow_up_tasks.id"],
            name=op.f("fk_follow_up_contacts_task_id_follow_up_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_contacts")),
    )
    with op.batch_alter_table("follow_up_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_contacts_task_id"), ["task_id"], unique=False
        )

    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_by", sa.String(length=200), nullable=False),
        sa.Column("expires_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("answered_at", workorders.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("overall", sa.SmallInteger(), nullable=True),
        sa.Column("speed", sa.SmallInteger(), nullable=True),
        sa.Column("competence", sa.SmallInteger(), nullable=True),
        sa.Column("communication", sa.SmallInteger(), nullable=True),
        sa.Column("recommend", sa.SmallInteger(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "preferred", "follow_up", "review", name="outcome", native_enum=False, length=16
            ),
            nullable=True,
        ),
        sa.Column("follow_up_person", sa.String(length=200), nullable=True),
        sa.Column("second_visit_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "communication IS NULL OR communication BETWEEN 1 AND 5",
            name=op.f("ck_surveys_communication"),
        ),
        sa.CheckConstraint(
            "competence IS NULL OR competence BETWEEN 1 AND 5", name=op.f("ck_surveys_competence")
        ),
        sa.CheckConstraint("expires_at > sent_at", name=op.f("ck_surveys_expiry")),
        sa.CheckConstraint(
            "overall IS NULL OR overall BETWEEN 1 AND 5", name=op.f("ck_surveys_overall")
        ),
        sa.CheckConstraint(
            "recommend IS NULL OR recommend BETWEEN 0 AND 10", name=op.f("ck_surveys_recommend")
        ),
        sa.CheckConstraint("speed IS NULL OR speed BETWEEN 1 AND 5", name=op.f("ck_surveys_speed")),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_surveys_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_surveys_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_surveys_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["second_visit_id"],
            ["work_orders.id"],
            name=op.f("fk_surveys_second_visit_id_work_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["follow_up_tasks.id"],
            name=op.f("fk_surveys_task_id_follow_up_tasks"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_surveys_work_order_id_work_orders"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_surveys_token_hash")),
    )
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveys_answered_at"), ["answered_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveys_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_surveys_work_order_id"), ["work_order_id"], unique=False
        )

    op.create_table(
        "preferred_customers",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("since", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_preferred_customers_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_preferred_customers_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_preferred_customers")),
    )
    op.create_table(
        "survey_escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("acknowledged_at", workorders.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("next_attempt_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("mailed_at", workorders.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("mailed_to", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_escalations_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_escalations")),
        sa.UniqueConstraint("survey_id", name=op.f("uq_survey_escalations_survey_id")),
    )
    with op.batch_alter_table("survey_escalations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_escalations_next_attempt_at"), ["next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_escalations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_escalations_next_attempt_at"))

    op.drop_table("survey_escalations")
    op.drop_table("preferred_customers")
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveys_work_order_id"))
        batch_op.drop_index(batch_op.f("ix_surveys_customer_id"))
        batch_op.drop_index(batch_op.f("ix_surveys_answered_at"))

    op.drop_table("surveys")
    with op.batch_alter_table("follow_up_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_contacts_task_id"))

    op.drop_table("follow_up_contacts")
    with op.batch_alter_table("follow_up_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_tasks_survey_id"))
        batch_op.drop_index("ix_follow_up_tasks_open_due")
        batch_op.drop_index(batch_op.f("ix_follow_up_tasks_customer_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_tasks_asset_id"))

    op.drop_table("follow_up_tasks")
    op.drop_table("follow_up_contract_cadence")
