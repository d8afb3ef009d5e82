"""What a KPI computation returns: one :class:`Kpi` per figure, for the whole scope and per group
of a breakdown dimension."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from reports.kpis.period import Period


class Dimension(enum.StrEnum):
    """What a breakdown groups by. A work order's engineer is its assignee."""

    REGION = "region"
    SITE = "site"
    CUSTOMER = "customer"
    ENGINEER = "engineer"
    ASSET_TYPE = "asset_type"
    FAULT_CODE = "fault_code"


class Grade(enum.StrEnum):
    EXCELLENT = "excellent"
    ACCEPTABLE = "acceptable"
    TO_IMPROVE = "to_improve"


# The group of records whose dimension is not set (an asset without a region, unassigned work).
NOT_SET = "(not set)"


@dataclass(frozen=True, slots=True)
class Filters:
    """Only records whose dimension equals the value given (None: any)."""

    region: str | None = None
    site: str | None = None
    customer: str | None = None
    engineer: str | None = None
    asset_type: str | None = None
    fault_code: str | None = None

    def given(self) -> dict[Dimension, str]:
        return {d: value for d in Dimension if (value := getattr(self, d.value)) is not None}


@dataclass(frozen=True, slots=True)
class Kpi:
    """One figure. ``value`` is None when there was nothing to compute it on (never a fake 0).

    For a share, ``numerator`` / ``denominator`` are the counts it was computed from and
    ``value == numerator / denominator``. For a median or mean, ``denominator`` is how many
    values it was taken over. ``detail`` holds extra parts (NPS promoters and detractors, the
    complaint reasons, parts by part number).
    """

    key: str
    name: str
    unit: str  # "share", "hours", "score", "points", "count", "currency"
    value: float | None
    definition: str
    numerator: int | None = None
    denominator: int | None = None
    grade: Grade | None = None
    detail: dict[str, float] = field(default_factory=dict)

    def as_dict(self, *, definition: bool = True) -> dict[str, Any]:
        """JSON-ready; without the definition when it repeats (the groups of a breakdown)."""
        return {
            "key": self.key,
            "name": self.name,
            "unit": self.unit,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "grade": self.grade.value if self.grade else None,
            "detail": dict(self.detail),
        } | ({"definition": self.definition} if definition else {})


@dataclass(frozen=True, slots=True)
class Group:
    """One value of the breakdown dimension (``NOT_SET`` for records without one)."""

    key: str
    kpis: dict[str, Kpi]


class BadPage(ValueError):
    """A page of groups that cannot be given (the message says what is accepted)."""


# Sorting groups by their key (the dimension's value, "(not set)" last), or by a KPI's value.
BY_KEY = "key"


@dataclass(frozen=True, slots=True)
class Page:
    """Which groups of a breakdown to give: sorted by ``sort`` (:data:`BY_KEY`, or a KPI's key:
    by its value, groups without one last, ties by key), ``descending`` or not, ``limit`` of
    them (None: all) from ``offset``."""

    limit: int | None = None
    offset: int = 0
    sort: str = BY_KEY
    descending: bool = False

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise BadPage(f"limit must be 1 or more, got {self.limit}")
        if self.offset < 0:
            raise BadPage(f"offset must be 0 or more, got {self.offset}")


@dataclass(frozen=True, slots=True)
class KpiReport:
    """Every KPI of a period for the scope the filters leave, and per group when broken down:
    the groups of ``page`` only, of ``total_groups`` in all."""

    period: Period
    breakdown: Dimension | None
    filters: Filters
    total: dict[str, Kpi]
    groups: list[Group]
    total_groups: int = 0
    page: Page = field(default_factory=Page)

    @property
    def next_offset(self) -> int | None:
        """Where the next page starts; None after the last."""
        following = self.page.offset + len(self.groups)
        return following if self.page.limit is not None and following < self.total_groups else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {
                "label": self.period.label,
                "kind": self.period.kind,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "breakdown": self.breakdown.value if self.breakdown else None,
            "filters": {d.value: v for d, v in self.filters.given().items()},
            "kpis": {k: v.as_dict() for k, v in self.total.items()},
            "total_groups": self.total_groups,
            "groups": [
                {
                    "key": g.key,
                    "kpis": {k: v.as_dict(definition=False) for k, v in g.kpis.items()},
                }
                for g in self.groups
            ],
        }
