"""What a report holds: sections of text, charts and tables, and each table as a CSV file.

A table keeps raw values (numbers as computed, times as datetimes); the HTML formats them for
reading, the CSV writes them as they are, so a CSV figure is the figure the API returns.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

# "unit": a KPI's value, formatted by its unit (the row's "unit" column: share, hours, ...);
# "change": a difference of two such values (a share's in percentage points).
ColumnKind = Literal[
    "text", "int", "number", "percent", "hours", "money", "datetime", "date", "unit", "change"
]
_UNIT_KIND: dict[str, ColumnKind] = {
    "share": "percent",
    "hours": "hours",
    "count": "int",
    "currency": "money",
    "score": "number",
    "points": "number",
}


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # the CSV header
    label: str  # the HTML header
    kind: ColumnKind = "text"
    # False: in the CSV only (a key the reader of the HTML does not need).
    shown: bool = True


@dataclass(frozen=True, slots=True)
class Table:
    slug: str  # the CSV file's name, without .csv
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    # The HTML shows at most this many rows (the CSV has them all) and says so.
    show_rows: int | None = None
    note: str | None = None

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.name for c in self.columns])
        for row in self.rows:
            writer.writerow([csv_value(v) for v in row])
        return out.getvalue()

    def cell(self, row: Sequence[Any], index: int, *, currency: str) -> str:
        """The value as the HTML shows it."""
        kind = self.columns[index].kind
        value = row[index]
        if kind in ("unit", "change"):
            units = [i for i, c in enumerate(self.columns) if c.name == "unit"]
            unit = str(row[units[0]]) if units else ""
            if kind == "change" and value is not None:
                sign = "+" if value > 0 else ""
                if unit == "share":
                    return f"{sign}{value * 100:.1f} pp"
                return sign + fmt(value, _UNIT_KIND.get(unit, "number"), currency=currency)
            kind = _UNIT_KIND.get(unit, "number")
        return fmt(value, kind, currency=currency)

    @property
    def shown(self) -> Sequence[Sequence[Any]]:
        return self.rows if self.show_rows is None else self.rows[: self.show_rows]


@dataclass(frozen=True, slots=True)
class Figure:
    """A chart (inline SVG) and the sentence under it."""

    svg: str
    caption: str


@dataclass(slots=True)
class Section:
    slug: str  # the HTML anchor and the screenshots' name
    title: str
    intro: str = ""
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    # Highlighted figures at the top of the section: (label, formatted value, explanation).
    cards: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Report:
    title: str
    period_label: str
    previous_label: str
    generated_at: datetime
    sections: list[Section] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]


def csv_value(value: Any) -> str:
    """
    >>> [csv_value(v) for v in (None, 0.1 + 0.2, 3, True, datetime(2026, 11, 1))]
    ['', '0.30000000000000004', '3', 'true', '2026-11-01T00:00:00']
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # round-trips exactly: the API's JSON number
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def fmt(value: Any, kind: ColumnKind, *, currency: str = "") -> str:
    """A value as the HTML shows it; '–' where there is no data.

    >>> fmt(0.8421, "percent"), fmt(2.5, "hours"), fmt(12500.0, "money", currency="EUR")
    ('84.2 %', '2.5 h', 'EUR 12,500')
    >>> fmt(None, "number")
    '–'
    """
    if value is None:
        return "–"
    if kind == "percent":
        return f"{value * 100:.1f} %"
    if kind == "hours":
        return f"{value:,.1f} h"
    if kind == "money":
        return f"{currency} {value:,.0f}".strip()
    if kind == "int":
        return f"{int(value):,}"
    if kind == "number":
        return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
    if kind == "datetime" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if kind == "date" and isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value)
