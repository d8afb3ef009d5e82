"""index follow-up tasks by work order

The follow-up coverage KPI asks, for each repair of a period, whether a follow-up task exists:
without this index each question scanned the whole table (52 s for one month of a
10,000-asset year on SQLite, 0.2 s with it).

Revision ID: 0016_follow_up_task_wo_index
Revises: 0015_customer_notices
Create Date: 2026-11-30 07:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016_follow_up_task_wo_index"
down_revision: str | None = "0015_customer_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("follow_up_tasks") as batch:
        batch.create_index("ix_follow_up_tasks_work_order_id", ["work_order_id"])


def downgrade() -> None:
    with op.batch_alter_table("follow_up_tasks") as batch:
        batch.drop_index("ix_follow_up_tasks_work_order_id")
