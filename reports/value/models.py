"""The monthly customer value snapshots and the VIP health checks the scheduler made."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from customers.db import Base, str_enum
from customers.models import Tier


class CustomerValue(Base):
    """One customer's RFM figures, scores and class for one analysed month, with the rules used.

    Written once per (customer, month): a rerun of the monthly job finds them and adds nothing.
    """

    __tablename__ = "customer_value_scores"
    __table_args__ = (
        sa.UniqueConstraint("customer_id", "period", name="uq_customer_value_scores_period"),
        sa.CheckConstraint(
            "r_score BETWEEN 1 AND 5 AND f_score BETWEEN 1 AND 5 AND m_score BETWEEN 1 AND 5",
            name="scores_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(sa.String(7), index=True)  # 2026-11
    as_of: Mapped[datetime]  # the end of the month: recency is counted to here
    last_activity_on: Mapped[date | None]
    recency_days: Mapped[int | None]
    frequency: Mapped[int]
    monetary: Mapped[Decimal] = mapped_column(sa.Numeric(16, 2))
    r_score: Mapped[int]
    f_score: Mapped[int]
    m_score: Mapped[int]
    value_class: Mapped[str] = mapped_column(sa.String(20))
    proposed_tier: Mapped[Tier] = mapped_column(str_enum(Tier))
    # The bands and window the scores were made with, so an old month reads as it was made.
    rules: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    computed_at: Mapped[datetime]


class VipHealthCheck(Base):
    """The quarterly health check of one VIP site: at most one per site and quarter."""

    __tablename__ = "vip_health_checks"
    __table_args__ = (
        sa.UniqueConstraint("site_id", "quarter", name="uq_vip_health_checks_quarter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    quarter: Mapped[str] = mapped_column(sa.String(6))  # 2026Q4
    work_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE")
    )
    # Per asset: scored windows, abnormal share, worst score, over the quarter before.
    summary: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime]
