"""Engineers from a CSV file: every bad line named, nothing imported when one is bad.

Columns (a header line first; empty cells take the default)::

    code,name,level,email,phone,base_label,latitude,longitude,time_zone,working_hours,max_open_jobs,skills,certifications
    a.martin,Anne Martin,senior,anne@example.com,,Lyon depot,45.76,4.84,Europe/Paris,,4,pump:*:3;chiller:compressor:2,ATEX:2027-06-30

- ``skills``: ``asset_type:fault_code:level`` separated by ``;`` (fault code ``*``: every fault);
- ``certifications``: ``name`` or ``name:YYYY-MM-DD`` (expiry) separated by ``;``;
- ``working_hours``: the JSON of the working week, or empty for Monday to Friday 08:00-17:00.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session

from customers.importing import ImportRefused, LineError
from field import service
from field.models import Engineer
from field.schemas import EngineerCreate

COLUMNS = [
    "code",
    "name",
    "level",
    "email",
    "phone",
    "base_label",
    "latitude",
    "longitude",
    "time_zone",
    "working_hours",
    "max_open_jobs",
    "skills",
    "certifications",
]
REQUIRED = ("code", "name", "level")


def _skills(text: str) -> list[dict[str, Any]]:
    out = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        parts = item.split(":")
        if len(parts) != 3 or not parts[2].strip().isdecimal():
            raise ValueError(
                f"skill {item!r} must read asset_type:fault_code:level (e.g. pump:*:2)"
            )
        out.append({"asset_type": parts[0], "fault_code": parts[1], "level": int(parts[2])})
    return out


def _certifications(text: str) -> list[dict[str, Any]]:
    out = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        name, _, expires = item.partition(":")
        out.append({"name": name, "expires_on": expires.strip() or None})
    return out


def _record(row: dict[str, str]) -> dict[str, Any]:
    cell = {k: (v or "").strip() for k, v in row.items() if k in COLUMNS}
    missing = [name for name in REQUIRED if not cell.get(name)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    record: dict[str, Any] = {k: cell[k] for k in ("code", "name", "level")}
    for name in ("email", "phone", "time_zone", "max_open_jobs"):
        if cell.get(name):
            record[name] = cell[name]
    if cell.get("latitude") or cell.get("longitude"):
        record["base"] = {
            "label": cell.get("base_label") or None,
            "latitude": cell.get("latitude") or None,
            "longitude": cell.get("longitude") or None,
        }
    if cell.get("working_hours"):
        try:
            record["working_hours"] = json.loads(cell["working_hours"])
        except json.JSONDecodeError:
            raise ValueError(
                'working_hours must be JSON: {"mon": [["08:00", "17:00"]], ...}'
            ) from None
    record["skills"] = _skills(cell.get("skills", ""))
    record["certifications"] = _certifications(cell.get("certifications", ""))
    return record


def _explain(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg'].removeprefix('Value error, ')}"
        for e in error.errors()
    )


def parse(text: str) -> tuple[list[EngineerCreate], list[LineError]]:
    """The engineers of a CSV text, and the bad lines (1-based, the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text))
    unknown = sorted(set(reader.fieldnames or []) - set(COLUMNS))
    if not reader.fieldnames or unknown:
        what = f"unknown column(s) {', '.join(unknown)}" if unknown else "no header line"
        return [], [LineError(1, f"{what}; columns: {','.join(COLUMNS)}")]
    engineers: list[EngineerCreate] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        try:
            engineer = EngineerCreate.model_validate(_record(row))
        except ValidationError as error:
            errors.append(LineError(line, _explain(error)))
            continue
        except ValueError as error:
            errors.append(LineError(line, str(error)))
            continue
        if engineer.code in seen:
            errors.append(
                LineError(line, f"code {engineer.code!r} repeats line {seen[engineer.code]}")
            )
            continue
        seen[engineer.code] = line
        engineers.append(engineer)
    return engineers, errors


def import_csv(*, session: Session, text: str, now: datetime) -> list[Engineer]:
    """Create every engineer of the file, or none: raises ImportRefused naming each bad line."""
    engineers, errors = parse(text)
    codes = [e.code for e in engineers]
    taken = set(session.scalars(sa.select(Engineer.code).where(Engineer.code.in_(codes))))
    lines = {e.code: i for i, e in enumerate(engineers)}
    errors += [
        LineError(_line_of(text, code), f"an engineer with code {code!r} exists already")
        for code in sorted(taken, key=lines.__getitem__)
    ]
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e.line))
    return [service.create_engineer(session=session, data=e, now=now) for e in engineers]


def _line_of(text: str, code: str) -> int:
    reader = csv.DictReader(io.StringIO(text))
    for row in reader:
        if (row.get("code") or "").strip() == code:
            return reader.line_num
    return 0
