"""The business-time examples of docs/service-desk.md are what the calendar computes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from customers.calendar import WEEKDAYS, Calendar, deadline

DOC = Path(__file__).resolve().parents[2] / "docs" / "service-desk.md"


def _examples() -> list[list[str]]:
    block = re.search(r"```text sla-examples\n(.*?)\n```", DOC.read_text(), re.S)
    assert block, "docs/service-desk.md has no sla-examples block"
    return [
        [cell.strip() for cell in line.split("#")[0].split("|")]
        for line in block[1].splitlines()
        if line.strip()
    ]


def _hours(text: str) -> dict[str, list[list[str]]] | None:
    if text == "24x7":
        return None
    days, span = text.split()
    first, last = days.split("-")
    start, end = span.split("-")
    chosen = WEEKDAYS[WEEKDAYS.index(first) : WEEKDAYS.index(last) + 1]
    return {d: [[start, end]] for d in chosen}


@pytest.mark.parametrize("row", _examples(), ids=lambda r: f"{r[0]} {r[3]} +{r[4]}")
def test_documented_deadline(row: list[str]) -> None:
    zone, hours, holidays, start, target, expected = row
    tz = ZoneInfo(zone)
    cal = Calendar.from_site(
        timezone=zone,
        business_hours=_hours(hours),
        holidays=[] if holidays == "-" else [date.fromisoformat(d) for d in holidays.split(",")],
    )
    local = datetime.strptime(start[4:], "%Y-%m-%d %H:%M").replace(tzinfo=tz)
    assert local.strftime("%a") == start[:3]
    seconds = int(target.removesuffix("h")) * 3600
    due = deadline(start=local.astimezone(UTC), business_seconds=seconds, calendar=cal)
    assert due.astimezone(tz).strftime("%a %Y-%m-%d %H:%M") == expected
