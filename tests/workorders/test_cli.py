"""``vigil db upgrade``, ``vigil work-orders``, ``vigil webhooks`` and ``vigil kpis`` on a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from tests.clikit import Run, cli
from tests.workorders.dbkit import T0, decision
from vigil import db
from vigil.commands import kpis as kpis_commands
from vigil.commands import webhooks as webhooks_commands
from vigil.commands import workorders as workorders_commands
from workorders import from_alerts, service
from workorders.webhooks import service as webhooks
from workorders.webhooks.models import DeliveryStatus


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    return cli(
        tmp_path,
        monkeypatch,
        workorders_commands.register,
        webhooks_commands.register,
        kpis_commands.register,
    )


def test_db_upgrade_creates_the_schema_in_a_new_data_dir(run: Run, tmp_path: Path) -> None:
    code, out, _ = run("db", "upgrade")
    assert code == 0
    head = ScriptDirectory.from_config(db.alembic_config()).get_current_head()
    assert f"revision {head}" in out
    assert (tmp_path / "data" / "vigil.db").is_file()
    assert run("db", "upgrade")[0] == 0


def test_work_orders_and_webhooks_commands(run: Run, tmp_path: Path) -> None:
    code, secret, err = run(
        "webhooks", "add", "http://127.0.0.1:9/hook", "--event", "work_order.created"
    )
    assert code == 0, err
    assert len(secret.strip()) >= 32
    sessions = db.open_sessions(f"sqlite:///{tmp_path / 'data' / 'vigil.db'}")
    with sessions() as session:
        wo = from_alerts.open_for_alert(
            session=session, decision=decision(asset="pump-9"), now=T0
        ).work_order
        (delivery,) = webhooks.list_deliveries(session=session)
        delivery.status = DeliveryStatus.DEAD
        session.commit()
    code, out, _ = run("work-orders", "list", "--site", "plant-a")
    assert code == 0
    assert wo.number in out
    code, out, _ = run("work-orders", "show", wo.number)
    shown = json.loads(out)
    assert shown["document"]["id"] == str(wo.id)
    assert [a["action"] for a in shown["audit"]] == ["created"]
    assert shown["deliveries"][0]["status"] == "dead"
    code, out, _ = run("webhooks", "deliveries", "--status", "dead")
    assert str(delivery.id)[:8] in out
    assert run("webhooks", "replay", "--all-dead")[0] == 0
    with sessions() as session:
        assert webhooks.list_deliveries(session=session)[0].status is DeliveryStatus.PENDING
    assert "http://127.0.0.1:9/hook" in run("webhooks", "list")[1]
    with sessions() as session:
        (sub,) = webhooks.list_subscriptions(session=session)
    code, rotated, err = run("webhooks", "rotate-secret", str(sub.id), "--overlap-s", "60")
    assert code == 0, err
    assert rotated.strip().startswith("whsec_")
    assert rotated.strip() != secret.strip()
    assert "old secret valid until" in err
    code, out, _ = run("kpis", f"{T0:%Y-%m}")
    assert code == 0
    assert "│ 1 " in out.split("Work orders created")[1][:20]
    code, out, _ = run("kpis", f"{T0:%Y-%m}", "--by", "site", "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["kpis"]["created"]["value"] == 1
    assert [g["key"] for g in shown["groups"]] == ["plant-a"]


def test_resolving_a_repair_from_the_command_line_needs_acceptance_or_a_reason(
    run: Run, tmp_path: Path
) -> None:
    assert run("db", "upgrade")[0] == 0
    sessions = db.open_sessions(f"sqlite:///{tmp_path / 'data' / 'vigil.db'}")
    with sessions() as session:
        wo = from_alerts.open_for_alert(
            session=session, decision=decision(asset="pump-9"), now=T0
        ).work_order
        session.commit()
    code, _, err = run("work-orders", "resolve", wo.number, "--code", "confirmed_fault")
    assert code == 2
    assert "without the customer's acceptance" in err
    code, out, err = run(
        "work-orders",
        "resolve",
        wo.number,
        "--code",
        "confirmed_fault",
        "--notes",
        "bearing replaced",
        "--no-acceptance-reason",
        "site unattended",
    )
    assert code == 0, err
    assert f"{wo.number} resolved: confirmed_fault" in out
    with sessions() as session:
        resolved = service.get_work_order(session=session, ref=wo.number)
        assert resolved.no_acceptance_reason == "site unattended"
        assert resolved.resolution_notes == "bearing replaced"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("work-orders", "show", "WO-2026-999999"), "no work order"),
        (("webhooks", "add", "ftp://x"), "http"),
        (("webhooks", "remove", "nope"), "not a subscription id"),
        (("webhooks", "replay"), "--all-dead"),
        (("kpis", "2026-13"), "no such month"),
        (("kpis", "November"), "2026Q4"),
    ],
)
def test_bad_input_exits_2_with_a_message(run: Run, args: tuple[str, ...], message: str) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert message in err
