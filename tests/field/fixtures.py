"""A small field-service world on plain dataclasses: a site in Lyon and engineers around it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from field.dispatch import Absence, Candidate, Certification, Job, Level, Skill
from field.geo import GeoPoint
from field.shifts import OFFICE_HOURS, working_week

# Monday 2 March 2026, 09:00 in Lyon (CET, UTC+1).
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LYON = GeoPoint(45.7640, 4.8357)
VILLEURBANNE = GeoPoint(45.7719, 4.8902)  # about 4 km from the site
VIENNE = GeoPoint(45.5255, 4.8743)  # about 27 km
GRENOBLE = GeoPoint(45.1885, 5.7245)  # about 95 km
PUMP = Skill("pump", None, 2)


def engineer(id: int, name: str, **changes: Any) -> Candidate:
    values: dict[str, Any] = {
        "id": id,
        "name": name,
        "level": Level.mid,
        "skills": (PUMP,),
        "certifications": (),
        "calendar": working_week(time_zone="Europe/Paris", hours=OFFICE_HOURS),
        "absences": (),
        "open_jobs": 1,
        "max_open_jobs": 4,
        "base": VIENNE,
    }
    values.update(changes)
    return Candidate(**values)


def job(**changes: Any) -> Job:
    values: dict[str, Any] = {
        "asset_type": "pump",
        "fault_code": "mechanical",
        "site": LYON,
        "on_site_by": NOW + timedelta(hours=8),
    }
    values.update(changes)
    return Job(**values)


def team() -> list[Candidate]:
    """Listed out of id order on purpose: the ranking must not depend on input order."""
    return [
        engineer(5, "Far Fabien", base=GRENOBLE),
        engineer(1, "Near Nadia", base=VILLEURBANNE),
        engineer(3, "Chiller-only Chloé", base=LYON, skills=(Skill("chiller", None, 3),)),
        engineer(
            4,
            "On-leave Léo",
            base=LYON,
            absences=(Absence(NOW - timedelta(days=1), NOW + timedelta(days=4), "annual leave"),),
        ),
        engineer(2, "Busy Bruno", base=LYON, open_jobs=4),
        engineer(6, "Vienne Victor", base=VIENNE),
    ]


def with_cert(candidate: Candidate, name: str, expires: date | None) -> Candidate:
    return replace(candidate, certifications=(Certification(name, expires),))
