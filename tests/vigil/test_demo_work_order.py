"""`vigil demo` end to end, as a newcomer sees it: its pump fault becomes one work order.

The bundled scenario starts bearing wear on pump-003 half a minute after the live stream begins
(failure six minutes later); the demo must open exactly one equipment work order, on pump-003,
with a mechanical fault code, and none on the eleven healthy machines. Real time: about five and
a half minutes (two hours of history published in about 30 s, training, then the fault), run at
two local start hours twelve hours apart (`--start-at`): the healthy machines must stay quiet
whatever their load is doing.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from simulators.scenario import load_scenario
from tests.vigil.test_cli import ROOT
from vigil.demo import BUNDLED_SCENARIO, start_at_local

# Onset 30 s into real time; the work order came about four minutes after it (five minutes into
# the run). A generous bound, still failing a demo that never opens one.
DEADLINE_S = 540
# After the first work order, wait this long for a second, false one before stopping.
SETTLE_S = 30


def equipment_orders(db: Path) -> list[tuple[str, str]]:
    """Equipment work orders on the scenario's sites (the service history the demo loads on its
    first run has months of them on a fleet of its own)."""
    if not db.exists():
        return []
    sites = sorted(site.id for site in load_scenario(BUNDLED_SCENARIO).sites)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        try:
            rows = conn.execute(
                "SELECT a.asset, w.fault_code FROM work_orders w JOIN assets a "
                "ON a.id = w.asset_id WHERE w.kind = 'equipment' "
                f"AND a.site IN ({', '.join('?' * len(sites))}) ORDER BY w.created_at",
                sites,
            ).fetchall()
        except sqlite3.OperationalError:  # tables not created yet
            return []
    return [(str(asset), str(code)) for asset, code in rows]


def test_start_at_names_the_latest_such_local_time_at_the_sites() -> None:
    scenario = load_scenario(BUNDLED_SCENARIO)  # sites at UTC+1
    noon_utc = 1_800_000_000 // 86400 * 86400 + 12 * 3600.0
    morning = start_at_local(scenario, "05:40", now=noon_utc)
    evening = start_at_local(scenario, "17:40", now=noon_utc)
    assert (morning.hour, morning.minute) == (4, 40)  # 05:40 at UTC+1, today
    assert (evening.hour, evening.minute) == (16, 40)  # yesterday: today's is still to come
    assert (noon_utc - evening.timestamp()) / 3600 == pytest.approx(19 + 20 / 60)
    with pytest.raises(ValueError, match="HH:MM"):
        start_at_local(scenario, "25:00", now=noon_utc)


# Twelve hours apart: 05:40 is when the healthy pumps' morning ramp starts (before operating
# context, a demo started then opened false work orders on them); 17:40 is the evening peak's.
@pytest.mark.slow
@pytest.mark.parametrize("local_start", ["05:40", "17:40"])
def test_demo_opens_one_work_order_for_its_pump_fault(tmp_path: Path, local_start: str) -> None:
    data = tmp_path / "demo"
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vigil",
            "demo",
            "--data-dir",
            str(data),
            "--port",
            "0",
            "--start-at",
            local_start,
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "200"},
    )
    orders: list[tuple[str, str]] = []
    try:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline and not orders and demo.poll() is None:
            time.sleep(5)
            orders = equipment_orders(data / "vigil.db")
        if orders:
            time.sleep(SETTLE_S)
            orders = equipment_orders(data / "vigil.db")
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            demo.kill()
        log.close()
    output = (tmp_path / "demo.log").read_text()
    assert orders == [("pump-003", "mechanical")], output[-3000:]
    assert "months of service history" in output, output[-3000:]
    assert "readings stored" in output, output[-3000:]
    # The engineer's sign-in for the phone view (tests/vigil/test_demo_phone.py works with it).
    assert "engineer key (Anne Martin, the phone view" in " ".join(output.split()), output[:3000]
    customer_mails_tell_of_the_pump(data / "mail", output)


def customer_mails_tell_of_the_pump(outbox: Path, output: str) -> None:
    """What the pump's customer received: the demo wrote it as .eml files where it said."""
    printed = " ".join(output.split())  # the console wraps long lines
    assert "E-mails to customers (work-order steps), the dispatcher" in printed, output[:3000]
    assert f"the monthly report): files in {outbox}" in printed, output[:3000]
    mails = [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(outbox.glob("*.eml"))
    ]
    steps = {str(m["X-Vigil-Notice"]): m for m in mails if m["X-Vigil-Notice"]}
    assert "received" in steps, [m["Subject"] for m in mails]
    received = steps["received"]
    assert received["To"] == "claire.moreau@lyon-waterworks.example"
    assert re.fullmatch(
        r"\[WO-\d{4}-\d{6}\] We are looking into pump-003 at Pumping station Saint-Clair",
        # Python's parser keeps the space of a subject folded onto its own line; mail clients
        # unfold it to "Subject: [WO-...".
        str(received["Subject"]).strip(),
    )
    body = received.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    text = str(body.get_content())
    assert text.startswith("Dear Claire Moreau,")
    assert (
        "Our monitoring noticed that pump-003 (pump model) at Pumping station Saint-Clair" in text
    )
    if "on_the_way" in steps:  # urgent work may have been sent out automatically already
        way = steps["on_the_way"]
        assert way["To"] == received["To"]
        assert "Expected arrival:" in str(way.get_body(("plain",)).get_content())  # type: ignore[union-attr]
