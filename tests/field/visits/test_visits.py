"""The visit on SQLite and PostgreSQL: check-in/out with position, the checklist taken from the
suggested fix, parts taken from the van through the stock ledger, notes, the signature as the
customer's acceptance, and no repair resolved without it or a reason."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from field.stock import queries
from field.visits import files, service
from field.visits.models import FileKind, PartUse, Position, ResolveIn, VisitStep
from field.visits.sheet import sheet
from field.visits.uploads import LocalStore, UploadRefused
from knowledge import service as knowledge
from knowledge.models import ArticleCreate, ArticleStatus, ArticleUse
from tests.field.visits.builders import BARCODE, JPEG, STEPS, build_visit_world, png
from tests.workorders.dbkit import Db, decision
from workorders import browse, from_alerts
from workorders import service as workorders
from workorders.errors import Conflict, InvalidInput, NotFound
from workorders.models import Asset, ResolutionCode, Status

NOW = datetime.now(UTC).replace(microsecond=0)
HERE = Position(latitude=47.3769, longitude=8.5417, accuracy_m=12.0)
ANA = "Ana (key k1, engineer)"


def test_a_visit_from_check_in_to_resolution(db: Db, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "uploads")
    with db.factory() as session:
        world = build_visit_world(session, now=NOW)
        wo = workorders.get_work_order(session=session, ref=world.work_order)
        assert wo.status.value == "dispatched"

        visit = service.check_in(
            session=session, wo=wo, engineer_id=world.engineer_id, position=HERE, actor=ANA, now=NOW
        )
        assert (visit.in_latitude, visit.in_longitude, visit.in_accuracy_m) == (
            47.3769,
            8.5417,
            12.0,
        )
        assert wo.status is Status.IN_PROGRESS
        assert wo.on_site_at == NOW
        assert wo.visits == 1
        with pytest.raises(Conflict, match="already checked in"):
            service.check_in(
                session=session,
                wo=wo,
                engineer_id=world.engineer_id,
                position=HERE,
                actor=ANA,
                now=NOW,
            )

        # The checklist is the suggested article's fix, step by step; ticking records who/when.
        steps = service.checklist(session=session, wo=wo)
        assert [s.text for s in steps] == list(STEPS)
        assert {s.article_id for s in steps} == {world.article_id}
        later = NOW + timedelta(minutes=10)
        ticked = service.tick(
            session=session, wo=wo, step_id=steps[1].id, done=True, actor=ANA, now=later
        )
        assert (ticked.done_by, ticked.done_at) == (ANA, later)
        for step in steps:
            service.tick(session=session, wo=wo, step_id=step.id, done=True, actor=ANA, now=later)
        uses = session.scalars(sa.select(ArticleUse).where(ArticleUse.work_order_id == wo.id)).all()
        assert [(u.article_id, u.kind, u.actor) for u in uses] == [
            (world.article_id, "applied", ANA)
        ]
        with pytest.raises(NotFound):
            service.tick(session=session, wo=wo, step_id=999_999, done=True, actor=ANA, now=later)

        # A part scanned (its barcode) comes out of Ana's van: the stock goes down.
        used = service.use_part(
            session=session,
            wo=wo,
            engineer_id=world.engineer_id,
            data=PartUse(code=BARCODE),
            actor=ANA,
            now=later,
        )
        assert (used.part_number, used.warehouse, used.quantity) == ("SKF-6205", "van-ana", 1)
        [van] = list(queries.levels(session=session, warehouse="van-ana"))
        assert (van.part_number, van.on_hand) == ("SKF-6205", 1)
        with pytest.raises(Conflict, match=r"out of stock: .*SKF-6205.*1 free"):
            service.use_part(
                session=session,
                wo=wo,
                engineer_id=world.engineer_id,
                data=PartUse(code="SKF-6205", quantity=2),
                actor=ANA,
                now=later,
            )
        with pytest.raises(NotFound, match="no part with number or barcode"):
            service.use_part(
                session=session,
                wo=wo,
                engineer_id=world.engineer_id,
                data=PartUse(code="NOPE-1"),
                actor=ANA,
                now=later,
            )
        service.set_notes(session=session, wo=wo, text="Bearing was pitted", actor=ANA, now=later)
        files.add(
            session=session,
            wo=wo,
            store=store,
            kind=FileKind.PHOTO,
            data=JPEG,
            max_bytes=1_000_000,
            actor=ANA,
            now=later,
            filename="bearing.jpg",
        )

        # No repair without the customer's acceptance or a reason.
        with pytest.raises(InvalidInput, match="without the customer's acceptance"):
            service.resolve(session=session, wo=wo, data=ResolveIn(), actor=ANA, now=later)
        files.add(
            session=session,
            wo=wo,
            store=store,
            kind=FileKind.SIGNATURE,
            data=png(),
            max_bytes=1_000_000,
            actor=ANA,
            now=later,
            signer="Ada Meier",
        )
        assert (wo.accepted_by, wo.accepted_at) == ("Ada Meier", later)
        resolved = service.resolve(session=session, wo=wo, data=ResolveIn(), actor=ANA, now=later)
        assert resolved.status is Status.RESOLVED
        assert resolved.resolution_code is ResolutionCode.CONFIRMED_FAULT
        assert resolved.parts_used == ["1 x SKF-6205 (Bearing 6205-2RS)"]
        assert resolved.resolution_notes is not None
        assert resolved.resolution_notes.startswith("Bearing was pitted\n- Isolate the pump")
        out = service.check_out(session=session, wo=wo, position=Position(), now=later)
        assert out.checked_out_at == later
        assert out.out_latitude is None

        read = sheet(session=session, wo=wo)
        assert [f.kind for f in read.files] == [FileKind.PHOTO, FileKind.SIGNATURE]
        assert read.files[1].signer == "Ada Meier"
        assert (
            read.files[0].url == f"/api/v1/work-orders/{wo.number}/visit/files/{read.files[0].id}"
        )
        assert [p.part_number for p in read.parts] == ["SKF-6205"]
        assert all(s.done_by == ANA for s in read.steps)
        assert not read.on_site
        assert len(read.visits) == 1
        # Finished: nothing more is recorded on it.
        with pytest.raises(InvalidInput, match="resolved"):
            service.set_notes(session=session, wo=wo, text="more", actor=ANA, now=later)
        session.commit()


def test_resolution_without_a_signature_needs_a_reason_and_a_reopened_repair_a_new_one(
    db: Db,
) -> None:
    with db.factory() as session:
        world = build_visit_world(session, now=NOW)
        wo = workorders.get_work_order(session=session, ref=world.work_order)
        # Every way in goes through record_resolution: the API, the command line, the phone.
        with pytest.raises(InvalidInput, match="no_acceptance_reason"):
            workorders.record_resolution(
                session=session,
                work_order_id=wo.id,
                code=ResolutionCode.CONFIRMED_FAULT,
                expected_version=None,
                actor="desk",
                now=NOW,
                no_acceptance_reason="   ",
            )
        # A false alarm is not a repair: nobody has to accept it.
        resolved = workorders.record_resolution(
            session=session,
            work_order_id=wo.id,
            code=ResolutionCode.FALSE_ALARM,
            expected_version=None,
            actor="desk",
            now=NOW,
        )
        assert resolved.status is Status.RESOLVED
        assert resolved.no_acceptance_reason is None
        reopened = workorders.transition(
            session=session,
            work_order_id=wo.id,
            to=Status.REOPENED,
            expected_version=None,
            actor="desk",
            now=NOW,
        )
        assert reopened.accepted_at is None
        repaired = workorders.record_resolution(
            session=session,
            work_order_id=wo.id,
            code=ResolutionCode.CONFIRMED_FAULT,
            expected_version=None,
            actor="desk",
            now=NOW,
            no_acceptance_reason="site unattended; customer told by phone",
        )
        assert repaired.no_acceptance_reason == "site unattended; customer told by phone"
        audit = browse.audit_log(session=session, work_order_id=wo.id)
        assert audit[-1].changes["no_acceptance_reason"] == [
            None,
            "site unattended; customer told by phone",
        ]
        session.commit()


def test_a_refused_upload_leaves_no_file_and_no_record(db: Db, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "uploads")
    with db.factory() as session:
        world = build_visit_world(session, now=NOW)
        wo = workorders.get_work_order(session=session, ref=world.work_order)
        for kind, data, name, status in (
            (FileKind.PHOTO, b"GIF89a" + b"\x00" * 50, "a.gif", 415),
            (FileKind.SIGNATURE, JPEG, None, 415),  # a signature is a PNG
            (FileKind.PHOTO, JPEG * 100, "big.jpg", 413),
            (FileKind.PHOTO, JPEG, "../../etc/passwd", 400),
        ):
            with pytest.raises(UploadRefused) as refused:
                files.add(
                    session=session,
                    wo=wo,
                    store=store,
                    kind=kind,
                    data=data,
                    max_bytes=2_000,
                    actor=ANA,
                    now=NOW,
                    filename=name,
                    signer="Ada",
                )
            assert refused.value.status == status
        with pytest.raises(InvalidInput, match="customer's name"):
            files.add(
                session=session,
                wo=wo,
                store=store,
                kind=FileKind.SIGNATURE,
                data=png(),
                max_bytes=2_000,
                actor=ANA,
                now=NOW,
                signer="  ",
            )
        assert files.list_files(session=session, wo=wo) == []
        assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").rglob("*.*"))
        assert wo.accepted_at is None


def test_two_first_reads_at_once_make_one_checklist(db: Db) -> None:
    # Real commits on their own connections: unique names, and everything deleted after.
    tag = uuid.uuid4().hex[:6]
    with db.committed() as session:
        article = knowledge.create(
            session=session,
            data=ArticleCreate(
                title=f"Fix {tag}",
                fix_steps=list(STEPS),
                fault_codes=[f"fc-{tag}"],
                status=ArticleStatus.PUBLISHED,
            ),
            author="k",
            now=NOW,
        )
        wo = from_alerts.open_for_alert(
            session=session,
            decision=decision(asset=f"pump-{tag}", fault_code=f"fc-{tag}"),
            now=NOW,
        ).work_order
        session.commit()
        wo_id, article_id, asset_id = wo.id, article.id, wo.asset_id
    barrier = threading.Barrier(2)
    seen: list[list[str]] = []

    def first_read() -> None:
        barrier.wait(timeout=10)
        with db.committed() as mine:
            mine_wo = workorders.get_work_order(session=mine, ref=wo_id)
            seen.append([s.text for s in service.checklist(session=mine, wo=mine_wo)])
            mine.commit()

    threads = [threading.Thread(target=first_read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        assert seen == [list(STEPS), list(STEPS)]
        with db.committed() as session:
            count = session.scalar(
                sa.select(sa.func.count()).select_from(VisitStep).filter_by(work_order_id=wo_id)
            )
            assert count == len(STEPS)
    finally:
        with db.committed() as session:
            session.execute(sa.delete(VisitStep).where(VisitStep.work_order_id == wo_id))
            session.delete(workorders.get_work_order(session=session, ref=wo_id))
            session.delete(knowledge.get(session=session, article_id=article_id))
            session.flush()
            session.execute(sa.delete(Asset).where(Asset.id == asset_id))
            session.commit()
