"""The report made from a small service month with known answers: every section, the figures in
its CSV files, and the KPI table equal to the KPI module's figures."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from reports.document import flows
from reports.document.render import Written
from reports.kpis import compute, parse_period
from reports.scorecards.service import scorecards
from reports.scorecards.weights import Weights
from tests.reports.document.builders import service_month
from tests.reports.document.conftest import CONFIG, NOW
from tests.workorders.dbkit import Db

SECTIONS = [
    "kpis",
    "satisfaction",
    "recurring-problems",
    "heat-map",
    "comparison",
    "scorecards",
    "parts",
    "follow-ups",
    "savings",
    "asset-models",
]


def rows(written: Written, slug: str) -> list[dict[str, str]]:
    [path] = [p for p in written.csvs if p.name.split("-", 1)[1] == f"{slug}.csv"]
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_every_section_and_table_is_written(written: Written) -> None:
    html = written.html.read_text()
    for slug in SECTIONS:
        assert f'data-section="{slug}"' in html
    # Every table has its CSV, numbered in the order of the report.
    names = [p.name for p in written.csvs]
    assert names == sorted(names)
    assert len(names) == html.count("CSV: ")
    assert all(p.stat().st_size > 0 for p in written.csvs)
    # Self-contained: nothing to fetch (the SVG namespace is a name, not a request).
    assert "src=" not in html
    assert "<link" not in html
    assert "https:" not in html
    assert html.count("http:") == html.count('xmlns="http://www.w3.org/2000/svg"')


def test_kpi_table_holds_the_kpi_modules_figures(db: Db, written: Written) -> None:
    table = {r["key"]: r for r in rows(written, "kpis")}
    with db.factory() as session:
        current = compute(session=session, period=parse_period("2026-11"), now=NOW)
        previous = compute(session=session, period=parse_period("2026-10"), now=NOW)
    assert set(table) == set(current.total)
    for key, kpi in current.total.items():
        value = table[key]["value"]
        assert (float(value) if value else None) == kpi.value, key
        before = table[key]["previous"]
        assert (float(before) if before else None) == previous.total[key].value, key
    assert table["first_time_fix"]["target"] == "0.9"  # configured
    assert table["created"]["value"] == "6"


def test_recurring_problems_and_what_fixed_them(written: Written) -> None:
    top = rows(written, "recurring-problems")
    assert [(r["asset_type"], r["fault_code"], r["work_orders"]) for r in top] == [
        ("pump", "bearing_wear", "3"),
        ("chiller", "refrigerant_leak", "2"),
        ("pump", "cavitation", "1"),
    ]
    bearing = top[0]
    assert (bearing["assets"], bearing["assets_more_than_once"], bearing["reopened"]) == (
        "2",
        "1",
        "1",
    )
    assert bearing["parts_used"] == "BRG-6205 ×3; SEAL-1 ×1"
    assert "Replacing a 6205 bearing" in bearing["knowledge_articles"]
    assert bearing["resolution_notes"] == "Replaced the drive-end bearing."
    # b1 and b3 fixed first time, b2 reopened after two visits.
    assert float(bearing["first_time_fix"]) == pytest.approx(2 / 3)


def test_heat_map_models_follow_ups_and_savings(written: Written) -> None:
    heat = {
        (r["region"], r["fault_code"]): int(r["work_orders"])
        for r in rows(written, "problem-heat-map")
    }
    assert heat == {
        ("north", "bearing_wear"): 3,
        ("north", "cavitation"): 1,
        ("south", "refrigerant_leak"): 2,
    }

    models = [
        (r["model"], r["fault_code"], r["per_100_units"])
        for r in rows(written, "faults-per-asset-model")
    ]
    assert models == [("P-200", "bearing_wear", "75.0"), ("P-200", "cavitation", "25.0")]

    [overdue] = rows(written, "overdue-follow-ups")
    assert (overdue["site"], overdue["asset"], overdue["days_overdue"]) == (
        "plant-north",
        "pump-2",
        "11.0",
    )

    savings = {r["asset_type"]: r for r in rows(written, "predictive-savings")}
    pump, chiller, total = savings["pump"], savings["chiller"], savings["all"]
    assert (pump["caught_before_failure"], pump["unplanned_failures"]) == ("3", "1")
    assert float(pump["avoided_cost"]) == 3 * 9_000
    assert (chiller["false_alarms"], float(chiller["false_alarm_cost"])) == ("1", 400.0)
    assert float(total["net_saving"]) == 27_000 - 400
    assert float(total["share_caught"]) == 0.75


def test_quarter_report_compares_with_the_previous_quarter(db: Db, tmp_path: Path) -> None:
    with db.factory() as session:
        service_month(session)
        session.commit()
    written = flows.make(
        session_factory=db.factory,
        period=parse_period("2026Q4"),
        directory=tmp_path / "q",
        now=NOW,
        config=CONFIG,
    )
    html = written.html.read_text()
    assert "Quarterly service report 2026Q4" in html
    assert "compared with 2026Q3" in html
    heat = rows(written, "problem-heat-map")
    assert sum(int(r["work_orders"]) for r in heat) == 7  # October's chiller fault counts too


def test_scorecards_are_the_scorecard_modules(db: Db, written: Written) -> None:
    with db.factory() as session:
        cards = scorecards(
            session=session, period=parse_period("2026-11"), weights=Weights(), now=NOW
        )
    table = {row["engineer"]: row for row in rows(written, "engineer-scorecards")}
    assert set(table) == {"ana", "bo"} == {c.code for c in cards}
    for card in cards:
        row = table[card.code]
        assert number(row["stars"]) == card.stars
        for part in card.parts:
            assert number(row[f"{part.part.value}_value"]) == part.value, part.part
            assert number(row[f"{part.part.value}_stars"]) == part.stars, part.part
    # ana fixed b1 first time; b2 took two visits and came back: half her confirmed repairs.
    assert number(table["ana"]["first_time_fix_value"]) == 0.5


def number(text: str) -> float | None:
    return float(text) if text != "" else None
