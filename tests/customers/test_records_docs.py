"""The records and classification examples of docs/service-desk.md are true (both backends)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from customers.assets import find_asset
from customers.importing import ImportRefused, import_assets, import_customers
from customers.models import Tier
from customers.service import find_customer
from customers.sites import find_site
from tests.workorders.dbkit import Db
from workorders.models import Priority
from workorders.requests.models import Category, Channel
from workorders.requests.rules import DEFAULT_RULES
from workorders.requests.service import RequestData, raise_request

DOC = Path(__file__).resolve().parents[2] / "docs" / "service-desk.md"
TEXT = DOC.read_text()
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def block(label: str) -> str:
    found = re.search(rf"```\w+ {re.escape(label)}\n(.*?)\n```", TEXT, re.S)
    assert found, label
    return found[1] + "\n"


def test_the_import_examples_import_and_the_bad_file_is_refused_as_shown(db: Db) -> None:
    with db.factory() as session:
        customers = import_customers(session=session, text=block("customers"), now=NOW)
        assets = import_assets(session=session, text=block("assets"), now=NOW)
        session.commit()
        assert (customers.lines, assets.created) == (3, 3)
        acme = find_customer(session=session, name="ACME Water")
        assert acme is not None
        assert acme.tier is Tier.VIP
        site = find_site(session=session, code="acme-north")
        assert site is not None
        assert site.business_hours["sat"] == [["08:00", "12:00"]]
        assert [h.name for h in site.holidays] == ["Swiss National Day", "Christmas"]
        with pytest.raises(ImportRefused) as refused:
            import_assets(session=session, text=block("assets-bad"), now=NOW)
        session.rollback()
        assert [str(e) for e in refused.value.errors] == block("assets-bad-errors").splitlines()
        assert find_asset(session=session, asset="pump-003") is None  # nothing half-imported


def test_bad_coordinates_in_a_customers_file_are_named_by_line(db: Db) -> None:
    lines = block("customers").splitlines()
    bad = [*lines, "Gamma,basic,gamma-1,,,91,8,Europe/Zurich,,,,,,,,"]
    bad.append("Gamma,basic,gamma-2,,,47,8,Mars/Olympus,,,,,,,,")
    with db.factory() as session:
        with pytest.raises(ImportRefused) as refused:
            import_customers(session=session, text="\n".join(bad) + "\n", now=NOW)
        session.rollback()
        assert [str(e) for e in refused.value.errors] == [
            "line 5: latitude 91.0 is outside -90..90",
            "line 6: 'Mars/Olympus' is not an IANA time zone such as Europe/Zurich",
        ]
        assert find_customer(session=session, name="ACME Water") is None


def test_the_rules_table_is_the_default_rules() -> None:
    rows = re.findall(r"^\| ([a-z ]+) \| (.+?) \| (urgent|normal|suggestion) \|$", TEXT, re.M)
    table = {name: (conditions, priority) for name, conditions, priority in rows}
    assert list(table) == [r.name for r in DEFAULT_RULES]
    for rule in DEFAULT_RULES:
        conditions, priority = table[rule.name]
        assert priority == rule.priority.value
        if rule.words:
            assert conditions == "words: " + ", ".join(rule.words)
        for value in (rule.category, rule.criticality, rule.coverage):
            if value is not None:
                assert value.value in conditions


def test_the_request_example_is_classified_as_shown(db: Db) -> None:
    import json

    example = json.loads(block("request"))
    with db.factory() as session:
        import_customers(session=session, text=block("customers"), now=NOW)
        import_assets(session=session, text=block("assets"), now=NOW)
        asset = find_asset(session=session, asset="pump-002")
        assert asset is not None
        raised = raise_request(
            session=session,
            data=RequestData(
                channel=Channel(example["channel"]),
                category=Category(example["category"]),
                description=example["description"],
                fault_code=example["fault_code"],
                contact_name=example["contact_name"],
                contact_phone=example["contact_phone"],
                asset_id=asset.id,
            ),
            actor="docs",
            now=NOW,
        )
        assert raised.work_order.priority is Priority.URGENT
        assert raised.request.reasons == block("request-reasons").splitlines()
