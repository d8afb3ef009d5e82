"""The preventive-plan job the scheduler in ``vigil serve`` runs every few minutes.

Each active plan is one transaction; each asset's progress row is locked while it is worked on,
and every occurrence is inserted once per ``(plan, asset, due key)`` by the database: two
schedulers at once, a rerun or a catch-up after downtime make each due date's work once.

Next due after completion:

- calendar, ``fixed`` (default): counted from the plan's start date, whatever the completion
  date: statutory and contract inspections keep their dates, and late work does not push every
  later visit back (nor does early work pull them forward);
- calendar, ``completion``: one interval after the day the work was done (wear-driven tasks);
- running hours: one interval after the counter at completion, read from the telemetry;
- condition: not scheduled; fires again when the value has cleared and crosses again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from customers.models import Asset
from planning.flows import Due, Made, generate, settle
from planning.models import (
    Anchor,
    MaintenancePlan,
    Occurrence,
    OccurrenceStatus,
    PlanProgress,
    Trigger,
)
from planning.readings import COUNTER, Readings, ReadingSource
from planning.schedule import Condition, Meter, due_date, episode_key, hours_key, local_due_at
from workorders.db import in_transaction
from workorders.models import Status, WorkOrder

log = logging.getLogger(__name__)
# How far back a plan looks the first time it reads an asset's telemetry, and at most.
FIRST_LOOK = timedelta(days=2)
CATCH_UP = timedelta(days=7)
# Rows per multi-row INSERT (SQLite allows 32,766 bound parameters).
_CHUNK = 500


@dataclass
class RunReport:
    """What one run did: work-order numbers made or attached to, occurrences skipped and done."""

    created: list[str] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)
    skipped: int = 0
    done: int = 0
    # Plans whose run raised (logged with the error); the others ran regardless.
    failed: list[int] = field(default_factory=list)

    def add(self, made: Made | None) -> None:
        if made is None:
            return
        if made.work_order is None:
            self.skipped += 1
        elif made.occurrence.outcome.value == "created":
            self.created.append(made.work_order.number)
        else:
            self.attached.append(made.work_order.number)


def run(*, session_factory: sessionmaker[Session], read: ReadingSource, now: datetime) -> RunReport:
    """Every active plan once, each in its own transaction."""
    with session_factory() as session:
        plan_ids = list(
            session.scalars(sa.select(MaintenancePlan.id).where(MaintenancePlan.active.is_(True)))
        )
    report = RunReport()
    for plan_id in plan_ids:

        def work(session: Session, plan_id: int = plan_id) -> None:
            run_plan(session=session, plan_id=plan_id, read=read, now=now, report=report)

        try:
            in_transaction(session_factory, work)
        except Exception:
            # One plan's bad data (or a store outage) must not stop every other plan's work;
            # the report names it and the next run tries again.
            log.exception("preventive plan %d failed; the next run tries again", plan_id)
            report.failed.append(plan_id)
    return report


def run_plan(
    *, session: Session, plan_id: int, read: ReadingSource, now: datetime, report: RunReport
) -> None:
    """One plan over its assets: their progress rows locked, their telemetry read at once."""
    plan = session.get(MaintenancePlan, plan_id)
    if plan is None or not plan.active:
        return
    assets = (
        [plan.asset]
        if plan.asset is not None
        else list(
            session.scalars(
                sa.select(Asset).where(Asset.asset_type == plan.asset_type).order_by(Asset.id)
            )
        )
    )
    progress = _progress(session, plan, assets, now)
    finished = _finished(session, plan)
    readings: dict[tuple[str, str], Readings] = {}
    if plan.trigger is not Trigger.CALENDAR and assets:
        metric = COUNTER if plan.trigger is Trigger.RUNNING_HOURS else plan.metric
        assert metric is not None
        # From what the least advanced asset read last (bounded): one query for the plan.
        start = max(
            min((p.read_until or now - FIRST_LOOK) for p in progress.values()), now - CATCH_UP
        )
        readings = read([(a.site, a.asset) for a in assets], metric, start, now)
    for asset in assets:
        row = progress[asset.id]
        ended = asset.id in finished
        if plan.trigger is Trigger.CALENDAR:
            _calendar(session, plan, asset, row, ended, now, report)
        else:
            seen = readings.get((asset.site, asset.asset), [])
            if plan.trigger is Trigger.RUNNING_HOURS:
                _running_hours(session, plan, asset, row, ended, seen, now, report)
            else:
                _condition(session, plan, asset, row, ended, seen, now, report)
        row.updated_at = now
    session.flush()


def _progress(
    session: Session, plan: MaintenancePlan, assets: list[Asset], now: datetime
) -> dict[int, PlanProgress]:
    """The assets' progress rows by asset id, created if missing, locked until the end of the
    transaction (a second scheduler waits here, then sees what the first did)."""
    if not assets:
        return {}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for chunk in range(0, len(assets), _CHUNK):
        session.execute(
            insert(PlanProgress)
            .values(
                [
                    {"plan_id": plan.id, "asset_id": a.id, "updated_at": now}
                    for a in assets[chunk : chunk + _CHUNK]
                ]
            )
            .on_conflict_do_nothing(index_elements=["plan_id", "asset_id"])
        )
    wanted = {a.id for a in assets}
    rows = session.scalars(
        sa.select(PlanProgress)
        .where(PlanProgress.plan_id == plan.id)
        .order_by(PlanProgress.asset_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.asset_id: row for row in rows if row.asset_id in wanted}


def _finished(session: Session, plan: MaintenancePlan) -> set[int]:
    """Assets with an open occurrence whose work order is finished (resolved, closed or
    cancelled): only those need settling."""
    done = (Status.RESOLVED.value, Status.CLOSED.value, Status.CANCELLED.value)
    return set(
        session.scalars(
            sa.select(Occurrence.asset_id)
            .join(WorkOrder, WorkOrder.id == Occurrence.work_order_id)
            .where(
                Occurrence.plan_id == plan.id,
                Occurrence.status == OccurrenceStatus.OPEN,
                WorkOrder.status.in_(done),
            )
        )
    )


def _zone(asset: Asset) -> str:
    return asset.site_record.timezone if asset.site_record is not None else "UTC"


def _calendar(
    session: Session,
    plan: MaintenancePlan,
    asset: Asset,
    progress: PlanProgress,
    ended: bool,
    now: datetime,
    report: RunReport,
) -> None:
    assert plan.every is not None
    assert plan.unit is not None
    every, unit = plan.every, plan.unit
    zone = _zone(asset)
    today = now.astimezone(ZoneInfo(zone)).date()
    for done in settle(session=session, plan=plan, asset=asset) if ended else []:
        report.done += done.done_at is not None
        if plan.anchor is Anchor.COMPLETION and progress.waiting:
            finished = (done.done_at or now).astimezone(ZoneInfo(zone)).date()
            progress.anchor_on, progress.cycle, progress.waiting = finished, 1, False
    if progress.anchor_on is None:
        # The start date sets the phase; the first due date is the first one from today on.
        anchor = plan.start_on or due_date(today, every=every, unit=unit, cycle=1)
        cycle = 0
        while due_date(anchor, every=every, unit=unit, cycle=cycle) < today:
            cycle += 1
        progress.anchor_on, progress.cycle = anchor, cycle
    if progress.waiting:
        return
    lead = timedelta(days=plan.lead_days or 0)
    dues: list[Due] = []
    while True:
        day = due_date(progress.anchor_on, every=every, unit=unit, cycle=progress.cycle)
        at = local_due_at(day, zone)
        if at - lead > now:
            break
        dues.append(Due(day.isoformat(), at, None, f"due {day.isoformat()} ({zone})"))
        if plan.anchor is Anchor.COMPLETION:
            progress.waiting = True
            break
        progress.cycle += 1
    for i, due in enumerate(dues):
        later = dues[-1].key if i < len(dues) - 1 else None
        report.add(
            generate(session=session, plan=plan, asset=asset, due=due, now=now, skipped_by=later)
        )


def _running_hours(
    session: Session,
    plan: MaintenancePlan,
    asset: Asset,
    progress: PlanProgress,
    ended: bool,
    readings: Readings,
    now: datetime,
    report: RunReport,
) -> None:
    assert plan.interval_hours is not None
    before = progress.run_hours
    meter = Meter(
        progress.run_hours, progress.raw_hours, progress.read_until, progress.counter_resets
    )
    seen = meter.advance(readings)
    progress.run_hours, progress.raw_hours = meter.run_hours, meter.raw_hours
    progress.read_until, progress.counter_resets = meter.read_until, meter.resets
    if meter.run_hours is None:
        return  # no counter reading yet

    def counter_at(at: datetime) -> float | None:
        earlier = [hours for t, hours in seen if t <= at]
        # Work finished before this run's readings: the counter as the previous run left it.
        return earlier[-1] if earlier else (before if before is not None else meter.run_hours)

    settled = (
        settle(session=session, plan=plan, asset=asset, counter_at=counter_at) if ended else []
    )
    for done in settled:
        report.done += done.done_at is not None
        if progress.waiting:
            base = done.occurrence.done_hours if done.done_at is not None else meter.run_hours
            progress.next_due_hours = (base or meter.run_hours) + plan.interval_hours
            progress.waiting = False
    _mark_reached(session, plan, asset, seen)
    if progress.next_due_hours is None and not progress.waiting:
        first = plan.first_due_hours if plan.asset_id is not None else None
        progress.next_due_hours = (
            first if first is not None else meter.run_hours + plan.interval_hours
        )
    lead = plan.lead_hours or 0.0
    due_hours = progress.next_due_hours
    if progress.waiting or due_hours is None or meter.run_hours < due_hours - lead:
        return
    reached = next((t for t, hours in seen if hours >= due_hours), None)
    reason = (
        f"counter at {meter.run_hours:.1f} h, due at {due_hours:.1f} h "
        f"(every {plan.interval_hours:g} h, opened {lead:g} h ahead)"
    )
    made = generate(
        session=session,
        plan=plan,
        asset=asset,
        due=Due(hours_key(due_hours), reached, due_hours, reason),
        now=now,
    )
    report.add(made)
    progress.waiting = True


def _mark_reached(
    session: Session, plan: MaintenancePlan, asset: Asset, seen: list[tuple[datetime, float]]
) -> None:
    """Open running-hours occurrences fall due when the counter reaches their value."""
    if not seen:
        return
    waiting = session.scalars(
        sa.select(Occurrence).where(
            Occurrence.plan_id == plan.id,
            Occurrence.asset_id == asset.id,
            Occurrence.status == OccurrenceStatus.OPEN,
            Occurrence.due_at.is_(None),
        )
    )
    for occurrence in waiting:
        if occurrence.due_hours is None:
            continue
        occurrence.due_at = next((t for t, h in seen if h >= occurrence.due_hours), None)


def _condition(
    session: Session,
    plan: MaintenancePlan,
    asset: Asset,
    progress: PlanProgress,
    ended: bool,
    readings: Readings,
    now: datetime,
    report: RunReport,
) -> None:
    assert plan.metric is not None
    assert plan.direction is not None
    assert plan.level is not None
    for done in settle(session=session, plan=plan, asset=asset) if ended else []:
        report.done += done.done_at is not None
    condition = Condition(
        direction=plan.direction,
        level=plan.level,
        clear_level=plan.level if plan.clear_level is None else plan.clear_level,
        for_readings=plan.for_readings or 1,
        armed=progress.armed,
        streak=progress.streak,
        streak_since=progress.streak_since,
    )
    readings = [
        (t, v) for t, v in readings if progress.read_until is None or t > progress.read_until
    ]
    fired = condition.feed(readings)
    progress.armed, progress.streak = condition.armed, condition.streak
    progress.streak_since = condition.streak_since
    if readings:
        progress.read_until, progress.last_value = readings[-1]
    for episode in fired:
        reason = (
            f"{plan.metric} {plan.direction.value} {plan.level:g} for {condition.for_readings} "
            f"reading(s) from {episode.since:%Y-%m-%d %H:%M} UTC (value {episode.value:g})"
        )
        due = Due(episode_key(episode.since), episode.at, None, reason)
        report.add(generate(session=session, plan=plan, asset=asset, due=due, now=now))
