"""webhook secret rotation: the previous secret keeps signing until a given time

Revision ID: 0003_webhook_secret_rotation
Revises: 0002_api_keys
Create Date: 2026-11-30 04:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import workorders.db

revision: str = "0003_webhook_secret_rotation"
down_revision: str | None = "0002_api_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_secret", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column(
                "previous_secret_until",
                workorders.db.UtcDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.drop_column("previous_secret_until")
        batch_op.drop_column("previous_secret")
