"""Follow-up tasks: generated on a schedule, listed with due dates, reminded, found overdue,
and closed by recording the contact with the customer.

Plain functions, session first; the caller commits. Generation inserts each (kind, asset, due
key) once with ``ON CONFLICT DO NOTHING``: a rerun, a concurrent run or a catch-up after downtime
adds only what is missing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from customers.errors import InvalidInput, NotFound
from customers.models import Asset, Contract, ContractAsset
from followup.surveys import schedule
from followup.surveys.models import (
    ContractCadence,
    FollowUpTask,
    TaskKind,
    TaskStatus,
)
from workorders.models import ResolutionCode, Status, WorkOrder

GENERATOR = "vigil (follow-up schedule)"
# Outcomes that were not a repair: nothing to follow up.
_NOT_A_REPAIR = (ResolutionCode.FALSE_ALARM, ResolutionCode.NO_FAULT_FOUND)


@dataclass(frozen=True, slots=True)
class Window:
    """Generate what falls due from ``now - lookback`` (catch-up after downtime) to
    ``now + horizon`` (so the list shows what is coming)."""

    lookback: timedelta = timedelta(days=30)
    horizon: timedelta = timedelta(days=14)


def insert_once(session: Session, **values: Any) -> int | None:
    """Insert a task unless its (kind, asset, due key) exists; its id, or None if it existed."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(FollowUpTask)
        .values(status=TaskStatus.OPEN, **values)
        .on_conflict_do_nothing(index_elements=["kind", "asset_id", "due_key"])
        .returning(FollowUpTask.id)
    )
    return session.execute(statement).scalar_one_or_none()


def generate(
    *,
    session: Session,
    now: datetime,
    window: Window = Window(),
    assignee: str | None = None,
) -> list[int]:
    """Create the follow-up tasks due in the window; the ids of those created."""
    created = _after_repairs(session=session, now=now, window=window, assignee=assignee)
    created += _installations(session=session, now=now, window=window, assignee=assignee)
    return created


def _after_repairs(
    *, session: Session, now: datetime, window: Window, assignee: str | None
) -> list[int]:
    repaired = session.scalars(
        sa.select(WorkOrder)
        .where(
            WorkOrder.resolved_at >= now - window.lookback,
            WorkOrder.resolved_at <= now,
            WorkOrder.status.in_((Status.RESOLVED, Status.CLOSED)),
            sa.or_(
                WorkOrder.resolution_code.is_(None),
                WorkOrder.resolution_code.not_in(_NOT_A_REPAIR),
            ),
        )
        .order_by(WorkOrder.resolved_at)
    )
    created: list[int] = []
    for wo in repaired:
        assert wo.resolved_at is not None  # the query's condition
        new = insert_once(
            session,
            kind=TaskKind.AFTER_REPAIR,
            asset_id=wo.asset_id,
            customer_id=wo.asset.customer_id,
            work_order_id=wo.id,
            # A repair reopened and resolved again is a second repair: a second follow-up.
            due_key=f"{wo.id.hex[:16]}@{wo.resolved_at:%Y%m%dT%H%M%S}",
            due_at=wo.resolved_at + schedule.AFTER_REPAIR,
            title=f"Call {_customer(wo.asset)} about {wo.number} ({wo.fault_title})"[:300],
            assignee=assignee,
            created_at=now,
            created_by=GENERATOR,
        )
        if new is not None:
            created.append(new)
    return created


def _customer(asset: Asset) -> str:
    return asset.site_record.customer.name if asset.site_record is not None else asset.customer


def _contracts_by_customer(session: Session, customer_ids: set[int]) -> dict[int, list[Contract]]:
    """Per customer id, its contracts with their cadence loaded (see ``_covering``)."""
    rows = session.scalars(sa.select(Contract).where(Contract.customer_id.in_(customer_ids)))
    by_customer: dict[int, list[Contract]] = {}
    for contract in rows:
        by_customer.setdefault(contract.customer_id, []).append(contract)
    return by_customer


def _installations(
    *, session: Session, now: datetime, window: Window, assignee: str | None
) -> list[int]:
    assets = list(
        session.scalars(sa.select(Asset).where(Asset.site_id.is_not(None)).order_by(Asset.id))
    )
    customer_ids = {a.customer_id for a in assets if a.customer_id is not None}
    contracts = _contracts_by_customer(session, customer_ids)
    named = {(row.contract_id, row.asset_id) for row in session.scalars(sa.select(ContractAsset))}
    cadence = {
        row.contract_id: row.first_year_months
        for row in session.scalars(sa.select(ContractCadence))
    }
    created: list[int] = []
    for asset in assets:
        site = asset.site_record
        assert site is not None  # the query's condition
        covering = [
            c
            for c in contracts.get(site.customer_id, [])
            if c.all_assets or (c.id, asset.id) in named
        ]
        if not covering:
            continue
        first_use = asset.install_date or asset.first_seen_at.date()
        earliest, until = (now - window.lookback).date(), (now + window.horizon).date()
        # The shortest first-year cadence among the contracts decides; 6 months by default.
        every = min(cadence.get(c.id, schedule.DEFAULT_FIRST_YEAR_MONTHS) for c in covering)
        for kind, day in schedule.visits(first_use, every_months=every, until=until):
            if day < earliest:
                continue
            contract = _in_force(covering, day)
            if contract is None:
                continue
            new = insert_once(
                session,
                kind=kind,
                asset_id=asset.id,
                customer_id=site.customer_id,
                contract_id=contract.id,
                due_key=day.isoformat(),
                due_at=schedule.due_at(day, site.timezone),
                title=_visit_title(kind, asset, contract)[:300],
                assignee=assignee,
                created_at=now,
                created_by=GENERATOR,
            )
            if new is not None:
                created.append(new)
    return created


