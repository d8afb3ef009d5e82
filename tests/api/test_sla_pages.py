"""The dashboard's SLA pages: plans edited in a form by admins (read-only for others), and what
is at risk now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.roles import Role
from tests.api.builders import decision
from tests.api.conftest import ApiWorld
from tests.api.test_auth import sign_in
from workorders import from_alerts
from workorders.models import Priority, Tier
from workorders.sla import plans


def _form(world: ApiWorld, csrf: str) -> dict[str, str]:
    with world.factory() as session:
        plan = plans.read(plans.default_plan(session=session))
    fields = {"csrf_token": csrf, "name": plan.name, "description": plan.description}
    for t in plan.targets:
        for k in ("respond_min", "on_site_min", "resolve_min"):
            fields[f"{t.priority.value}:{t.customer_tier.value}:{k}"] = str(getattr(t, k))
    fields |= {f"atc:{p.value}": "1" for p in plan.around_the_clock}
    for level, roles in plan.escalation.items():
        fields |= {f"esc:{level}:{r.value}": "1" for r in roles}
    fields |= {f"auto:{p.value}": str(r.confirm_within_min) for p, r in plan.auto_dispatch.items()}
    return fields


def test_an_admin_edits_a_plan_in_the_form(world: ApiWorld) -> None:
    csrf = sign_in(world, Role.admin)
    page = world.client.get("/sla/plans")
    assert page.status_code == 200
    assert "Save default" in page.text
    fields = _form(world, csrf) | {"urgent:vip:respond_min": "45", "atc:normal": "1"}
    saved = world.client.post("/sla/plans/1", data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    with world.factory() as session:
        plan = plans.default_plan(session=session)
        cell = plans.targets(plan=plan, priority=Priority.URGENT, tier=Tier.VIP)
        assert cell.respond_s == 45 * 60
        assert plan.around_the_clock == ["normal", "urgent"]
    bad = world.client.post("/sla/plans/1", data=fields | {"urgent:vip:respond_min": "soon"})
    assert bad.status_code == 422
    assert "give whole minutes" in bad.text
    worse = world.client.post("/sla/plans/1", data=fields | {"urgent:vip:respond_min": "9999"})
    assert worse.status_code == 422
    assert "respond_min &lt;= on_site_min" in worse.text
    forged = world.client.post("/sla/plans/1", data=fields | {"csrf_token": "x"})
    assert forged.status_code == 403


def test_a_viewer_reads_plans_but_cannot_save(world: ApiWorld) -> None:
    csrf = sign_in(world, Role.viewer)
    page = world.client.get("/sla/plans")
    assert page.status_code == 200
    assert "Save default" not in page.text
    refused = world.client.post("/sla/plans/1", data=_form(world, csrf))
    assert refused.status_code == 403


def test_at_risk_page_shows_overdue_work(world: ApiWorld) -> None:
    month_ago = datetime.now(UTC) - timedelta(days=30)
    with world.factory() as session:
        wo = from_alerts.open_for_alert(
            session=session, decision=decision(at=month_ago), now=month_ago
        )
        session.commit()
    sign_in(world, Role.viewer)
    page = world.client.get("/sla/at-risk")
    assert page.status_code == 200
    assert wo.work_order.number in page.text
    assert "OVERDUE" in page.text
    fragment = world.client.get("/fragments/sla-risk")
    assert wo.work_order.number in fragment.text
