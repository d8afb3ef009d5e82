"""api keys: the API's keys, stored as sha256 hashes only

Revision ID: 0002_api_keys
Revises: 0001
Create Date: 2026-11-27 01:31:10.277261
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import workorders.db

revision: str = "0002_api_keys"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", workorders.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", workorders.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", workorders.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