def _in_force(contracts: list[Contract], day: date) -> Contract | None:
    live = [c for c in contracts if c.starts_on <= day <= c.ends_on]
    return min(live, key=lambda c: c.number) if live else None


def _visit_title(kind: TaskKind, asset: Asset, contract: Contract) -> str:
    what = "first-week visit" if kind is TaskKind.AFTER_INSTALLATION else "scheduled visit"
    return f"{what.capitalize()}: {asset.asset} at {asset.site} (contract {contract.number})"


# --- the list -------------------------------------------------------------------------------------


def get_task(*, session: Session, task_id: int) -> FollowUpTask:
    row = session.get(FollowUpTask, task_id)
    if row is None:
        raise NotFound(f"no follow-up task {task_id}")
    return row


def list_tasks(
    *,
    session: Session,
    now: datetime,
    status: TaskStatus | None = TaskStatus.OPEN,
    overdue: bool = False,
    due_before: datetime | None = None,
    assignee: str | None = None,
    customer_id: int | None = None,
    limit: int = 200,
) -> list[FollowUpTask]:
    """Tasks by due date, earliest first. ``overdue``: open ones past their due time."""
    query = sa.select(FollowUpTask).order_by(FollowUpTask.due_at, FollowUpTask.id).limit(limit)
    if overdue:
        query = query.where(FollowUpTask.status == TaskStatus.OPEN, FollowUpTask.due_at < now)
    elif status is not None:
        query = query.where(FollowUpTask.status == status)
    if due_before is not None:
        query = query.where(FollowUpTask.due_at < due_before)
    if assignee is not None:
        query = query.where(FollowUpTask.assignee == assignee)
    if customer_id is not None:
        query = query.where(FollowUpTask.customer_id == customer_id)
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class Reminders:
    due_soon: list[FollowUpTask]  # reminded now: due within the lead time
    overdue: list[FollowUpTask]  # found overdue for the first time now


def remind(*, session: Session, now: datetime, lead: timedelta = timedelta(hours=24)) -> Reminders:
    """Stamp the open tasks that fall due within ``lead`` (once) and those newly overdue (once).

    The stamps are the reminders' record; the API lists them, and a mailer can read them.
    """
    open_ = sa.select(FollowUpTask).where(FollowUpTask.status == TaskStatus.OPEN)
    soon = list(
        session.scalars(
            open_.where(FollowUpTask.reminded_at.is_(None), FollowUpTask.due_at <= now + lead)
        )
    )
    for task in soon:
        task.reminded_at = now
    late = list(
        session.scalars(open_.where(FollowUpTask.overdue_at.is_(None), FollowUpTask.due_at < now))
    )
    for task in late:
        task.overdue_at = now
    session.flush()
    return Reminders(soon, late)


def finish(*, session: Session, task_id: int, status: TaskStatus, now: datetime) -> FollowUpTask:
    task = get_task(session=session, task_id=task_id)
    if status is TaskStatus.OPEN:
        raise InvalidInput("a task is finished as done or cancelled")
    if task.status is not TaskStatus.OPEN:
        raise InvalidInput(f"follow-up task {task_id} is {task.status.value} already")
    task.status, task.done_at = status, now
    session.flush()
    return task


def assign(*, session: Session, task_id: int, assignee: str | None) -> FollowUpTask:
    task = get_task(session=session, task_id=task_id)
    name = (assignee or "").strip()
    if len(name) > 200:
        raise InvalidInput("an assignee's name has at most 200 characters")
    task.assignee = name or None
    session.flush()
    return task


def create_task(
    *,
    session: Session,
    kind: TaskKind,
    asset: Asset,
    due_key: str,
    due_at: datetime,
    title: str,
    assignee: str | None,
    actor: str,
    now: datetime,
    work_order_id: uuid.UUID | None = None,
    survey_id: int | None = None,
) -> FollowUpTask:
    """One task made by a decision (a survey's outcome), not by the schedule."""
    task_id = insert_once(
        session,
        kind=kind,
        asset_id=asset.id,
        customer_id=asset.customer_id,
        work_order_id=work_order_id,
        survey_id=survey_id,
        due_key=due_key,
        due_at=due_at,
        title=title[:300],
        assignee=assignee,
        created_at=now,
        created_by=actor,
    )
    if task_id is None:
        existing = session.scalars(
            sa.select(FollowUpTask).where(
                FollowUpTask.kind == kind,
                FollowUpTask.asset_id == asset.id,
                FollowUpTask.due_key == due_key,
            )
        ).one()
        return existing
    return get_task(session=session, task_id=task_id)
