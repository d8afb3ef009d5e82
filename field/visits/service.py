"""The visit's services: check-in and check-out, the checklist, parts used, notes, resolution.

Plain functions, session first; the caller commits. Refusals raise the work-order errors
(``InvalidInput`` 422, ``Conflict`` 409, ``NotFound`` 404) with a message a phone can show.
Files (photos, the signature) are in ``field.visits.files``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from field.models import Engineer
from field.stock import catalogue, ledger
from field.stock import service as stock
from field.stock.models import MoveKind, Part, StockMove, Warehouse, WarehouseKind
from field.visits.models import (
    PartUse,
    PartUsed,
    Position,
    ResolveIn,
    Visit,
    VisitNote,
    VisitStep,
)
from knowledge import service as knowledge
from knowledge.models import ArticleUse, UseKind
from workorders import service as workorders
from workorders.errors import Conflict, InvalidInput, NotFound
from workorders.models import ResolutionCode, Status, WorkOrder

# Work on these is over: nothing more is recorded on site.
DONE = (Status.RESOLVED, Status.CLOSED, Status.CANCELLED)


def ensure_working(wo: WorkOrder) -> None:
    if wo.status in DONE:
        raise InvalidInput(f"{wo.number} is {wo.status.value}: the visit can no longer change")


def open_visit(*, session: Session, wo: WorkOrder) -> Visit | None:
    return session.scalars(
        sa.select(Visit)
        .where(Visit.work_order_id == wo.id, Visit.checked_out_at.is_(None))
        .order_by(Visit.id.desc())
    ).first()


def visits(*, session: Session, wo: WorkOrder) -> list[Visit]:
    return list(
        session.scalars(sa.select(Visit).where(Visit.work_order_id == wo.id).order_by(Visit.id))
    )


def check_in(
    *,
    session: Session,
    wo: WorkOrder,
    engineer_id: int | None,
    position: Position,
    actor: str,
    now: datetime,
) -> Visit:
    """Arrived on site: the time and where the phone is; the work order goes in progress."""
    ensure_working(wo)
    here = open_visit(session=session, wo=wo)
    if here is not None:
        raise Conflict(
            f"{wo.number}: already checked in at {here.checked_in_at:%H:%M} UTC by {here.actor}; "
            "check out first"
        )
    if wo.status is not Status.IN_PROGRESS:
        workorders.transition(
            session=session,
            work_order_id=wo.id,
            to=Status.IN_PROGRESS,
            expected_version=None,
            actor=actor,
            now=now,
            note="checked in on site",
        )
    visit = Visit(
        work_order_id=wo.id,
        engineer_id=engineer_id,
        actor=actor,
        checked_in_at=now,
        in_latitude=position.latitude,
        in_longitude=position.longitude,
        in_accuracy_m=position.accuracy_m,
    )
    session.add(visit)
    session.flush()
    return visit


def check_out(*, session: Session, wo: WorkOrder, position: Position, now: datetime) -> Visit:
    """Leaving the site (also after the work order is resolved)."""
    visit = open_visit(session=session, wo=wo)
    if visit is None:
        raise InvalidInput(f"{wo.number}: not checked in, so there is nothing to check out of")
    visit.checked_out_at = now
    visit.out_latitude = position.latitude
    visit.out_longitude = position.longitude
    visit.out_accuracy_m = position.accuracy_m
    session.flush()
    return visit


# --- the checklist ------------------------------------------------------------------------------


def steps(*, session: Session, wo: WorkOrder) -> list[VisitStep]:
    return list(
        session.scalars(
            sa.select(VisitStep)
            .where(VisitStep.work_order_id == wo.id)
            .order_by(VisitStep.position)
        )
    )


def checklist(*, session: Session, wo: WorkOrder) -> list[VisitStep]:
    """The repair's steps: taken once from the best suggested fix that has steps, then kept
    (a later edit of the article does not change a checklist already being ticked)."""
    existing = steps(session=session, wo=wo)
    if existing or wo.status in DONE:
        return existing
    for suggested in knowledge.suggest_for_work_order(session=session, work_order=wo):
        if suggested.article.fix_steps:
            article = suggested.article
            try:
                with session.begin_nested():
                    session.add_all(
                        VisitStep(
                            work_order_id=wo.id,
                            position=position,
                            text=text[:1000],
                            article_id=article.id,
                        )
                        for position, text in enumerate(article.fix_steps, start=1)
                    )
            except IntegrityError:
                pass  # two first reads at once: the other one's checklist stands
            break
    return steps(session=session, wo=wo)


def tick(
    *, session: Session, wo: WorkOrder, step_id: int, done: bool, actor: str, now: datetime
) -> VisitStep:
    """Tick (or untick) a step; the first tick records that the article's fix was applied."""
    ensure_working(wo)
    step = session.get(VisitStep, step_id)
    if step is None or step.work_order_id != wo.id:
        raise NotFound(f"{wo.number} has no step {step_id}")
    step.done_at = now if done else None
    step.done_by = actor if done else None
    if done and step.article_id is not None:
        applied = session.scalar(
            sa.select(sa.func.count())
            .select_from(ArticleUse)
            .where(
                ArticleUse.article_id == step.article_id,
                ArticleUse.work_order_id == wo.id,
                ArticleUse.kind == UseKind.APPLIED.value,
            )
        )
        if not applied:
            knowledge.record_use(
                session=session,
                article_id=step.article_id,
                actor=actor,
                kind=UseKind.APPLIED,
                now=now,
                work_order_id=wo.id,
            )
    session.flush()
    return step


