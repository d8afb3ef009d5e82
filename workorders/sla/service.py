"""The SLA clock of work orders in the database: its log, recomputation and milestone rows.

Plain functions, session first; the caller commits. The work-order service calls
:func:`opening` and :func:`record_opening` when it creates a work order and :func:`change` for
every later clock event, and applies the returned fields through its own audited change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.calendar import Calendar
from customers.models import Contract
from workorders.models import Asset, Priority, Tier, WorkOrder
from workorders.sla import plans
from workorders.sla.clock import ClockState, Event, compute
from workorders.sla.models import ClockEvent, ClockEventKind, ClockKind, Milestone, SlaPlan

FIELDS = {
    ClockKind.RESPOND: "respond_by",
    ClockKind.ON_SITE: "on_site_by",
    ClockKind.RESOLVE: "resolve_by",
}


def site_calendar(*, session: Session, asset: Asset) -> Calendar:
    """The calendar the asset's site works by (its zone, weekly hours and active holidays); UTC
    around the clock while the asset has no site record."""
    site = asset.site_record
    if site is None:
        return Calendar.around_the_clock("UTC")
    return Calendar.from_site(
        timezone=site.timezone,
        business_hours=site.business_hours,
        holidays=[h.day for h in site.holidays if h.active],
    )


def tier_of(asset: Asset) -> Tier:
    """The customer record's tier once the asset is on a site record, else the asset's own."""
    return asset.tier


def plan_for(*, session: Session, asset: Asset, now: datetime) -> SlaPlan:
    """The plan named by a contract covering the asset that day (by contract number when
    several name one), else the default plan."""
    if asset.customer_id is not None:
        day = now.date()
        covering = session.scalars(
            sa.select(Contract)
            .where(
                Contract.customer_id == asset.customer_id,
                Contract.starts_on <= day,
                Contract.ends_on >= day,
                Contract.sla_plan.is_not(None),
            )
            .order_by(Contract.number)
        )
        for contract in covering:
            if contract.all_assets or asset in contract.assets:
                return plans.plan_named(session=session, name=contract.sla_plan)
    return plans.default_plan(session=session)


@dataclass(frozen=True, slots=True)
class Opening:
    event: Event
    state: ClockState

    def fields(self) -> dict[str, Any]:
        return _fields(self.state) | {"sla_clock_version": 1}


def opening(*, session: Session, asset: Asset, priority: Priority, now: datetime) -> Opening:
    """The clock of a work order about to be created (nothing written yet)."""
    plan = plan_for(session=session, asset=asset, now=now)
    event = Event(
        kind=ClockEventKind.START, at=now, priority=priority, tier=tier_of(asset), plan_id=plan.id
    )
    return Opening(event, _compute(session=session, asset=asset, events=[event], now=now))


def record_opening(*, session: Session, wo: WorkOrder, opening: Opening, actor: str) -> None:
    """Write the start event and the first milestones, once the work order row exists."""
    _add_event(session=session, work_order_id=wo.id, event=opening.event, actor=actor)
    _add_milestones(
        session=session, wo_id=wo.id, version=1, state=opening.state, now=opening.event.at
    )


def change(
    *, session: Session, wo: WorkOrder, event: Event | None, actor: str, now: datetime
) -> dict[str, Any]:
    """Append ``event`` to the log (if given) and recompute: the work-order fields that change.

    When a deadline or milestone moved, the clock version goes up and new milestone rows are
    written: a level already fired whose new time has passed stays fired (it is not sent again);
    one whose time moved into the future fires again when reached.
    """
    if event is not None:
        _add_event(session=session, work_order_id=wo.id, event=event, actor=actor)
    state = _compute(
        session=session, asset=wo.asset, events=events(session=session, wo_id=wo.id), now=now
    )
    fields = _fields(state)
    current = {
        (m.clock, m.level): m
        for m in session.scalars(
            sa.select(Milestone).where(
                Milestone.work_order_id == wo.id, Milestone.clock_version == wo.sla_clock_version
            )
        )
    }
    wanted = {
        (kind, level): at for kind, d in state.deadlines.items() for level, at in d.milestones
    }
    if {key: m.due_at for key, m in current.items()} != wanted:
        version = wo.sla_clock_version + 1
        _add_milestones(
            session=session, wo_id=wo.id, version=version, state=state, now=now, before=current
        )
        fields["sla_clock_version"] = version
    return fields


def clock_state(*, session: Session, wo: WorkOrder, now: datetime) -> ClockState:
    return _compute(
        session=session, asset=wo.asset, events=events(session=session, wo_id=wo.id), now=now
    )


def events(*, session: Session, wo_id: uuid.UUID) -> list[Event]:
    rows = session.scalars(
        sa.select(ClockEvent).where(ClockEvent.work_order_id == wo_id).order_by(ClockEvent.id)
    )
    return [
        Event(
            kind=r.kind,
            at=r.at,
            resume_at=r.resume_at,
            priority=r.priority,
            tier=r.customer_tier,
            plan_id=r.plan_id,
            reason=r.reason,
        )
        for r in rows
    ]


def current_plan_id(*, session: Session, wo_id: uuid.UUID) -> int | None:
    """The plan the clock counts with: the last start or target change that named one."""
    plan_ids = [e.plan_id for e in events(session=session, wo_id=wo_id) if e.plan_id is not None]
    return plan_ids[-1] if plan_ids else None


def plan_of(*, session: Session, wo: WorkOrder) -> SlaPlan:
    """The plan a work order's clock counts with (dispatch reads its auto-dispatch rule:
    ``plans.auto_dispatch_rule(plan=plan_of(...), priority=wo.priority)``)."""
    plan_id = current_plan_id(session=session, wo_id=wo.id)
    plan = session.get(SlaPlan, plan_id) if plan_id is not None else None
    return plan or plans.default_plan(session=session)


def log(*, session: Session, wo_id: uuid.UUID) -> list[ClockEvent]:
    return list(
        session.scalars(
            sa.select(ClockEvent).where(ClockEvent.work_order_id == wo_id).order_by(ClockEvent.id)
        )
    )


def milestones(*, session: Session, wo: WorkOrder) -> list[Milestone]:
    """The current clock version's milestones, in time order."""
    return list(
        session.scalars(
            sa.select(Milestone)
            .where(
                Milestone.work_order_id == wo.id, Milestone.clock_version == wo.sla_clock_version
            )
            .order_by(Milestone.due_at, Milestone.level)
        )
    )


