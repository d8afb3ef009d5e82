"""failure source: which estimate gave a work order's predicted failure time

"learned" (the remaining-life model trained on confirmed failures) or "trend" (the degradation
trend's line); NULL on work orders without a prediction or from before this column.

Revision ID: 0022_failure_source
Revises: 0021_kpi_time_indexes
Create Date: 2026-11-30 10:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_failure_source"
down_revision: str | None = "0021_kpi_time_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        batch.add_column(sa.Column("predicted_failure_source", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        batch.drop_column("predicted_failure_source")
