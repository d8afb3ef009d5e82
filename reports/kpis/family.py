"""A KPI family in two steps: what it reads from the database per group (a :data:`Partial`), and
the figures it makes of one group's partial.

The split is what lets a breakdown read the database once: the family's grouped queries give
every group's partial, the whole scope's is their :func:`merge` (each record belongs to one
group), and only the groups a page shows are turned into figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from reports.kpis.results import Dimension, Kpi
from reports.kpis.scope import Ctx

# Counts and sums (added), lists of values a median needs (joined) and dicts of those by a name
# (merged key by key): whatever adds up over the groups of a breakdown to the whole's.
Partial = dict[str, Any]
Partials = dict[str, Partial]


@dataclass(frozen=True, slots=True)
class Family:
    """``fetch(ctx, dimension)`` reads the partials by group key (``TOTAL`` without a
    dimension; :class:`~reports.kpis.scope.NotApplicable` when the subject cannot be split or
    filtered so); ``finish(ctx, partial)`` makes the figures of one group, which may leave out
    a figure there was nothing to compute on. ``keys``: the figures it makes. ``shared``: the
    dimensions whose groups do not add up to the whole (asset time is every fault code's, and
    no engineer's): the whole is read on its own for them."""

    fetch: Callable[[Ctx, Dimension | None], Partials]
    finish: Callable[[Ctx, Partial], dict[str, Kpi]]
    keys: tuple[str, ...]
    shared: frozenset[Dimension] = frozenset()


def merge(parts: Iterable[Partial]) -> Partial:
    """The partial of the records of all ``parts`` together."""
    out: Partial = {}
    for part in parts:
        _add(out, part)
    return out


def _add(into: dict[str, Any], part: dict[str, Any]) -> None:
    for name, value in part.items():
        if isinstance(value, dict):
            _add(into.setdefault(name, {}), value)
        elif name not in into:
            into[name] = list(value) if isinstance(value, list) else value
        elif isinstance(value, list):
            into[name].extend(value)
        else:
            into[name] += value
