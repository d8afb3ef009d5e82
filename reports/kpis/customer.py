"""The KPIs of what the customer sees and says: follow-up coverage and completion, CSAT, NPS,
complaints; and the parts the work consumed (the stock ledger)."""

from __future__ import annotations

import sqlalchemy as sa

from field.stock.models import MoveKind, Part, StockMove
from followup.surveys.models import FollowUpTask, Survey, TaskKind, TaskStatus
from reports.kpis.definitions import DEFINITIONS as D
from reports.kpis.family import Family, Partial, Partials
from reports.kpis.results import Dimension, Kpi
from reports.kpis.scope import Ctx, scoped, share
from workorders.models import Kind, ResolutionCode, WorkOrder
from workorders.requests.models import Category, Channel, ServiceRequest
from workorders.requests.models import Outcome as RequestOutcome

# Channels through which the customer speaks (the others are ours: alerts, inspections, plans).
CUSTOMER_CHANNELS = (Channel.HOTLINE, Channel.PORTAL, Channel.EMAIL)
FAULT_CATEGORIES = (Category.EMERGENCY_REPAIR, Category.TROUBLESHOOTING)
CAME_BACK = "came_back"
TOP_PARTS = 10


def _n(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _followups(ctx: Ctx, dimension: Dimension | None) -> Partials:
    out: Partials = {}
    task = sa.and_(
        FollowUpTask.kind == TaskKind.AFTER_REPAIR, FollowUpTask.status != TaskStatus.CANCELLED
    )
    # Same test, the form each database runs fastest: SQLite probes the work-order index once
    # per work order (20-40 ms a month); PostgreSQL, on a freshly loaded table it has no
    # statistics for, probed that EXISTS through the wrong index (0.3 s), and reads the tasks
    # once into a hashed set for the IN (8-25 ms).
    covered = (
        sa.select(FollowUpTask.id)
        .where(FollowUpTask.work_order_id == WorkOrder.id, task)
        .correlate(WorkOrder)
        .exists()
        if ctx.sqlite
        else WorkOrder.id.in_(
            sa.select(FollowUpTask.work_order_id).where(
                FollowUpTask.work_order_id.is_not(None), task
            )
        )
    )
    stmt = (
        sa.select()
        .select_from(WorkOrder)
        .where(
            WorkOrder.kind.in_([Kind.EQUIPMENT, Kind.SERVICE]),
            WorkOrder.resolution_code == ResolutionCode.CONFIRMED_FAULT,
            ctx.within(WorkOrder.resolved_at),
        )
    )
    stmt, key = scoped(ctx, stmt, dimension=dimension, asset_id=WorkOrder.asset_id)
    for k, n, hit in ctx.session.execute(
        stmt.add_columns(key, sa.func.count(), _n(covered)).group_by(key)
    ):
        out.setdefault(k, {}).update(covered=int(hit), confirmed=int(n))

    tasks = (
        sa.select()
        .select_from(FollowUpTask)
        .where(FollowUpTask.status != TaskStatus.CANCELLED, ctx.within(FollowUpTask.due_at))
    )
    tasks, key = scoped(
        ctx,
        tasks,
        dimension=dimension,
        asset_id=FollowUpTask.asset_id,
        join_wo=lambda q: q.outerjoin(WorkOrder, WorkOrder.id == FollowUpTask.work_order_id),
    )
    for k, n, done in ctx.session.execute(
        tasks.add_columns(
            key, sa.func.count(), _n(FollowUpTask.status == TaskStatus.DONE)
        ).group_by(key)
    ):
        out.setdefault(k, {}).update(done=int(done), due=int(n))
    return out


def _followups_kpis(ctx: Ctx, p: Partial) -> dict[str, Kpi]:
    out: dict[str, Kpi] = {}
    if "confirmed" in p:
        out["followup_coverage"] = D["followup_coverage"].kpi(
            share(p["covered"], p["confirmed"]), numerator=p["covered"], denominator=p["confirmed"]
        )
    if "due" in p:
        out["followup_completion"] = D["followup_completion"].kpi(
            share(p["done"], p["due"]), numerator=p["done"], denominator=p["due"]
        )
    return out


def _surveys(ctx: Ctx, dimension: Dimension | None) -> Partials:
    stmt = sa.select().select_from(Survey).where(ctx.within(Survey.answered_at))
    stmt, key = scoped(
        ctx,
        stmt,
        dimension=dimension,
        asset_id=Survey.asset_id,
        join_wo=lambda q: q.outerjoin(WorkOrder, WorkOrder.id == Survey.work_order_id),
    )
    stmt = stmt.add_columns(
        key,
        sa.func.coalesce(sa.func.sum(Survey.score), 0.0),
        sa.func.count(Survey.score),
        _n(Survey.score >= 4),
        sa.func.count(Survey.recommend),
        _n(Survey.recommend >= 9),
        _n(Survey.recommend <= 6),
    ).group_by(key)
    names = ("score", "scored", "satisfied", "rated", "promoters", "detractors")
    return {
        k: {
            name: float(v) if name == "score" else int(v)
            for name, v in zip(names, row, strict=True)
        }
        for k, *row in ctx.session.execute(stmt)
    }


def _surveys_kpis(ctx: Ctx, p: Partial) -> dict[str, Kpi]:
    scored, rated, promoters, detractors = p["scored"], p["rated"], p["promoters"], p["detractors"]
    nps = 100.0 * (promoters - detractors) / rated if rated else None
    return {
        "csat": D["csat"].kpi(
            p["score"] / scored if scored else None, numerator=p["satisfied"], denominator=scored
        ),
        "nps": D["nps"].kpi(
            nps,
            numerator=promoters,
            denominator=rated,
            detail={"promoters": promoters, "detractors": detractors},
        ),
    }


def _complaints(ctx: Ctx, dimension: Dimension | None) -> Partials:
    came_back = ServiceRequest.outcome == RequestOutcome.REOPENED
    is_complaint = sa.and_(
        ServiceRequest.channel.in_(CUSTOMER_CHANNELS),
        sa.or_(ServiceRequest.category.in_(FAULT_CATEGORIES), came_back),
    )
    reason = sa.case((came_back, CAME_BACK), else_=sa.func.coalesce(ServiceRequest.category, ""))
    stmt = sa.select().select_from(ServiceRequest).where(ctx.within(ServiceRequest.received_at))
    stmt, key = scoped(
        ctx,
        stmt,
        dimension=dimension,
        asset_id=ServiceRequest.asset_id,
        join_wo=lambda q: q.join(WorkOrder, WorkOrder.id == ServiceRequest.work_order_id),
    )
    rows = ctx.session.execute(
        stmt.add_columns(key, is_complaint, reason, sa.func.count()).group_by(
            key, is_complaint, reason
        )
    )
    out: Partials = {}
    for k, complaint, why, n in rows:
        group = out.setdefault(k, {"requests": 0, "reasons": {}})
        group["requests"] += int(n)
        if complaint:
            group["reasons"][why] = group["reasons"].get(why, 0) + int(n)
    return out


def _complaints_kpis(ctx: Ctx, p: Partial) -> dict[str, Kpi]:
    reasons: dict[str, float] = p["reasons"]
    hits = int(sum(reasons.values()))
    return {
        "complaint_rate": D["complaint_rate"].kpi(
            share(hits, p["requests"]),
            numerator=hits,
            denominator=p["requests"],
            detail=dict(reasons),
        )
    }


def _parts(ctx: Ctx, dimension: Dimension | None) -> Partials:
    signed = sa.case(
        (StockMove.kind == MoveKind.RETURN.value, -StockMove.quantity), else_=StockMove.quantity
    )
    stmt = (
        sa.select()
        .select_from(StockMove)
        .join(Part, Part.id == StockMove.part_id)
        .where(
            StockMove.kind.in_([MoveKind.CONSUME.value, MoveKind.RETURN.value]),
            StockMove.work_order_id.is_not(None),
            ctx.within(StockMove.at),
        )
    )
    stmt, key = scoped(
        ctx,
        stmt,
        dimension=dimension,
        asset_id=WorkOrder.asset_id,
        join_wo=lambda q: q.join(WorkOrder, WorkOrder.id == StockMove.work_order_id),
    )
    rows = ctx.session.execute(
        stmt.add_columns(
            key, Part.part_number, sa.func.sum(signed), sa.func.sum(signed * Part.unit_cost)
        ).group_by(key, Part.part_number)
    )
    out: Partials = {}
    for k, number, n, money in rows:
        group = out.setdefault(k, {"units": {}, "cost": {}})
        group["units"][number] = int(n or 0)
        group["cost"][number] = float(money or 0.0)
    return out


def _parts_kpis(ctx: Ctx, p: Partial) -> dict[str, Kpi]:
    units: dict[str, int] = p["units"]
    cost: dict[str, float] = p["cost"]
    top_units = sorted(units.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_PARTS]
    top_cost = sorted(cost.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_PARTS]
    return {
        "parts_units": D["parts_units"].kpi(
            sum(units.values()), detail={n: float(u) for n, u in top_units}
        ),
        "parts_cost": D["parts_cost"].kpi(
            round(sum(cost.values()), 2), detail={n: round(c, 2) for n, c in top_cost}
        ),
    }


followups = Family(_followups, _followups_kpis, ("followup_coverage", "followup_completion"))
surveys = Family(_surveys, _surveys_kpis, ("csat", "nps"))
complaints = Family(_complaints, _complaints_kpis, ("complaint_rate",))
parts = Family(_parts, _parts_kpis, ("parts_units", "parts_cost"))
