"""Loading a generated history: what the services guarantee holds for the bulk-loaded rows
(on SQLite and PostgreSQL), and `vigil history` works from the command line."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alerts.models import Alert
from customers.errors import Conflict
from customers.models import Asset, Contract, Customer, Site
from field.models import Dispatch
from field.stock.models import StockMove
from field.stock.queries import reconcile
from field.visits.models import Visit
from followup.surveys import tasks
from followup.surveys.models import FollowUpTask, Survey, TaskKind, TaskStatus
from followup.surveys.scoring import Outcome
from planning import scheduled
from planning.compliance import pm_compliance
from planning.models import Occurrence, OccurrenceStatus
from simulators.history import generate, write
from tests.planning.builders import FakeTelemetry
from tests.workorders import dbkit
from tests.workorders.dbkit import Db
from vigil.history.loader import load
from vigil.history.orders import Clocks, _events, cover
from vigil.history.organisation import Keys
from workorders.intake import insert_work_order
from workorders.models import Priority, Status, WorkOrder, WorkOrderAudit
from workorders.requests.models import ServiceRequest
from workorders.sla import plans

END = datetime(2026, 11, 30, tzinfo=UTC)
# The database fixtures: each test runs on SQLite and on PostgreSQL.
db, pg_engine, sqlite_template = dbkit.db, dbkit.pg_engine, dbkit.sqlite_template


@pytest.fixture(scope="module")
def history_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("history")
    return write(generate(months=4, assets=150, seed=5, end=END), directory)


def _loaded(db: Db, history_dir: Path) -> Session:
    session = db.factory()
    steps: list[str] = []
    load(session=session, directory=history_dir, now=END,
         progress=lambda step, done, total: steps.append(f"{done}/{total} {step}"))  # fmt: skip
    session.commit()
    assert steps[-1] == "14/14 preventive plans"
    return session


def test_loaded_history_keeps_the_invariants(db: Db, history_dir: Path) -> None:
    session = _loaded(db, history_dir)
    wos = session.scalars(sa.select(WorkOrder)).all()
    assert len(wos) > 100
    # Every work order has its asset, on a site of a customer.
    orphans = session.scalar(
        sa.select(sa.func.count())
        .select_from(WorkOrder)
        .outerjoin(Asset, Asset.id == WorkOrder.asset_id)
        .outerjoin(Site, Site.id == Asset.site_id)
        .outerjoin(Customer, Customer.id == Site.customer_id)
        .where(Customer.id.is_(None))
    )
    assert orphans == 0
    first_at = {wo.id: wo.created_at for wo in wos}
    # Visits on site within the work order's time, by the engineer it was dispatched to.
    visits = session.scalars(sa.select(Visit)).all()
    assert len(visits) >= len([wo for wo in wos if wo.visits])
    sent = {(d.work_order_id, d.engineer_id) for d in session.scalars(sa.select(Dispatch))}
    for visit in visits:
        assert first_at[visit.work_order_id] <= visit.checked_in_at < END
        assert visit.checked_out_at is None or visit.checked_in_at < visit.checked_out_at < END
        assert (visit.work_order_id, visit.engineer_id) in sent
    done = [wo for wo in wos if wo.resolution_code is not None]
    assert all(wo.accepted_by and wo.accepted_at == wo.resolved_at for wo in done)
    for wo in wos:
        assert wo.created_at <= (wo.responded_at or END) <= (wo.on_site_at or END)
        assert (wo.on_site_at or wo.created_at) <= (wo.resolved_at or END)
        assert wo.respond_by <= wo.on_site_by <= (wo.resolve_by or END)
        if wo.status in (Status.RESOLVED, Status.CLOSED):
            assert wo.resolution_code is not None
            assert wo.resolved_at is not None
    # Surveys only for resolved work: sent after a resolution of their work order.
    resolved_at: dict[object, list[datetime]] = {}
    for audit in session.scalars(
        sa.select(WorkOrderAudit).where(WorkOrderAudit.action.like("%->resolved"))
    ):
        resolved_at.setdefault(audit.work_order_id, []).append(audit.at)
    surveys = session.scalars(sa.select(Survey)).all()
    assert surveys
    assert any(s.recommend is not None for s in surveys)
    for survey in surveys:
        assert any(at <= survey.sent_at for at in resolved_at[survey.work_order_id])
        assert (survey.score is None) == (survey.answered_at is None)
    # Stock: the levels are the ledger's sums, and no level was ever negative.
    assert reconcile(session=session) == []
    running: Counter[tuple[int, int]] = Counter()
    for move in session.scalars(sa.select(StockMove).order_by(StockMove.at, StockMove.id)):
        sign = 1 if move.kind == "receipt" else -1
        running[move.warehouse_id, move.part_id] += sign * move.quantity
        assert running[move.warehouse_id, move.part_id] >= 0
    # Each work order was reported by at least one request, and dispatched at most once at a time.
    reported = Counter(session.scalars(sa.select(ServiceRequest.work_order_id)))
    assert set(reported) == {wo.id for wo in wos}
    active = Counter(session.scalars(sa.select(Dispatch.work_order_id).where(Dispatch.active)))
    assert max(active.values()) == 1
    # What the customer value analysis reads: invoiced billable work, contracts, equipment sales.
    billed = [wo for wo in wos if wo.billed_amount is not None]
    assert billed
    assert all(wo.billable and (wo.billed_amount or 0) > 0 for wo in billed)
    assert session.scalar(sa.select(sa.func.count()).where(Contract.value > 0))
    assert not session.scalar(sa.select(sa.func.count()).where(Asset.purchase_value.is_(None)))
    # Predictive work has its alert episode, at most one live per asset and fault.
    alerts = session.scalars(sa.select(Alert)).all()
    assert alerts
    assert all(a.work_order_id is not None for a in alerts)
    session.close()


def test_counters_and_scheduler_carry_on_after_the_history(db: Db, history_dir: Path) -> None:
    session = _loaded(db, history_dir)
    last = session.scalar(
        sa.select(WorkOrder.number).where(WorkOrder.number.like("WO-2026-%"))
        .order_by(WorkOrder.number.desc())
    )  # fmt: skip
    asset = session.scalars(sa.select(Asset).order_by(Asset.id)).first()
    assert asset is not None
    assert last is not None
    wo = insert_work_order(
        session=session, asset=asset, priority=Priority.NORMAL, now=END, actor="test",
        kind="equipment", fault_code="new_fault", fault_title="New", detector="x",
        model_version="", score=0.0, threshold=0.0, top_metrics={}, detected_at=END,
        predicted_failure_at=None,
    )  # fmt: skip
    assert wo.number == f"WO-2026-{int(last[-6:]) + 1:06d}"
    # The follow-up generator finds the loaded after-repair tasks and adds none of its own.
    before = session.scalar(sa.select(sa.func.count()).select_from(FollowUpTask))
    created = tasks._after_repairs(session=session, now=END, window=tasks.Window(), assignee=None)
    assert created == []
    assert session.scalar(sa.select(sa.func.count()).select_from(FollowUpTask)) == before
    with pytest.raises(Conflict, match="loaded already"):
        load(session=session, directory=history_dir, now=END)
    session.rollback()
    session.close()


def test_preventive_work_has_its_plans_and_poor_surveys_their_tasks(
    db: Db, history_dir: Path
) -> None:
    session = _loaded(db, history_dir)
    preventive = session.scalars(
        sa.select(WorkOrder).where(WorkOrder.channel == "preventive")
    ).all()
    occurrences = session.scalars(sa.select(Occurrence)).all()
    assert preventive
    # One occurrence per preventive work order, of a plan on the same asset, keyed by its date.
    by_wo = {w.id: w for w in preventive}
    assert sorted(str(o.work_order_id) for o in occurrences) == sorted(str(i) for i in by_wo)
    for o in occurrences:
        assert o.work_order_id is not None
        wo = by_wo[o.work_order_id]
        assert o.plan.asset_id == wo.asset_id
        assert o.due_key in wo.fault_title
        assert o.plan.start_on is not None
        assert o.plan.every is not None
        gap = (date.fromisoformat(o.due_key) - o.plan.start_on).days
        assert gap % o.plan.every == 0
        assert (o.status is OccurrenceStatus.DONE) == (wo.resolved_at is not None and wo.status in
                                                        (Status.RESOLVED, Status.CLOSED))  # fmt: skip
    # PM compliance has something to say about the history, and it is mostly kept.
    kept = pm_compliance(session, END - timedelta(days=120), END, as_of=END)
    assert kept.due > 10
    assert kept.share is not None
    assert 0.6 < kept.share <= 1.0
    # Every answer below 4 made one task of the kind its outcome asks, as the product does.
    answered = session.scalars(sa.select(Survey).where(Survey.outcome.is_not(None))).all()
    low = {s.id: s for s in answered if s.outcome in (Outcome.FOLLOW_UP, Outcome.REVIEW)}
    survey_tasks = session.scalars(
        sa.select(FollowUpTask).where(FollowUpTask.survey_id.is_not(None))
    ).all()
    assert low
    assert sorted(t.survey_id or 0 for t in survey_tasks) == sorted(low)
    for t in survey_tasks:
        assert t.survey_id is not None
        answered_at = low[t.survey_id].answered_at
        assert answered_at is not None
        kind = TaskKind.SURVEY_CALL if low[t.survey_id].outcome is Outcome.FOLLOW_UP else (
            TaskKind.SURVEY_REVIEW)  # fmt: skip
        assert t.kind is kind
        assert t.due_key == f"survey:{t.survey_id}"
        assert t.done_at is None or t.done_at > answered_at
    assert any(t.status is TaskStatus.DONE for t in survey_tasks)
    # The planner, running on at the end, opens nothing twice for a due date the history had.
    before = {(o.plan_id, o.asset_id, o.due_key) for o in occurrences}
    session.close()
    run = scheduled.run(session_factory=db.factory, read=FakeTelemetry(), now=END)
    assert not run.failed
    with db.factory() as again:
        after = again.execute(
            sa.select(Occurrence.plan_id, Occurrence.asset_id, Occurrence.due_key)
        ).all()
    assert len(after) == len(set(after))
    assert before <= set(after)


def test_finished_clocks_match_the_full_computation(db: Db, history_dir: Path) -> None:
    """The loader's short cut for finished work gives ``workorders.sla.clock.compute``'s
    deadlines."""
    from simulators.history import read

    session = _loaded(db, history_dir)
    keys = Keys()
    keys.site_records = {r["code"]: r for r in read(history_dir, "sites")}
    names = {c.name: c.id for c in session.scalars(sa.select(Customer))}
    by_key = {r["key"]: names[r["name"]] for r in read(history_dir, "customers")}
    keys.plans = {p.name: p.id for p in plans.list_plans(session=session)}
    from vigil.history.organisation import AssetRef

    for r in read(history_dir, "assets"):
        row = session.scalars(sa.select(Asset).where(Asset.asset == r["asset"])).one()
        keys.assets[r["asset"]] = AssetRef(row.id, row.site, row.asset, row.asset_type,
                                           row.site_id or 0, row.customer_id or 0, row.tier,
                                           row.criticality)  # fmt: skip
    for r in read(history_dir, "contracts"):
        ids = {keys.assets[a].id for a in r["assets"]} if "assets" in r else None
        keys.coverage.setdefault(by_key[r["customer"]], []).append(
            (datetime.fromisoformat(r["starts_on"]).date(), datetime.fromisoformat(r["ends_on"]).date(),
             r["kind"], r["sla_plan"], ids)
        )  # fmt: skip
    clocks = Clocks.read(session, keys)
    checked = 0
    for w in read(history_dir, "work_orders"):
        if w["status"] != "closed" or checked >= 60:
            continue
        asset = keys.assets[w["asset"]]
        _cover, plan, _why = cover(keys, asset, datetime.fromisoformat(w["created_at"]).date())
        events = _events(w, Priority(w["priority"]), asset, keys.plans[plan or "default"])
        full = clocks.state(asset.site, events, END)
        assert clocks.finished(asset.site, events) == {k: d.due for k, d in full.deadlines.items()}
        checked += 1
    assert checked == 60
    session.close()


def test_command_generates_and_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vigil.cli import app
    from vigil.commands.history import register

    register(app)
    database = tmp_path / "vigil.db"
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{database}")
    runner = CliRunner()
    out = tmp_path / "files"
    result = runner.invoke(app, ["history", "generate", "--months", "2", "--assets", "40",
                                 "--end", "2026-11-30", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "loaded" in result.output
    assert (out / "manifest.json").exists()
    again = runner.invoke(app, ["history", "load", str(out)])
    assert again.exit_code == 2
    assert "loaded already" in again.output
    missing = runner.invoke(app, ["history", "load", str(tmp_path / "nothing")])
    assert missing.exit_code == 2
    assert "no manifest.json" in missing.output
