"""index the work-order times and follow-up due times the KPIs select a period by

Every KPI query selects the records whose event falls in the period (created, first responded,
resolved; the SLA deadlines; follow-up tasks due). Without these indexes each query scanned the
whole work-order table.

Revision ID: 0021_kpi_time_indexes
Revises: 0020_engineer_visits
Create Date: 2026-11-30 08:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0021_kpi_time_indexes"
down_revision: str | None = "0020_engineer_visits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WORK_ORDER_TIMES = (
    "created_at",
    "responded_at",
    "resolved_at",
    "respond_by",
    "on_site_by",
    "resolve_by",
)


def upgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        for column in WORK_ORDER_TIMES:
            batch.create_index(f"ix_work_orders_{column}", [column])
    with op.batch_alter_table("follow_up_tasks") as batch:
        batch.create_index("ix_follow_up_tasks_due_at", ["due_at"])


def downgrade() -> None:
    with op.batch_alter_table("follow_up_tasks") as batch:
        batch.drop_index("ix_follow_up_tasks_due_at")
    with op.batch_alter_table("work_orders") as batch:
        for column in WORK_ORDER_TIMES:
            batch.drop_index(f"ix_work_orders_{column}")
