"""A seeded, realistic service history written as files: what a service organisation would
export after months of work, for Vigil's reports, benchmarks and demo to be read and loaded.

Like the rest of ``simulators`` it imports nothing of Vigil: Vigil's loader (``vigil history
load``) reads these files. A history is a directory of JSON Lines, one file per record kind,
plus ``manifest.json`` (the parameters, the period and the counts):

- ``customers``: key, name, tier, region, created_at, contacts (name, email, phone, role,
  language)
- ``sites``: code, customer (key), name, address, latitude, longitude, timezone, region,
  business_hours
- ``contracts``: number, customer, kind (paid, warranty), starts_on, ends_on, sla_plan,
  value (what the customer pays over the whole term), assets (warranty: the asset keys it
  covers; absent: all of the customer's)
- ``assets``: site, asset, asset_type, model, serial_number, install_date, criticality,
  purchased_on and purchase_value (the sale of the equipment)
- ``engineers``: code, name, email, phone, level, region, base_label, latitude, longitude,
  time_zone, working_hours, max_open_jobs, skills, created_at
- ``parts``, ``warehouses`` (central per region, a van per engineer) and ``stock`` (receipts:
  opening stock and supplier deliveries)
- ``articles``: the knowledge base (key, title, ..., author, created_at, source_work_order)
- ``plans``: the preventive maintenance plans, one per asset under a paid contract (key,
  name, asset, every and unit, start_on: the first due date, lead_days, steps, grace_days,
  priority, created_at, active: false once no contract runs); see ``preventive``
- ``work_orders``: one line per work order with its whole story: the requests that reported it
  (channel, outcome, complaints), SLA pauses, dispatches, visits on site, parts consumed (and
  from which warehouse), articles used, follow-up calls, surveys, and the audit trail of status
  changes, for preventive work the plan and due date it was opened for (``plan``: plan,
  due_key, due_at), and for each answered survey that scored below 4 the callback it got
  (``callback``: by, done_at; done_at None when nobody called by the end); its fields are
  those the work-order service would have stamped, and billed_amount
  (what work outside warranty and contract was invoiced: call-out, hours on site, parts).

Times are UTC in ISO 8601. The history ends at ``end`` (exclusive): work still going on then is
open, dispatched or in progress, as it would be in a live system.
"""

from __future__ import annotations

import json
import random
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulators.history.fleet import Fleet, Record, build_fleet
from simulators.history.ledger import articles, stock_moves
from simulators.history.work import build_work

# 2: plans, the plan and due date of each preventive work order, survey callbacks.
FORMAT = 2
KINDS = (
    "customers",
    "sites",
    "contracts",
    "assets",
    "engineers",
    "parts",
    "warehouses",
    "stock",
    "articles",
    "plans",
    "work_orders",
)


@dataclass(slots=True)
class History:
    start: datetime
    end: datetime
    params: dict[str, Any]
    records: dict[str, list[Record]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {kind: len(self.records.get(kind, [])) for kind in KINDS}


def add_months(at: datetime, months: int) -> datetime:
    """The same day ``months`` later (or earlier), or the month's last day when it is shorter."""
    month = at.month - 1 + months
    year, month = at.year + month // 12, month % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, monthrange(year, month)[1]))


def generate(*, months: int, assets: int, seed: int, end: datetime | None = None) -> History:
    """``months`` of history on about ``assets`` assets, ending at ``end`` (default: the start
    of today, UTC). The same arguments give the same history, record for record."""
    if months < 1 or assets < 1:
        raise ValueError("a history needs at least one month and one asset")
    end = (end or datetime.now(UTC)).astimezone(UTC)
    end = end.replace(hour=0, minute=0, second=0, microsecond=0)
    start = add_months(end, -months)
    rng = random.Random(f"vigil-history:{seed}")
    fleet: Fleet = build_fleet(rng, assets=assets, start=start, end=end)
    works = build_work(rng, fleet, start=start, end=end)
    moves = stock_moves(fleet, works, start=start)
    kb = articles(rng, fleet, works, start=start)
    history = History(
        start=start,
        end=end,
        params={"months": months, "assets": assets, "seed": seed, "format": FORMAT},
    )
    history.records = {
        "customers": fleet.customers,
        "sites": fleet.sites,
        "contracts": fleet.contracts,
        "assets": fleet.assets,
        "engineers": fleet.engineers,
        "parts": fleet.parts,
        "warehouses": fleet.warehouses,
        "stock": moves,
        "articles": kb,
        "plans": fleet.plans,
        "work_orders": [w.record() for w in works],
    }
    return history


def write(history: History, directory: Path) -> Path:
    """Write the files; the manifest last, so a directory with one is complete."""
    directory.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        with (directory / f"{kind}.jsonl").open("w", encoding="utf-8") as out:
            for record in history.records[kind]:
                out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    manifest = {
        **history.params,
        "start": history.start.isoformat(),
        "end": history.end.isoformat(),
        "counts": history.counts(),
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return directory


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / "manifest.json"
    if not path.exists():
        raise FileNotFoundError(f"{directory} holds no history (no manifest.json)")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{path}: history format {manifest.get('format')!r}, expected {FORMAT}")
    return manifest


def read(directory: Path, kind: str) -> list[Record]:
    if kind not in KINDS:
        raise ValueError(f"unknown record kind {kind!r}")
    with (directory / f"{kind}.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def period(manifest: dict[str, Any]) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(manifest["start"]), datetime.fromisoformat(manifest["end"])


__all__ = ["KINDS", "History", "add_months", "generate", "period", "read", "read_manifest", "write"]
