"""Stock and knowledge of a generated history, decided once every work order is known.

Stock: parts are consumed in time order across all work orders, from the engineer's van when it
holds the part, else from the region's central store; a store that would run short gets a
supplier delivery first, so no level ever goes below zero at any moment. Knowledge: a base of
articles written before the history by the technical documentation team, the ones engineers
write from their repairs, and the articles engineers open on site (only ones already written).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from simulators.history import catalog
from simulators.history.fleet import Fleet, Record
from simulators.history.timing import iso, parse
from simulators.history.visits import Work

CENTRAL_START = 30  # of each part, in each central store, at the start
VAN_START = 2  # of each part fitting the engineer's asset types
REORDER = 40  # a delivery to a central store that would run short
DOCS_TEAM = "tech-docs"


def stock_moves(fleet: Fleet, works: list[Work], *, start: datetime) -> list[Record]:
    """Receipts (opening stock and deliveries), and the warehouse of every consumed part."""
    region_of = {e["code"]: e["region"] for e in fleet.engineers}
    central = {w["region"]: w["code"] for w in fleet.warehouses if w["kind"] == "central"}
    fits = {p["part_number"]: set(p["asset_types"]) for p in fleet.parts}
    skills = {e["code"]: {s["asset_type"] for s in e["skills"]} for e in fleet.engineers}
    level: dict[tuple[str, str], int] = defaultdict(int)
    moves: list[Record] = []
    opening = iso(start - timedelta(days=1))

    def receive(warehouse: str, part: str, quantity: int, at: str | None, note: str) -> None:
        level[warehouse, part] += quantity
        moves.append({"kind": "receipt", "at": at, "warehouse": warehouse, "part": part,
                      "quantity": quantity, "note": note})  # fmt: skip

    for warehouse in fleet.warehouses:
        for part in fleet.parts:
            number = part["part_number"]
            if warehouse["kind"] == "central":
                receive(warehouse["code"], number, CENTRAL_START, opening, "opening stock")
            elif fits[number] & skills[warehouse["engineer"]]:
                receive(warehouse["code"], number, VAN_START, opening, "opening stock")
    used = sorted(
        ((p["at"], w.key, i, p) for w in works for i, p in enumerate(w.parts)),
        key=lambda item: (item[0], item[1], item[2]),
    )
    for _at, _key, _i, part in used:
        van = f"VAN-{part['engineer']}"
        store = central[region_of[part["engineer"]]]
        number, quantity = part["part"], part["quantity"]
        if level[van, number] >= quantity:
            part["warehouse"] = van
        else:
            if level[store, number] < quantity:
                delivered = iso(parse(part["at"]) - timedelta(hours=2))
                receive(store, number, REORDER, delivered, "supplier delivery")
            part["warehouse"] = store
        level[part["warehouse"], number] -= quantity
    return moves


def articles(
    rng: random.Random, fleet: Fleet, works: list[Work], *, start: datetime
) -> list[Record]:
    """The knowledge base, and which article each recorded use on site opened."""
    written: list[Record] = []
    types = {t.name: t for t in catalog.ASSET_TYPES}
    for kind in catalog.ASSET_TYPES:
        for code, _weight in kind.faults:
            title = catalog.FAULT_TITLES[code]
            written.append(_article(len(written), f"{kind.name.replace('_', ' ').capitalize()}: "
                                    f"{title.lower()}", code, kind.name, DOCS_TEAM,
                                    iso(start - timedelta(days=rng.randint(30, 900))), None))  # fmt: skip
    for work in works:
        for a in work.articles:
            model = a["model"]
            written.append(_article(len(written), f"{model}: {catalog.FAULT_TITLES[a['fault_code']].lower()}"
                                    " - field notes", a["fault_code"], a["asset_type"],
                                    a["engineer"], a["at"], work.key))  # fmt: skip
    by_subject: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for article in sorted(written, key=lambda r: r["created_at"]):
        by_subject[article["fault_codes"][0], article["asset_types"][0]].append(article)
    for work in works:
        for use in work.kb_uses:
            known = [a for a in by_subject[use["fault_code"], use["asset_type"]]
                     if a["created_at"] < use["at"]]  # fmt: skip
            use["article"] = rng.choice(known)["key"] if known else None
        work.kb_uses = [u for u in work.kb_uses if u["article"] is not None]
    assert all(t in types for t in (a["asset_types"][0] for a in written))
    return written


def _article(
    n: int, title: str, fault: str, asset_type: str, author: str, at: str | None, source: str | None
) -> Record:
    parts = [p[0] for p in catalog.PARTS if asset_type in p[2] and fault in p[3]]
    return {
        "key": f"KB{n + 1:04d}",
        "title": title[:200],
        "symptom": catalog.REQUEST_TEXT.get(fault, ("Abnormal readings",))[0],
        "cause": catalog.FAULT_TITLES[fault],
        "fix_steps": ["Isolate and lock out the equipment", "Inspect and measure",
                      "Replace the worn part", "Test under load and record the readings"],
        "parts": parts[:3],
        "fault_codes": [fault],
        "asset_types": [asset_type],
        "author": author,
        "created_at": at,
        "source_work_order": source,
        "status": "published",
    }  # fmt: skip
