"""The examples of docs/service-desk.md's "Engineers and dispatch scoring" are true."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from field.dispatch import Absence, Candidate, Job, Level, Skill, rank
from field.geo import GeoPoint
from field.importing import parse
from field.schemas import EngineerCreate
from field.shifts import OFFICE_HOURS, working_week

DOC = Path(__file__).resolve().parents[2] / "docs" / "service-desk.md"


def block(kind: str) -> str:
    found = re.findall(rf"```\w+ {kind}\n(.*?)\n```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(found) == 1, f"one {kind} block expected in {DOC.name}"
    return str(found[0])


def test_the_engineer_example_is_accepted_by_the_api_schema() -> None:
    engineer = EngineerCreate.model_validate(json.loads(block("engineer")))
    assert engineer.working_hours["mon"] == [["08:00", "12:00"], ["13:00", "17:00"]]
    assert [s.fault_code for s in engineer.skills] == ["*", "refrigerant_leak"]


def test_the_csv_example_imports_without_errors() -> None:
    engineers, errors = parse(block("engineers") + "\n")
    assert errors == []
    assert [(e.code, len(e.skills)) for e in engineers] == [("a.martin", 2), ("b.roux", 1)]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _candidate(e: dict[str, Any]) -> Candidate:
    return Candidate(
        id=e["id"],
        name=e["name"],
        level=Level.mid,
        skills=tuple(
            Skill(s["asset_type"], None if s["fault_code"] == "*" else s["fault_code"], s["level"])
            for s in e["skills"]
        ),
        certifications=(),
        calendar=working_week(time_zone="Europe/Paris", hours=OFFICE_HOURS),
        absences=tuple(
            Absence(_at(a["starts_at"]), _at(a["ends_at"]), a["reason"])
            for a in e.get("absences", [])
        ),
        open_jobs=e["open_jobs"],
        max_open_jobs=4,
        base=GeoPoint(**e["base"]),
    )


def test_the_worked_example_ranks_as_the_doc_says() -> None:
    example = json.loads(block("dispatch-example"))
    expected = json.loads(block("dispatch-ranking"))
    job = example["job"]
    ranking = rank(
        job=Job(
            asset_type=job["asset_type"],
            fault_code=job["fault_code"],
            site=GeoPoint(**job["site"]),
            on_site_by=_at(job["on_site_by"]),
        ),
        candidates=[_candidate(e) for e in example["engineers"]],
        now=_at(example["now"]),
    )
    shown = [
        {"name": s.name, "score": round(s.score, 3), "parts": {p.name: p.reason for p in s.parts}}
        for s in ranking.suggestions
    ]
    assert shown == expected["suggestions"]
    assert {x.name: list(x.reasons) for x in ranking.excluded} == expected["excluded"]
