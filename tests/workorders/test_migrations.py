"""The Alembic migrations build exactly the schema the models declare, on both backends, and
carry existing data forward."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tests.conftest import POSTGRES_ADMIN_URL, unavailable
from tests.workorders.dbkit import Db
from vigil.db import alembic_config, include_object, metadata
from workorders.models import Priority, Tier
from workorders.sla.models import ClockEvent, Milestone, SlaPlan
from workorders.sla.plans import DEFAULT_TARGETS


def test_migrated_schema_matches_the_models(db: Db) -> None:
    with db.factory() as session:
        context = MigrationContext.configure(
            session.connection(), opts={"compare_type": True, "include_object": include_object}
        )
        assert context.get_current_revision() is not None
        assert compare_metadata(context, metadata()) == []


def test_default_sla_plan_is_seeded_with_the_defaults(db: Db) -> None:
    with db.factory() as session:
        plan = session.scalars(sa.select(SlaPlan).where(SlaPlan.is_default)).one()
        seeded = {
            (t.priority, t.customer_tier): (t.respond_min, t.on_site_min, t.resolve_min)
            for t in plan.targets
        }
        assert plan.name == "default"
        assert plan.around_the_clock == ["urgent"]
    assert seeded == DEFAULT_TARGETS


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    name = f"vigil_mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_URL}: {error.orig}")
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _old_work_order(conn: sa.Connection, wo_id: uuid.UUID, created: datetime) -> None:
    """An asset, its work order and an audit row, written as an older schema had them."""
    tables = sa.MetaData()
    tables.reflect(conn, only=["assets", "work_orders", "work_order_audit"])
    asset_id = conn.execute(
        tables.tables["assets"]
        .insert()
        .values(
            site="s",
            asset="a",
            asset_type="pump",
            customer="c",
            customer_tier="vip",
            criticality="high",
            first_seen_at=created.replace(tzinfo=None),
        )
        .returning(tables.tables["assets"].c.id)
    ).scalar_one()
    naive = created.replace(tzinfo=None)
    conn.execute(
        tables.tables["work_orders"]
        .insert()
        .values(
            id=wo_id if conn.dialect.name == "postgresql" else wo_id.hex,
            number="WO-2026-000001",
            change_seq=1,
            version=1,
            asset_id=asset_id,
            kind="equipment",
            fault_code="mechanical",
            fault_title="t",
            detector="d",
            model_version="m",
            score=2.0,
            threshold=1.0,
            top_metrics={},
            priority="urgent",
            status="open",
            detected_at=naive,
            created_at=naive,
            updated_at=naive,
            respond_by=naive + timedelta(minutes=30),
            on_site_by=naive + timedelta(hours=4),
            visits=0,
            suggested_actions=[],
            suggested_parts=[],
            parts_used=[],
            repeat_count=0,
        )
    )
    conn.execute(
        tables.tables["work_order_audit"]
        .insert()
        .values(
            work_order_id=wo_id if conn.dialect.name == "postgresql" else wo_id.hex,
            at=created.replace(tzinfo=None),
            actor="t",
            action="created",
            changes={},
            version=1,
        )
    )


def test_sla_policies_and_open_work_orders_are_carried_into_the_sla_clock(empty_url: str) -> None:
    """A database of the version before the SLA clock, with an edited policy and a work order,
    upgraded: the edit is in the default plan, the work order has its resolve-by deadline, a
    start event and its nine milestones, counted around the clock as its deadlines were."""
    from workorders.db import make_engine, session_factory

    before = (
        ScriptDirectory.from_config(alembic_config()).get_revision("0011_sla_clock").down_revision
    )
    command.upgrade(alembic_config(empty_url), str(before))
    engine = make_engine(empty_url)
    created = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    wo_id = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE sla_policies SET respond_within_min = 30, on_site_within_min = 240 "
                "WHERE priority = 'urgent' AND customer_tier = 'vip'"
            )
        )
        _old_work_order(conn, wo_id, created)
    engine.dispose()
    command.upgrade(alembic_config(empty_url), "head")
    engine = make_engine(empty_url)
    with session_factory(engine)() as session:
        plan = session.scalars(sa.select(SlaPlan).where(SlaPlan.is_default)).one()
        cell = next(
            t for t in plan.targets if (t.priority, t.customer_tier) == (Priority.URGENT, Tier.VIP)
        )
        assert (cell.respond_min, cell.on_site_min, cell.resolve_min) == (30, 240, 24 * 60)
        resolve_by = session.execute(sa.text("SELECT resolve_by FROM work_orders")).scalar_one()
        assert resolve_by is not None
        events = session.scalars(sa.select(ClockEvent)).all()
        assert [(e.kind.value, e.at, e.plan_id) for e in events] == [("start", created, plan.id)]
        due = sorted(
            (m.clock.value, m.level, m.due_at) for m in session.scalars(sa.select(Milestone))
        )
        assert ("respond", 50, created + timedelta(minutes=15)) in due
        assert ("resolve", 100, created + timedelta(hours=24)) in due
        assert len(due) == 9
    engine.dispose()


def test_an_old_database_with_work_orders_upgrades_keeping_every_row(empty_url: str) -> None:
    """From the second revision to the last with a work order and its audit row in place: on
    SQLite, batch mode rebuilds tables others refer to (assets, work_orders), which must neither
    fail on nor cascade to the rows that refer to them."""
    from workorders.db import make_engine

    command.upgrade(alembic_config(empty_url), "0002_api_keys")
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        _old_work_order(conn, uuid.uuid4(), datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    engine.dispose()
    command.upgrade(alembic_config(empty_url), "head")
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        counts = [
            conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("assets", "work_orders", "work_order_audit", "sla_clock_events")
        ]
    engine.dispose()
    assert counts == [1, 1, 1, 1]
