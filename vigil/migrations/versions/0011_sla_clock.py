"""sla clock: SLA plans (from sla_policies), the clock's event log, escalation milestones and mails

Revision ID: 0011_sla_clock
Revises: 0010_failure_interval

The former sla_policies table becomes the targets of the plan named "default" (respond and on
site as they were edited; resolve from the new defaults). Work orders already there get
resolve_by, a start event and milestones counted as their deadlines were, around the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import workorders.db

revision: str = "0011_sla_clock"
down_revision: str | None = "0010_failure_interval"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_Time = workorders.db.UtcDateTime(timezone=True)
_PRIORITY = sa.Enum("urgent", "normal", "suggestion", name="priority", native_enum=False, length=16)
_TIER = sa.Enum("vip", "standard", "basic", name="tier", native_enum=False, length=16)
H, DAY = 60, 24 * 60
# Resolve targets of the default plan (business minutes), written here as they were at this
# revision: a migration never reads application code that may change later.
_RESOLVE = {
    ("urgent", "vip"): DAY,
    ("urgent", "standard"): 2 * DAY,
    ("urgent", "basic"): 3 * DAY,
    ("normal", "vip"): 3 * DAY,
    ("normal", "standard"): 5 * DAY,
    ("normal", "basic"): 10 * DAY,
    ("suggestion", "vip"): 14 * DAY,
    ("suggestion", "standard"): 30 * DAY,
    ("suggestion", "basic"): 60 * DAY,
}
_ESCALATION = {
    "50": ["assignee"],
    "75": ["assignee", "dispatcher"],
    "100": ["assignee", "dispatcher", "service_manager"],
}


def upgrade() -> None:
    _create_tables()
    _plan_from_policies()
    # Columns added only (ALTER TABLE ADD COLUMN on SQLite too): recreating work_orders on SQLite
    # would cascade-delete the rows of every table that refers to it (audit, outbox, ...).
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolve_by", _Time, nullable=True))
        batch_op.add_column(
            sa.Column("sla_clock_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("sla_paused_since", _Time, nullable=True))
        batch_op.add_column(sa.Column("sla_pause_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("sla_resume_at", _Time, nullable=True))
    _existing_work_orders()
    op.drop_table("sla_policies")


def _create_tables() -> None:
    op.create_table(
        "sla_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("around_the_clock", sa.JSON(), nullable=False),
        sa.Column("escalation", sa.JSON(), nullable=False),
        sa.Column("auto_dispatch", sa.JSON(), nullable=False),
        sa.Column("updated_at", _Time, nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_plans")),
        sa.UniqueConstraint("name", name=op.f("uq_sla_plans_name")),
    )
    op.create_table(
        "sla_targets",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("priority", _PRIORITY, nullable=False),
        sa.Column("customer_tier", _TIER, nullable=False),
        sa.Column("respond_min", sa.Integer(), nullable=False),
        sa.Column("on_site_min", sa.Integer(), nullable=False),
        sa.Column("resolve_min", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "0 < respond_min AND respond_min <= on_site_min AND on_site_min <= resolve_min",
            name=op.f("ck_sla_targets_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["sla_plans.id"],
            name=op.f("fk_sla_targets_plan_id_sla_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "plan_id", "priority", "customer_tier", name=op.f("pk_sla_targets")
        ),
    )
    op.create_table(
        "sla_clock_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "start",
                "pause",
                "resume",
                "target_change",
                name="clockeventkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("at", _Time, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("resume_at", _Time, nullable=True),
        sa.Column("priority", _PRIORITY, nullable=True),
        sa.Column("customer_tier", _TIER, nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["sla_plans.id"],
            name=op.f("fk_sla_clock_events_plan_id_sla_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_sla_clock_events_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_clock_events")),
    )
    with op.batch_alter_table("sla_clock_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sla_clock_events_work_order_id"), ["work_order_id"], unique=False
        )
    op.create_table(
        "sla_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=False),
        sa.Column(
            "clock",
            sa.Enum(
                "respond", "on_site", "resolve", name="clockkind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("clock_version", sa.Integer(), nullable=False),
        sa.Column("due_at", _Time, nullable=False),
        sa.Column("fired_at", _Time, nullable=True),
        sa.Column("told", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_sla_milestones_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_milestones")),
        sa.UniqueConstraint(
            "work_order_id", "clock", "level", "clock_version", name="uq_sla_milestones_key"
        ),
    )
    with op.batch_alter_table("sla_milestones", schema=None) as batch_op:
        batch_op.create_index("ix_sla_milestones_due", ["fired_at", "due_at"], unique=False)
    op.create_table(
        "sla_escalation_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _Time, nullable=False),
        sa.Column("next_attempt_at", _Time, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", _Time, nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["sla_milestones.id"],
            name=op.f("fk_sla_escalation_mails_milestone_id_sla_milestones"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_escalation_mails")),
        sa.UniqueConstraint("milestone_id", "address", name="uq_sla_escalation_mails_to"),
    )
    with op.batch_alter_table("sla_escalation_mails", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sla_escalation_mails_milestone_id"), ["milestone_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sla_escalation_mails_next_attempt_at"),
            ["next_attempt_at"],
            unique=False,
        )


def _plan_from_policies() -> None:
    conn = op.get_bind()
    plans = sa.table(
        "sla_plans",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("description", sa.String),
        sa.column("is_default", sa.Boolean),
        sa.column("around_the_clock", sa.JSON),
        sa.column("escalation", sa.JSON),
        sa.column("auto_dispatch", sa.JSON),
        sa.column("updated_at", _Time),
        sa.column("updated_by", sa.String),
    )
    targets = sa.table(
        "sla_targets",
        sa.column("plan_id", sa.Integer),
        sa.column("priority", sa.String),
        sa.column("customer_tier", sa.String),
        sa.column("respond_min", sa.Integer),
        sa.column("on_site_min", sa.Integer),
        sa.column("resolve_min", sa.Integer),
    )
    conn.execute(
        plans.insert().values(
            id=1,
            name="default",
            description="Applies to work without a contract naming another plan.",
            is_default=True,
            around_the_clock=["urgent"],
            escalation=_ESCALATION,
            auto_dispatch={"urgent": {"confirm_within_min": 30, "send": "nearest_qualified"}},
            updated_at=datetime.now(UTC),
            updated_by="migration 0011_sla_clock",
        )
    )
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT setval('sla_plans_id_seq', 1)"))
    rows = conn.execute(
        sa.text(
            "SELECT priority, customer_tier, respond_within_min, on_site_within_min FROM sla_policies"
        )
    ).all()
    cells = {(p, t): (r, o) for p, t, r, o in rows}
    op.bulk_insert(
        targets,
        [
            {
                "plan_id": 1,
                "priority": p,
                "customer_tier": t,
                "respond_min": cells.get((p, t), (resolve, resolve))[0],
                "on_site_min": cells.get((p, t), (resolve, resolve))[1],
                "resolve_min": max(resolve, cells.get((p, t), (resolve, resolve))[1]),
            }
            for (p, t), resolve in _RESOLVE.items()
        ],
    )


def _existing_work_orders() -> None:
    """Deadlines of work orders already there were counted around the clock: so are theirs."""
    conn = op.get_bind()
    wo = sa.table(
        "work_orders",
        sa.column("id", sa.Uuid),
        sa.column("priority", sa.String),
        sa.column("asset_id", sa.Integer),
        sa.column("created_at", _Time),
        sa.column("reopened_at", _Time),
        sa.column("respond_by", _Time),
        sa.column("on_site_by", _Time),
        sa.column("resolve_by", _Time),
    )
    assets = sa.table("assets", sa.column("id", sa.Integer), sa.column("customer_tier", sa.String))
    events = sa.table(
        "sla_clock_events",
        sa.column("work_order_id", sa.Uuid),
        sa.column("kind", sa.String),
        sa.column("at", _Time),
        sa.column("actor", sa.String),
        sa.column("reason", sa.String),
        sa.column("priority", sa.String),
        sa.column("customer_tier", sa.String),
        sa.column("plan_id", sa.Integer),
    )
    milestones = sa.table(
        "sla_milestones",
        sa.column("work_order_id", sa.Uuid),
        sa.column("clock", sa.String),
        sa.column("level", sa.Integer),
        sa.column("clock_version", sa.Integer),
        sa.column("due_at", _Time),
        sa.column("told", sa.JSON),
    )
    resolve_min: dict[str, int] = dict(
        conn.execute(
            sa.text("SELECT priority || '/' || customer_tier, resolve_min FROM sla_targets")
        ).all()
    )
    rows = conn.execute(
        sa.select(
            wo.c.id,
            wo.c.priority,
            wo.c.created_at,
            wo.c.reopened_at,
            wo.c.respond_by,
            wo.c.on_site_by,
            assets.c.customer_tier,
        ).join(assets, assets.c.id == wo.c.asset_id)
    ).all()
    for wo_id, priority, created_at, reopened_at, respond_by, on_site_by, tier in rows:
        start = reopened_at or created_at
        resolve_by = max(on_site_by, start + timedelta(minutes=resolve_min[f"{priority}/{tier}"]))
        conn.execute(wo.update().where(wo.c.id == wo_id).values(resolve_by=resolve_by))
        conn.execute(
            events.insert().values(
                work_order_id=wo_id,
                kind="start",
                at=start,
                actor="migration 0011_sla_clock",
                reason="deadlines as they were (around the clock)",
                priority=priority,
                customer_tier=tier,
                plan_id=1,
            )
        )
        for clock, due in (
            ("respond", respond_by),
            ("on_site", on_site_by),
            ("resolve", resolve_by),
        ):
            for level in (50, 75, 100):
                conn.execute(
                    milestones.insert().values(
                        work_order_id=wo_id,
                        clock=clock,
                        level=level,
                        clock_version=1,
                        due_at=start + (due - start) * level / 100,
                        told=[],
                    )
                )


def downgrade() -> None:
    op.create_table(
        "sla_policies",
        sa.Column("priority", sa.VARCHAR(length=16), nullable=False),
        sa.Column("customer_tier", sa.VARCHAR(length=16), nullable=False),
        sa.Column("respond_within_min", sa.INTEGER(), nullable=False),
        sa.Column("on_site_within_min", sa.INTEGER(), nullable=False),
        sa.PrimaryKeyConstraint("priority", "customer_tier", name=op.f("pk_sla_policies")),
    )
    op.execute(
        "INSERT INTO sla_policies (priority, customer_tier, respond_within_min, on_site_within_min) "
        "SELECT t.priority, t.customer_tier, t.respond_min, t.on_site_min FROM sla_targets t "
        "JOIN sla_plans p ON p.id = t.plan_id WHERE p.is_default"
    )
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_column("sla_resume_at")
        batch_op.drop_column("sla_pause_reason")
        batch_op.drop_column("sla_paused_since")
        batch_op.drop_column("sla_clock_version")
        batch_op.drop_column("resolve_by")
    op.drop_table("sla_escalation_mails")
    op.drop_table("sla_milestones")
    op.drop_table("sla_clock_events")
    op.drop_table("sla_targets")
    op.drop_table("sla_plans")
