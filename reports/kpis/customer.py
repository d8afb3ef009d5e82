"""The KPIs of what the customer sees and says: follow-up coverage and completion, CSAT, NPS,
complaints; and the parts the work consumed (the stock ledger)."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from field.stock.models import MoveKind, Part, StockMove
from followup.surveys.models import FollowUpTask, Survey, TaskKind, TaskStatus
from reports.kpis.definitions import DEFINITIONS as D
from reports.kpis.results import Dimension, Kpi
from reports.kpis.scope import Ctx, scoped, share
from workorders.models import Kind, ResolutionCode, WorkOrder
from workorders.requests.models import Category, Channel, ServiceRequest
from workorders.requests.models import Outcome as RequestOutcome

Figures = dict[str, dict[str, Kpi]]

# Channels through which the customer speaks (the others are ours: alerts, inspections, plans).
CUSTOMER_CHANNELS = (Channel.HOTLINE, Channel.PORTAL, Channel.EMAIL)
FAULT_CATEGORIES = (Category.EMERGENCY_REPAIR, Category.TROUBLESHOOTING)
CAME_BACK = "came_back"
TOP_PARTS = 10


def _n(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def followups(ctx: Ctx, dimension: Dimension | None) -> Figures:
    out: Figures = {}
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
        out.setdefault(k, {})["followup_coverage"] = D["followup_coverage"].kpi(
            share(int(hit), int(n)), numerator=int(hit), denominator=int(n)
        )

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
        out.setdefault(k, {})["followup_completion"] = D["followup_completion"].kpi(
            share(int(done), int(n)), numerator=int(done), denominator=int(n)
        )
    return out


def surveys(ctx: Ctx, dimension: Dimension | None) -> Figures:
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
        sa.func.avg(Survey.score),
        sa.func.count(Survey.score),
        _n(Survey.score >= 4),
        sa.func.count(Survey.recommend),
        _n(Survey.recommend >= 9),
        _n(Survey.recommend <= 6),
    ).group_by(key)
    out: Figures = {}
    for k, mean, scored, satisfied, rated, promoters, detractors in ctx.session.execute(stmt):
        nps = 100.0 * (int(promoters) - int(detractors)) / int(rated) if rated else None
        out[k] = {
            "csat": D["csat"].kpi(
                float(mean) if mean is not None else None,
                numerator=int(satisfied),
                denominator=int(scored),
            ),
            "nps": D["nps"].kpi(
                nps,
                numerator=int(promoters),
                denominator=int(rated),
                detail={"promoters": int(promoters), "detractors": int(detractors)},
            ),
        }
    return out


def complaints(ctx: Ctx, dimension: Dimension | None) -> Figures:
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
    totals: dict[str, int] = defaultdict(int)
    reasons: dict[str, dict[str, float]] = defaultdict(dict)
    for k, complaint, why, n in rows:
        totals[k] += int(n)
        if complaint:
            reasons[k][why] = reasons[k].get(why, 0) + int(n)
    out: Figures = {}
    for k, total in totals.items():
        hits = int(sum(reasons[k].values()))
        out[k] = {
            "complaint_rate": D["complaint_rate"].kpi(
                share(hits, total), numerator=hits, denominator=total, detail=dict(reasons[k])
            )
        }
    return out


def parts(ctx: Ctx, dimension: Dimension | None) -> Figures:
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
    units: dict[str, dict[str, int]] = defaultdict(dict)
    cost: dict[str, dict[str, float]] = defaultdict(dict)
    for k, number, n, money in rows:
        units[k][number] = int(n or 0)
        cost[k][number] = float(money or 0.0)
    out: Figures = {}
    for k in units:
        top_units = sorted(units[k].items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_PARTS]
        top_cost = sorted(cost[k].items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_PARTS]
        out[k] = {
            "parts_units": D["parts_units"].kpi(
                sum(units[k].values()), detail={p: float(n) for p, n in top_units}
            ),
            "parts_cost": D["parts_cost"].kpi(
                round(sum(cost[k].values()), 2), detail={p: round(c, 2) for p, c in top_cost}
            ),
        }
    return out