# --- internals


def _compute(*, session: Session, asset: Asset, events: list[Event], now: datetime) -> ClockState:
    def targets_for(priority: Priority, tier: Tier, plan_id: int | None) -> plans.Targets:
        plan = session.get(SlaPlan, plan_id) if plan_id is not None else None
        return plans.targets(
            plan=plan or plans.default_plan(session=session), priority=priority, tier=tier
        )

    site = site_calendar(session=session, asset=asset)

    def calendar_for(around_the_clock: bool) -> Calendar:
        return Calendar.around_the_clock(site.timezone) if around_the_clock else site

    return compute(events=events, targets_for=targets_for, calendar_for=calendar_for, now=now)


def _fields(state: ClockState) -> dict[str, Any]:
    out: dict[str, Any] = {FIELDS[kind]: d.due for kind, d in state.deadlines.items()}
    out["sla_paused_since"] = state.paused_since
    out["sla_pause_reason"] = state.pause_reason
    out["sla_resume_at"] = state.resume_at
    return out


def _add_event(*, session: Session, work_order_id: uuid.UUID, event: Event, actor: str) -> None:
    session.add(
        ClockEvent(
            work_order_id=work_order_id,
            kind=event.kind,
            at=event.at,
            actor=actor,
            reason=event.reason,
            resume_at=event.resume_at,
            priority=event.priority,
            customer_tier=event.tier,
            plan_id=event.plan_id,
        )
    )
    session.flush()


def _add_milestones(
    *,
    session: Session,
    wo_id: uuid.UUID,
    version: int,
    state: ClockState,
    now: datetime,
    before: dict[tuple[ClockKind, int], Milestone] | None = None,
) -> None:
    for kind, d in state.deadlines.items():
        for level, at in d.milestones:
            old = (before or {}).get((kind, level))
            carried = old is not None and old.fired_at is not None and at <= now
            session.add(
                Milestone(
                    work_order_id=wo_id,
                    clock=kind,
                    level=level,
                    clock_version=version,
                    due_at=at,
                    fired_at=old.fired_at if carried and old is not None else None,
                    told=list(old.told) if carried and old is not None else [],
                )
            )
    session.flush()
