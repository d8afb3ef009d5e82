"""The customer value analysis on the records: figures per customer, the monthly run, the reads.

What counts (docs/reports.md, "Customer value"):

- a **contract** is activity on every day it is in force: recency is counted from the last day
  it was in force (a running contract is today), it adds 1 to frequency when in force during the
  window, and its value pro rata of the days of its term inside the window to money;
- a **purchase** of equipment (``assets.purchased_on``, ``purchase_value``) on its day;
- a **paid service**: a work order with an invoiced amount (``billed_amount`` above zero), on the
  day it closed (or was resolved); a credit note (a negative amount) lowers money only.

The window is the ``window_months`` before the end of the analysed month.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers import tiers
from customers.models import Asset, Contract, Customer, Site
from customers.service import get_customer
from reports.value.models import CustomerValue
from reports.value.rfm import PROPOSED_TIER, RfmRules, classify, score
from workorders.models import WorkOrder

ZERO = Decimal(0)
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Month:
    label: str  # 2026-11
    start: datetime
    end: datetime  # exclusive

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()


def month(label: str) -> Month:
    """The calendar month ``YYYY-MM`` in UTC; ValueError with a message otherwise."""
    try:
        start = datetime.strptime(label, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{label!r} is not a month such as 2026-11") from None
    end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    return Month(label=label, start=start, end=end)


def last_complete_month(now: datetime) -> Month:
    first = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return month(f"{(first - timedelta(days=1)):%Y-%m}")


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(slots=True)
class Figures:
    """One customer's raw figures for a month: what the scores are made from."""

    last_activity: date | None = None
    frequency: int = 0
    monetary: Decimal = ZERO
    parts: list[str] = field(default_factory=list)

    def seen(self, day: date) -> None:
        if self.last_activity is None or day > self.last_activity:
            self.last_activity = day


def figures(*, session: Session, period: Month, window_months: int) -> dict[int, Figures]:
    """Per customer id: last activity, count and money of the window ending with ``period``."""
    last = period.last_day
    first = _months_before(period.end.date(), window_months)
    out: dict[int, Figures] = defaultdict(Figures)
    for c in session.scalars(sa.select(Contract).where(Contract.starts_on <= last)):
        f = out[c.customer_id]
        f.seen(min(c.ends_on, last))
        if c.ends_on < first:
            continue
        f.frequency += 1
        if c.value:
            term = (c.ends_on - c.starts_on).days + 1
            inside = (min(c.ends_on, last) - max(c.starts_on, first)).days + 1
            f.monetary += (c.value * inside / term).quantize(CENT)
    purchases = (
        sa.select(Site.customer_id, Asset.purchased_on, Asset.purchase_value)
        .join(Site, Asset.site_id == Site.id)
        .where(Asset.purchased_on <= last)
    )
    for customer_id, day, value in session.execute(purchases):
        if day is None:  # the query says not, the column allows it
            continue
        f = out[customer_id]
        f.seen(day)
        if day >= first:
            f.frequency += 1
            f.monetary += value or ZERO
    done = sa.func.coalesce(WorkOrder.closed_at, WorkOrder.resolved_at)
    billed = (
        sa.select(Site.customer_id, done, WorkOrder.billed_amount)
        .join(Asset, WorkOrder.asset_id == Asset.id)
        .join(Site, Asset.site_id == Site.id)
        .where(WorkOrder.billed_amount.is_not(None), done < period.end)
    )
    window_start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    for customer_id, at, amount in session.execute(billed):
        if amount is None:
            continue
        f = out[customer_id]
        if amount > 0:
            f.seen(at.date())
        if at >= window_start:
            f.monetary += amount
            f.frequency += 1 if amount > 0 else 0
    return out


def assess(
    *, customer_id: int, figures: Figures, period: Month, rules: RfmRules, now: datetime
) -> CustomerValue:
    """The unsaved snapshot row of one customer (scores, class, proposed tier)."""
    days = None if figures.last_activity is None else (period.last_day - figures.last_activity).days
    money = max(figures.monetary, ZERO)
    scores = score(days_since=days, frequency=figures.frequency, monetary=money, rules=rules)
    value_class = classify(scores)
    return CustomerValue(
        customer_id=customer_id,
        period=period.label,
        as_of=period.end,
        last_activity_on=figures.last_activity,
        recency_days=days,
        frequency=figures.frequency,
        monetary=money,
        r_score=scores.recency,
        f_score=scores.frequency,
        m_score=scores.monetary,
        value_class=value_class.value,
        proposed_tier=PROPOSED_TIER[value_class],
        rules=rules_record(rules),
        computed_at=now,
    )


def rules_record(rules: RfmRules) -> dict[str, object]:
    return {
        "window_months": rules.window_months,
        "recency_days": list(rules.recency_days),
        "frequency_bands": list(rules.frequency_bands),
        "monetary_bands": [str(m) for m in rules.monetary_bands],
    }


def explain(row: CustomerValue) -> str:
    since = "no activity" if row.recency_days is None else f"{row.recency_days} days"
    return (
        f"R {row.r_score} ({since}), F {row.f_score} ({row.frequency} in "
        f"{row.rules['window_months']} months), M {row.m_score} ({row.monetary:,.2f}): "
        f"{row.value_class.replace('_', ' ')}"
    )


def run_month(
    *, session: Session, period: Month, rules: RfmRules, now: datetime
) -> list[CustomerValue]:
    """Score every customer that existed in ``period`` and propose its tier; customers scored
    for that month already are left as they are (a rerun adds nothing)."""
    done = set(session.scalars(sa.select(CustomerValue.customer_id).filter_by(period=period.label)))
    customers = session.scalars(
        sa.select(Customer).where(Customer.created_at < period.end).order_by(Customer.id)
    )
    found = figures(session=session, period=period, window_months=rules.window_months)
    made: list[CustomerValue] = []
    for customer in customers:
        if customer.id in done:
            continue
        row = assess(
            customer_id=customer.id,
            figures=found.get(customer.id, Figures()),
            period=period,
            rules=rules,
            now=now,
        )
        session.add(row)
        tiers.propose(
            session=session,
            customer_id=customer.id,
            period=period.label,
            tier=row.proposed_tier,
            value_class=row.value_class,
            reason=explain(row),
            now=now,
        )
        made.append(row)
    session.flush()
    return made


def latest_period(*, session: Session) -> str | None:
    return session.scalar(sa.select(sa.func.max(CustomerValue.period)))


def scores_of(*, session: Session, period: str) -> list[CustomerValue]:
    return list(
        session.scalars(
            sa.select(CustomerValue).filter_by(period=period).order_by(CustomerValue.customer_id)
        )
    )


def history_of(*, session: Session, customer_id: int) -> list[CustomerValue]:
    get_customer(session=session, customer_id=customer_id)
    return list(
        session.scalars(
            sa.select(CustomerValue)
            .filter_by(customer_id=customer_id)
            .order_by(CustomerValue.period.desc())
        )
    )
