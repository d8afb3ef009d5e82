"""The API's own tables: API keys (stored as hashes only), bound to a customer or an engineer
for those roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from workorders.db import Base


class ApiKey(Base):
    __tablename__ = "api_keys"

    # The public part of the key (``vgl_<id>_...``): finds the row without the secret.
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    # sha256 of the whole key. The key carries 256 random bits, so a slow password hash adds
    # nothing against guessing; a fast hash keeps every request's check cheap.
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    # A customer key's customer, an engineer key's engineer (None for every other role).
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), default=None
    )
    engineer_id: Mapped[int | None] = mapped_column(
        ForeignKey("engineers.id", ondelete="CASCADE"), default=None
    )
