"""The history generator: the same seed gives the same files, and the story each work order
tells is possible (nothing happens before it was reported or after the end, stock never runs
below zero, surveys follow a resolution)."""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from simulators.history import KINDS, History, generate, read, read_manifest, write

END = datetime(2026, 11, 30, tzinfo=UTC)


def _digest(directory: Path) -> dict[str, str]:
    return {
        kind: hashlib.sha256((directory / f"{kind}.jsonl").read_bytes()).hexdigest()
        for kind in KINDS
    }


@pytest.fixture(scope="module")
def history() -> History:
    return generate(months=6, assets=400, seed=7, end=END)


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    a = write(generate(months=2, assets=120, seed=3, end=END), tmp_path / "a")
    b = write(generate(months=2, assets=120, seed=3, end=END), tmp_path / "b")
    c = write(generate(months=2, assets=120, seed=4, end=END), tmp_path / "c")
    assert _digest(a) == _digest(b)
    assert _digest(a)["work_orders"] != _digest(c)["work_orders"]
    manifest = read_manifest(a)
    assert manifest["start"] == "2026-09-30T00:00:00+00:00"
    assert manifest["counts"]["assets"] == 120 == len(read(a, "assets"))


def test_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="at least one month"):
        generate(months=0, assets=10, seed=1, end=END)


def test_every_kind_of_work_is_there(history: History) -> None:
    wos = history.records["work_orders"]
    origins = Counter(w["origin"] for w in wos)
    assert {"predictive", "false_alarm", "reactive", "preventive", "consultation"} <= set(origins)
    codes = Counter(w["resolution_code"] for w in wos)
    assert codes["confirmed_fault"]
    assert codes["false_alarm"]
    assert codes["no_fault_found"]
    assert any(w["repeat_count"] for w in wos), "no reopened work"
    assert any(p["reason"] == "waiting_for_parts" for w in wos for p in w["pauses"])
    assert any(r["complaint"] for w in wos for r in w["requests"])
    assert any(w["created_at"][:7] != (w["closed_at"] or w["created_at"])[:7] for w in wos)
    assert {w["status"] for w in wos} - {"closed"}, "nothing is still going on at the end"
    channels = Counter(r["channel"] for w in wos for r in w["requests"])
    assert {"alert", "hotline", "portal", "email", "preventive"} <= set(channels)
    assert Counter(s["recommend"] is not None for w in wos for s in w["surveys"])[True] > 50
    # What the customer value analysis reads: sales, contract values and invoiced work.
    billed = [w["billed_amount"] for w in wos if w["billed_amount"] is not None]
    assert billed
    assert all(b > 0 for b in billed)
    assert all(w["billable"] and w["resolution_code"] for w in wos if w["billed_amount"])
    assert all(a["purchase_value"] > 0 for a in history.records["assets"])
    assert any(c["value"] > 0 for c in history.records["contracts"])


