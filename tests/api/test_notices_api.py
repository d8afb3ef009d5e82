"""``GET /work-orders/{ref}/notices``: what the customer was told, for the office; customer
keys read their portal instead, and another customer's key finds nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from api import keys
from api.roles import Role
from tests.api.builders import auth
from tests.api.conftest import ApiWorld
from tests.customers.builders import build_org
from tests.workorders.dbkit import decision
from workorders import service


def test_the_notices_of_a_work_order_are_listed_to_whom_may_see_it(world: ApiWorld) -> None:
    now = datetime.now(UTC)
    with world.factory() as session:
        org = build_org(session, now=now)
        wo = service.open_for_alert(
            session=session, decision=decision(site="plant-a", asset="pump-2", at=now), now=now
        ).work_order
        acme = keys.create_key(
            session=session, name="acme", role=Role.customer, customer_id=org.acme
        )
        beta = keys.create_key(
            session=session, name="beta", role=Role.customer, customer_id=org.beta
        )
        session.commit()
        number = wo.number
    path = f"/api/v1/work-orders/{number}/notices"
    listed = world.client.get(path, headers=auth(world.keys[Role.operator]))
    assert listed.status_code == 200, listed.text
    [notice] = listed.json()
    assert (notice["step"], notice["state"], notice["attempts"]) == ("received", "waiting", 0)
    # Customer keys read their portal, not this list; another customer learns nothing of it.
    assert world.client.get(path, headers=auth(acme.key)).status_code == 403
    assert world.client.get(path, headers=auth(beta.key)).status_code == 404
    assert (
        world.client.get(
            "/api/v1/work-orders/WO-1999-000001/notices", headers=auth(world.keys[Role.operator])
        ).status_code
        == 404
    )
