"""The Alembic migrations build exactly the schema the models declare, on both backends."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tests.workorders.dbkit import Db
from vigil.db import include_object, metadata
from workorders.models import SlaPolicy
from workorders.priority import DEFAULT_SLA


def test_migrated_schema_matches_the_models(db: Db) -> None:
    with db.factory() as session:
        context = MigrationContext.configure(
            session.connection(), opts={"compare_type": True, "include_object": include_object}
        )
        assert context.get_current_revision() is not None
        assert compare_metadata(context, metadata()) == []


def test_sla_policies_are_seeded_with_the_defaults(db: Db) -> None:
    with db.factory() as session:
        rows = session.scalars(sa.select(SlaPolicy)).all()
        seeded = {
            (r.priority, r.customer_tier): (r.respond_within_min, r.on_site_within_min)
            for r in rows
        }
    assert seeded == DEFAULT_SLA
