"""The demo's service organisation: seeded once, with the keys it prints working, and the pump's
alert classified for its VIP customer with a dispatch suggestion (SQLite, as the demo runs)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from api import keys
from api.roles import Role
from customers.assets import find_asset
from field import flows
from field.flows import Scoring
from simulators.scenario import load_scenario
from tests.workorders.dbkit import decision
from vigil.db import upgrade
from vigil.demo import BUNDLED_SCENARIO
from vigil.demo_desk import seed_desk
from workorders import from_alerts
from workorders.db import make_engine, session_factory
from workorders.models import Tier


def test_demo_desk_is_seeded_once_and_the_pump_work_is_classified(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'vigil.db'}"
    upgrade(url)
    factory = session_factory(make_engine(url))
    scenario = load_scenario(BUNDLED_SCENARIO)
    now = datetime.now(UTC)
    with factory() as session:
        made = seed_desk(session=session, scenario=scenario, now=now)
        session.commit()
        assert made is not None
        assert seed_desk(session=session, scenario=scenario, now=now) is None
        dispatcher = keys.authenticate(session=session, key=made.dispatcher)
        customer = keys.authenticate(session=session, key=made.customer)
        assert dispatcher is not None
        assert dispatcher.role == Role.dispatcher
        assert customer is not None
        assert customer.role == Role.customer
        assert made.customer_name == "Lyon Waterworks"
        pump = find_asset(session=session, asset="pump-003", site="waterworks")
        assert pump is not None
        assert pump.tier is Tier.VIP
        opened = from_alerts.open_for_alert(
            session=session, decision=decision(asset="pump-003", site="waterworks"), now=now
        )
        wo = opened.work_order
        assert wo.classification[-1].startswith("asset criticality high")
        assert not wo.billable
        found = flows.suggest(session=session, work_order_id=wo.id, now=now, scoring=Scoring())
        best = found.ranking.suggestions[0]
        assert found.engineers[best.engineer_id].code == "a.martin"  # pump expert, nearest
