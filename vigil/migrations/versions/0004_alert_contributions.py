"""alert contributions: the metrics that made an alert's latest anomalous window anomalous

Revision ID: 0004_alert_contributions
Revises: 0003_webhook_secret_rotation
Create Date: 2026-11-30 04:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_alert_contributions"
down_revision: str | None = "0003_webhook_secret_rotation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(
            sa.Column("contributions", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("contributions")
