"""failure interval: the 90 % interval of a work order's predicted failure time

Revision ID: 0010_failure_interval
Revises: 0009_spare_parts_stock
Create Date: 2026-11-30 04:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import workorders.db

revision: str = "0010_failure_interval"
down_revision: str | None = "0009_spare_parts_stock"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        for name in ("predicted_failure_low", "predicted_failure_high"):
            batch.add_column(
                sa.Column(name, workorders.db.UtcDateTime(timezone=True), nullable=True)
            )


def downgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        batch.drop_column("predicted_failure_high")
        batch.drop_column("predicted_failure_low")
