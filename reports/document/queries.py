"""The report's own reads: what the KPI module does not compute (where problems cluster, what
fixed them, per asset model, overdue follow-ups). Each one is aggregated by the database, so a
report on 10,000 assets reads counts, not rows.

The subject is equipment work: work orders of kind ``equipment`` (not data-quality or requested
service work) created in the period.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.db import UtcDateTime
from customers.models import Asset, Customer, Site
from followup.surveys.models import FollowUpTask, TaskStatus
from knowledge.models import Article, ArticleUse, UseKind
from reports.kpis import NOT_SET, Period
from reports.kpis.definitions import PREDICTIVE_CHANNEL
from workorders.models import Kind, ResolutionCode, WorkOrder


def _at(value: datetime) -> sa.ColumnElement[datetime]:
    return sa.literal(value, UtcDateTime())


def _created_in(period: Period) -> sa.ColumnElement[bool]:
    return sa.and_(
        WorkOrder.kind == Kind.EQUIPMENT,
        WorkOrder.created_at >= _at(period.start),
        WorkOrder.created_at < _at(period.end),
    )


def _resolved_in(period: Period) -> sa.ColumnElement[bool]:
    return sa.and_(
        WorkOrder.kind == Kind.EQUIPMENT,
        WorkOrder.resolved_at >= _at(period.start),
        WorkOrder.resolved_at < _at(period.end),
    )


def heat_map(*, session: Session, period: Period) -> dict[tuple[str, str], int]:
    """Equipment work orders created in the period, by (region, fault code)."""
    region = sa.func.coalesce(Site.region, NOT_SET)
    rows = session.execute(
        sa.select(region, WorkOrder.fault_code, sa.func.count())
        .select_from(WorkOrder)
        .join(Asset, Asset.id == WorkOrder.asset_id)
        .outerjoin(Site, Site.id == Asset.site_id)
        .where(_created_in(period))
        .group_by(region, WorkOrder.fault_code)
    )
    return {(r, f): int(n) for r, f, n in rows}


@dataclass(frozen=True, slots=True)
class Problem:
    asset_type: str
    fault_code: str
    fault_title: str
    work_orders: int
    assets: int
    # Assets on which it happened more than once in the period, and reopened work orders.
    repeat_assets: int
    reopened: int
    confirmed: int
    first_time_fixes: int
    # What fixed it: parts used and knowledge articles applied on its work orders, most used first.
    parts: list[tuple[str, int]]
    articles: list[tuple[int, str, int]]
    # The resolution notes of the latest first-time fixes (what the engineers did).
    fixes: list[str]


def recurring_problems(*, session: Session, period: Period, top: int = 3) -> list[Problem]:
    """The ``top`` (asset type, fault) pairs with the most equipment work orders in the period."""
    per_asset = (
        sa.select(
            Asset.asset_type.label("asset_type"),
            WorkOrder.fault_code.label("fault_code"),
            WorkOrder.asset_id.label("asset_id"),
            sa.func.count().label("n"),
            sa.func.sum(sa.case((WorkOrder.repeat_count > 0, 1), else_=0)).label("reopened"),
            sa.func.max(WorkOrder.fault_title).label("title"),
        )
        .join(Asset, Asset.id == WorkOrder.asset_id)
        .where(_created_in(period))
        .group_by(Asset.asset_type, WorkOrder.fault_code, WorkOrder.asset_id)
        .subquery()
    )
    ranked = session.execute(
        sa.select(
            per_asset.c.asset_type,
            per_asset.c.fault_code,
            sa.func.max(per_asset.c.title),
            sa.func.sum(per_asset.c.n),
            sa.func.count(),
            sa.func.sum(sa.case((per_asset.c.n > 1, 1), else_=0)),
            sa.func.sum(per_asset.c.reopened),
        )
        .group_by(per_asset.c.asset_type, per_asset.c.fault_code)
        .order_by(sa.func.sum(per_asset.c.n).desc(), per_asset.c.asset_type, per_asset.c.fault_code)
        .limit(top)
    ).all()
    return [
        _problem(session, period, asset_type, fault, title, int(n), int(a), int(ra), int(ro))
        for asset_type, fault, title, n, a, ra, ro in ranked
    ]


def _problem(
    session: Session,
    period: Period,
    asset_type: str,
    fault_code: str,
    title: str,
    n: int,
    assets: int,
    repeat_assets: int,
    reopened: int,
) -> Problem:
    # Only this problem's work orders: a few hundred rows at most, read in full.
    rows = session.execute(
        sa.select(
            WorkOrder.id,
            WorkOrder.resolution_code,
            WorkOrder.visits,
            WorkOrder.repeat_count,
            WorkOrder.parts_used,
            WorkOrder.resolution_notes,
            WorkOrder.resolved_at,
        )
        .join(Asset, Asset.id == WorkOrder.asset_id)
        .where(
            _created_in(period), Asset.asset_type == asset_type, WorkOrder.fault_code == fault_code
        )
    ).all()
    confirmed = [r for r in rows if r.resolution_code is ResolutionCode.CONFIRMED_FAULT]
    fixed_first = [r for r in confirmed if r.visits <= 1 and r.repeat_count == 0]
    parts = Counter(p for r in confirmed for p in (r.parts_used or []))
    notes = [
        r.resolution_notes.strip()
        for r in sorted(fixed_first, key=lambda r: r.resolved_at or period.start, reverse=True)
        if r.resolution_notes and r.resolution_notes.strip()
    ]
    return Problem(
        asset_type=asset_type,
        fault_code=fault_code,
        fault_title=title,
        work_orders=n,
        assets=assets,
        repeat_assets=repeat_assets,
        reopened=reopened,
        confirmed=len(confirmed),
        first_time_fixes=len(fixed_first),
        parts=parts.most_common(3),
        articles=_applied_articles(session, [r.id for r in rows]),
        fixes=list(dict.fromkeys(notes))[:2],
    )


def _applied_articles(session: Session, ids: list[uuid.UUID]) -> list[tuple[int, str, int]]:
    if not ids:
        return []
    return [
        (int(i), str(t), int(n))
        for i, t, n in session.execute(
            sa.select(Article.id, Article.title, sa.func.count())
            .join(ArticleUse, ArticleUse.article_id == Article.id)
            .where(ArticleUse.kind == UseKind.APPLIED.value, ArticleUse.work_order_id.in_(ids))
            .group_by(Article.id, Article.title)
            .order_by(sa.func.count().desc(), Article.id)
            .limit(3)
        )
    ]


@dataclass(frozen=True, slots=True)
class ModelFault:
    model: str
    asset_type: str
    fault_code: str
    installed: int  # assets of the model
    work_orders: int
    confirmed: int
    assets: int  # distinct assets of the model with the fault

    @property
    def per_100_units(self) -> float:
        return 100.0 * self.confirmed / self.installed if self.installed else 0.0


def model_faults(*, session: Session, period: Period, limit: int = 15) -> list[ModelFault]:
    """Confirmed faults per asset model and fault in the period, most frequent per unit first."""
    model = sa.func.coalesce(Asset.model, NOT_SET)
    installed = {
        m: int(n)
        for m, n in session.execute(
            sa.select(model, sa.func.count()).select_from(Asset).group_by(model)
        )
    }
    confirmed = sa.func.sum(
        sa.case((WorkOrder.resolution_code == ResolutionCode.CONFIRMED_FAULT, 1), else_=0)
    )
    rows = session.execute(
        sa.select(
            model,
            Asset.asset_type,
            WorkOrder.fault_code,
            sa.func.count(),
            confirmed,
            sa.func.count(sa.distinct(WorkOrder.asset_id)),
        )
        .join(Asset, Asset.id == WorkOrder.asset_id)
        .where(_created_in(period))
        .group_by(model, Asset.asset_type, WorkOrder.fault_code)
    ).all()
    found = [
        ModelFault(
            model=m,
            asset_type=t,
            fault_code=f,
            installed=int(installed.get(m, 0)),
            work_orders=int(n),
            confirmed=int(c or 0),
            assets=int(a),
        )
        for m, t, f, n, c, a in rows
    ]
    found = [f for f in found if f.confirmed]
    found.sort(key=lambda f: (-f.per_100_units, -f.confirmed, f.model, f.fault_code))
    return found[:limit]


@dataclass(frozen=True, slots=True)
class Overdue:
    due_at: datetime
    days_overdue: float
    kind: str
    title: str
    customer: str | None
    site: str
    asset: str
    assignee: str | None


def overdue_follow_ups(*, session: Session, as_of: datetime) -> list[Overdue]:
    """Follow-up tasks due before ``as_of`` and not done by then (cancelled ones aside),
    oldest first."""
    rows = session.execute(
        sa.select(
            FollowUpTask.due_at,
            FollowUpTask.kind,
            FollowUpTask.title,
            Customer.name,
            Asset.site,
            Asset.asset,
            FollowUpTask.assignee,
        )
        .join(Asset, Asset.id == FollowUpTask.asset_id)
        .outerjoin(Customer, Customer.id == FollowUpTask.customer_id)
        .where(
            FollowUpTask.due_at < _at(as_of),
            FollowUpTask.status != TaskStatus.CANCELLED,
            sa.or_(FollowUpTask.done_at.is_(None), FollowUpTask.done_at >= _at(as_of)),
            FollowUpTask.created_at < _at(as_of),
        )
        .order_by(FollowUpTask.due_at, FollowUpTask.id)
    ).all()
    return [
        Overdue(
            due_at=due,
            days_overdue=round((as_of - due).total_seconds() / 86400, 1),
            kind=str(kind.value if hasattr(kind, "value") else kind),
            title=title,
            customer=customer,
            site=site,
            asset=asset,
            assignee=assignee,
        )
        for due, kind, title, customer, site, asset, assignee in rows
    ]


@dataclass(frozen=True, slots=True)
class Caught:
    """Equipment faults resolved in the period, split by whether a prediction opened the work."""

    asset_type: str
    predicted_confirmed: int  # failures caught before they happened
    predicted_false_alarms: int
    unplanned_confirmed: int  # failures that were reported by someone (hotline, portal, ...)


def caught_by_type(*, session: Session, period: Period) -> list[Caught]:
    predictive = WorkOrder.channel == PREDICTIVE_CHANNEL

    def count(*conditions: Any) -> sa.ColumnElement[int]:
        return sa.func.sum(sa.case((sa.and_(*conditions), 1), else_=0))

    confirmed = WorkOrder.resolution_code == ResolutionCode.CONFIRMED_FAULT
    rows = session.execute(
        sa.select(
            Asset.asset_type,
            count(predictive, confirmed),
            count(predictive, WorkOrder.resolution_code == ResolutionCode.FALSE_ALARM),
            count(sa.not_(predictive), confirmed),
        )
        .join(Asset, Asset.id == WorkOrder.asset_id)
        .where(_resolved_in(period))
        .group_by(Asset.asset_type)
        .order_by(Asset.asset_type)
    ).all()
    return [Caught(t, int(p or 0), int(f or 0), int(u or 0)) for t, p, f, u in rows]