# --- parts --------------------------------------------------------------------------------------


def _warehouse(session: Session, engineer_id: int | None, code: str | None) -> Warehouse:
    if code:
        try:
            return catalogue.find_warehouse(session=session, code=code)
        except catalogue.NotFound as error:
            raise NotFound(str(error)) from None
    van = (
        session.scalars(
            sa.select(Warehouse)
            .where(
                Warehouse.engineer_id == engineer_id,
                Warehouse.kind == WarehouseKind.VAN.value,
            )
            .order_by(Warehouse.id)
        ).first()
        if engineer_id is not None
        else None
    )
    if van is None:
        who = session.get(Engineer, engineer_id) if engineer_id is not None else None
        raise InvalidInput(
            (f"{who.name} has no van in the stock records" if who else "no engineer's van")
            + ": name the warehouse the part was taken from"
        )
    return van


def use_part(
    *,
    session: Session,
    wo: WorkOrder,
    engineer_id: int | None,
    data: PartUse,
    actor: str,
    now: datetime,
) -> PartUsed:
    """A part used on the repair, found by number or barcode, taken from the engineer's van
    (or the warehouse named) through the stock ledger: the stock goes down by it."""
    ensure_working(wo)
    try:
        part = catalogue.find_part(session=session, code=data.code)
    except catalogue.NotFound as error:
        raise NotFound(f"{error}: check the number, or scan the barcode again") from None
    warehouse = _warehouse(session, engineer_id, data.warehouse)
    try:
        stock.consume(
            session=session,
            work_order_id=wo.id,
            asset_id=wo.asset_id,
            warehouse=warehouse,
            part=part,
            quantity=data.quantity,
            actor=actor,
            now=now,
        )
    except ledger.OutOfStock as error:
        raise Conflict(f"out of stock: {error}") from None
    except ledger.StockError as error:
        raise InvalidInput(str(error)) from None
    return PartUsed(
        part_number=part.part_number,
        name=part.name,
        quantity=data.quantity,
        warehouse=warehouse.code,
        at=now,
        actor=actor,
    )


def parts_used(*, session: Session, wo: WorkOrder) -> list[PartUsed]:
    rows = session.execute(
        sa.select(StockMove, Part, Warehouse)
        .join(Part, Part.id == StockMove.part_id)
        .join(Warehouse, Warehouse.id == StockMove.warehouse_id)
        .where(StockMove.work_order_id == wo.id, StockMove.kind == MoveKind.CONSUME.value)
        .order_by(StockMove.id)
    )
    return [
        PartUsed(
            part_number=part.part_number,
            name=part.name,
            quantity=move.quantity,
            warehouse=warehouse.code,
            at=move.at,
            actor=move.actor,
        )
        for move, part, warehouse in rows
    ]


# --- notes and resolution -----------------------------------------------------------------------


def notes(*, session: Session, wo: WorkOrder) -> str:
    row = session.get(VisitNote, wo.id)
    return row.text if row is not None else ""


def set_notes(
    *, session: Session, wo: WorkOrder, text: str, actor: str, now: datetime
) -> VisitNote:
    ensure_working(wo)
    row = session.get(VisitNote, wo.id)
    if row is None:
        row = VisitNote(work_order_id=wo.id, text=text, updated_at=now, updated_by=actor)
        session.add(row)
    else:
        row.text, row.updated_at, row.updated_by = text, now, actor
    session.flush()
    return row


def resolve(
    *, session: Session, wo: WorkOrder, data: ResolveIn, actor: str, now: datetime
) -> WorkOrder:
    """Resolve from the visit: its notes (or the ones given), the steps done and the parts used
    from the ledger. A repair needs the customer's signature or a reason why there is none;
    ``workorders.service.record_resolution`` checks it, as it does for every other way in."""
    text = (data.notes if data.notes is not None else notes(session=session, wo=wo)).strip()
    done = [s.text for s in steps(session=session, wo=wo) if s.done_at is not None]
    if done:
        text = "\n".join(filter(None, [text, *(f"- {s}" for s in done)]))
    used = [
        f"{p.quantity} x {p.part_number} ({p.name})" for p in parts_used(session=session, wo=wo)
    ]
    return workorders.record_resolution(
        session=session,
        work_order_id=wo.id,
        code=ResolutionCode(data.code),
        expected_version=None,
        actor=actor,
        now=now,
        notes=text[:5000] or None,
        parts_used=used,
        no_acceptance_reason=data.no_acceptance_reason,
    )