def _t(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def test_each_story_is_possible(history: History) -> None:
    end = history.end
    open_by_problem: dict[tuple[str, str], list[tuple[datetime, datetime]]] = defaultdict(list)
    for w in history.records["work_orders"]:
        created = _t(w["created_at"])
        assert created is not None
        assert history.start <= created < end
        times = [datetime.fromisoformat(a["at"]) for a in w["audit"]]
        assert times == sorted(times)
        assert all(t < end for t in times)
        for v in w["visits_on_site"]:
            check_in, check_out = _t(v["check_in"]), _t(v["check_out"])
            assert check_in is not None
            assert created <= check_in < end
            assert check_out is None or check_in < check_out < end
        resolutions = [_t(a["at"]) for a in w["audit"] if a["action"].endswith("->resolved")]
        for s in w["surveys"]:
            sent = _t(s["sent_at"])
            assert sent is not None
            assert any(r is not None and r <= sent for r in resolutions)
            assert s["answered_at"] is None or sent < _t(s["answered_at"])  # type: ignore[operator]
        for r in w["requests"]:
            assert created <= _t(r["received_at"]) < end  # type: ignore[operator]
        if w["status"] in ("resolved", "closed"):
            assert w["resolution_code"] is not None
        closed = _t(w["closed_at"]) if w["status"] == "closed" else end
        assert closed is not None
        open_by_problem[w["asset"], w["fault_code"]].append((created, closed))
    for spans in open_by_problem.values():
        spans.sort()
        for (_, first_closed), (second_opened, _) in itertools.pairwise(spans):
            assert first_closed <= second_opened, "two open work orders for one problem"


def test_stock_never_goes_below_zero(history: History) -> None:
    moves: list[tuple[str, int, str, int]] = [
        (m["at"], 0, f"{m['warehouse']}/{m['part']}", m["quantity"])
        for m in history.records["stock"]
    ]
    moves += [
        (p["at"], 1, f"{p['warehouse']}/{p['part']}", -p["quantity"])
        for w in history.records["work_orders"]
        for p in w["parts"]
    ]
    level: Counter[str] = Counter()
    for _at, _order, key, quantity in sorted(moves):
        level[key] += quantity
        assert level[key] >= 0, key


def test_regions_and_engineers_differ(history: History) -> None:
    """The report needs differences to show: regions respond at different speeds."""
    region = {s["code"]: s["region"] for s in history.records["sites"]}
    hours: dict[str, list[float]] = defaultdict(list)
    for w in history.records["work_orders"]:
        if w["responded_at"] and not w["repeat_count"]:
            delta = _t(w["responded_at"]) - _t(w["created_at"])  # type: ignore[operator]
            hours[region[w["site"]]].append(delta.total_seconds() / 3600)
    medians = sorted(sorted(v)[len(v) // 2] for v in hours.values() if len(v) > 10)
    assert len(medians) >= 4
    assert medians[-1] > 1.3 * medians[0]


def _summer_share(records: list[dict[str, Any]], asset_type: str) -> float:
    months = Counter(
        w["created_at"][5:7] for w in records if w["asset"].startswith(asset_type)
        and w["origin"] in ("predictive", "reactive")
    )  # fmt: skip
    return sum(months[m] for m in ("06", "07", "08")) / max(1, sum(months.values()))


def test_chillers_fail_in_summer() -> None:
    year = generate(months=12, assets=600, seed=2, end=END).records["work_orders"]
    assert _summer_share(year, "chiller") > 0.25 + 0.08


def test_preventive_work_comes_from_plans_on_their_due_dates(history: History) -> None:
    plans = {p["key"]: p for p in history.records["plans"]}
    preventive = [w for w in history.records["work_orders"] if w["origin"] == "preventive"]
    assert plans
    assert preventive
    assert all(
        w["plan"] is None for w in history.records["work_orders"] if w["origin"] != "preventive"
    )
    for w in preventive:
        plan = plans[w["plan"]["plan"]]
        assert plan["asset"] == w["asset"]
        due = date.fromisoformat(w["plan"]["due_key"])
        # A due date of the plan as Vigil counts them, opened its lead time ahead.
        assert (due - date.fromisoformat(plan["start_on"])).days % plan["every"] == 0
        opened = _t(w["created_at"])
        due_at = _t(w["plan"]["due_at"])
        assert opened is not None
        assert due_at is not None
        assert due_at - opened == timedelta(days=plan["lead_days"])
        assert w["plan"]["due_key"] in w["fault_title"]
    # One work order per due date; VIP assets twice a year, the others yearly.
    keys = [(w["plan"]["plan"], w["plan"]["due_key"]) for w in preventive]
    assert len(keys) == len(set(keys))
    assert {p["every"] for p in plans.values()} == {182, 364}

    # Most are done within the grace after their due date, some visits were put off past it.
    def deadline(w: dict[str, Any]) -> str:
        return (datetime.fromisoformat(w["plan"]["due_at"]) + timedelta(days=7)).isoformat()

    late = [
        w for w in preventive if w["resolved_at"] is not None and w["resolved_at"] > deadline(w)
    ]
    done = [w for w in preventive if w["resolved_at"] is not None]
    assert 0 < len(late) < 0.25 * len(done)


def test_poor_answers_get_a_callback_and_good_ones_none(history: History) -> None:
    weights = {"overall": 40, "speed": 30, "competence": 20, "communication": 10}
    surveys = [s for w in history.records["work_orders"] for s in w["surveys"]]
    seen: Counter[str] = Counter()
    for s in surveys:
        if s["answered_at"] is None:
            assert s["callback"] is None
            continue
        points = sum(weight * s[name] for name, weight in weights.items())
        if points >= 400:
            assert s["callback"] is None
            continue
        by = s["callback"]["by"]
        assert by == ("customer care" if points >= 300 else "service manager")
        seen[by] += 1
        done = s["callback"]["done_at"]
        assert done is None or s["answered_at"] < done < END.isoformat()
    assert seen["customer care"]
    assert seen["service manager"]
