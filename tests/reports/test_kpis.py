"""Every KPI against values worked out by hand on the history of kpi_fixture.py.

November 2026, computed on December 20 (so every November deadline has passed):

- created: W1 W2 W4 W5 W6 W7 = 6 (W3 was created in October); resolved: W1 W2 W3 W4 = 4.
- response, first responses in November: W1 1 h, W2 4 h, W3 3 h (from its reopening, not from
  October), W4 0.5 h, W5 49 h (Fri 15:00 to Mon 16:00) -> median 3 h (acceptable), 2 of 5
  within 2 h.
- SLA respond, deadlines in November (W6 cancelled is left out): W1 met, W2 missed (due 10:00,
  answered 12:00), W3 missed (new clock: due Nov 5 12:00, answered 13:00), W4 met, W5 met (due
  Mon 17:00 after 3 business hours of pause instead of 14:00, answered 16:00), W7 missed -> 3/6.
- SLA on site: W1 W2 W3 met, W4 met (resolved before its due without a visit), W7 missed; W5's
  deadline (Dec 10 09:00) is December's -> 4/5. Resolve: W1 W2 W3 W4 met; W5 and W7 fall in
  December -> 4/4. On-time completion: 4/4.
- MTTR over W1 29 h, W2 24 h, W3 8 h (from the reopening) = 61/3 h. First-time fix: W1 only of
  3 (W2 had two visits, W3 was reopened); repeat repair: W3 -> 1/3.
- False alarm: predictive resolved W1 W3 W4 -> 1/3. Warning time: W1 from the alert firing
  (Nov 2 09:00) to on site (Nov 3 09:00) 24 h; W3 from the reopening to on site 4 h -> median 14.
- Follow-up coverage: W1 W2 of W1 W2 W3 (W3's task cancelled) -> 2/3; completion: tasks due in
  November, not cancelled: W1 done, W2 open, the periodic one done -> 2/3.
- CSAT: 4.6, 2.4, 4.0 -> 11/3 (2 of 3 scoring 4 or more; the Oct 31 23:59 answer is October's).
  NPS: 10 promoter, 3 detractor, 8 passive -> 0.
- Complaints: R1 R2 R3 R6 of 6 requests (R4 consultation, R5 an alert) -> 4/6, reasons
  emergency_repair 2, troubleshooting 1, came_back 1.
- PM compliance: due in November Nov 3 (on time), Nov 10 (late), Nov 12 (missed) -> 1/3; Nov 28
  is still within its grace when November ends (pending); the cancelled one is not counted.
- Parts: P1 x1, P2 x4 less 1 returned -> 4 units, 100 + 3 x 12.5 = 137.5.
- Availability: in service A1 720 h, A2 720 h, A3 360 h (from Nov 16) = 1800 h; down W1 6 h
  (caught by an alert: from on site), W2 24 h (breakdown: from the report), W3 4 h, W5 81 h
  (Nov 27 15:00 to the month's end) = 115 h -> 1 - 115/1800. MTBF: failures started in November
  W1 W2 W3 W5 -> (1800 - 115) / 4 = 421.25 h; pumps (1080 - 91) / 3, chillers (720 - 24) / 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.orm import Session

from reports.kpis import (
    KEYS,
    NOT_SET,
    BadPage,
    Dimension,
    Filters,
    Grade,
    Kpi,
    KpiReport,
    Page,
    compute,
    parse_period,
    period_from,
    trend,
)
from tests.reports.kpi_fixture import NOW, History, at, build
from tests.workorders.dbkit import Db


@pytest.fixture
def history(db: Db) -> Iterator[tuple[Session, History]]:
    session = db.factory()
    built = build(session)
    session.commit()
    yield session, built
    session.close()


def _nov(session: Session, **kw: object) -> KpiReport:
    return compute(session=session, period=parse_period("2026-11"), now=NOW, **kw)  # type: ignore[arg-type]


def _fig(report: KpiReport, key: str) -> tuple[float | None, int | None, int | None]:
    k = report.total[key]
    return (None if k.value is None else round(k.value, 6), k.numerator, k.denominator)


def test_the_clock_paused_w5_and_restarted_w3(history: tuple[Session, History]) -> None:
    _, h = history
    assert h.work["W5"].respond_by == at(11, 30, 17)  # 8 business hours + 3 paused
    assert h.work["W5"].on_site_by == at(12, 10, 9)  # 72 business hours + 3 paused
    assert h.work["W5"].resolve_by == at(12, 17, 12)
    assert h.work["W3"].respond_by == at(11, 5, 12)  # the reopening started a new clock


def test_november_against_hand_computed_values(history: tuple[Session, History]) -> None:
    session, _ = history
    nov = _nov(session)
    assert set(nov.total) == set(KEYS)
    assert nov.total["created"].value == 6
    assert nov.total["resolved"].value == 4
    assert _fig(nov, "response_median_h") == (3.0, None, 5)
    assert nov.total["response_median_h"].grade is Grade.ACCEPTABLE
    assert _fig(nov, "response_within_2h") == (0.4, 2, 5)
    assert _fig(nov, "sla_respond") == (0.5, 3, 6)
    assert _fig(nov, "sla_on_site") == (0.8, 4, 5)
    assert _fig(nov, "sla_resolve") == (1.0, 4, 4)
    assert _fig(nov, "on_time_completion") == (1.0, 4, 4)
    assert _fig(nov, "mttr_h") == (round(61 / 3, 6), None, 3)
    assert _fig(nov, "first_time_fix") == (round(1 / 3, 6), 1, 3)
    assert _fig(nov, "repeat_repair") == (round(1 / 3, 6), 1, 3)
    assert _fig(nov, "false_alarm") == (round(1 / 3, 6), 1, 3)
    assert _fig(nov, "warning_time_median_h") == (14.0, None, 2)
    assert _fig(nov, "followup_coverage") == (round(2 / 3, 6), 2, 3)
    assert _fig(nov, "followup_completion") == (round(2 / 3, 6), 2, 3)
    assert _fig(nov, "csat") == (round(11 / 3, 6), 2, 3)
    assert _fig(nov, "nps") == (0.0, 1, 3)
    assert nov.total["nps"].detail == {"promoters": 1, "detractors": 1}
    assert _fig(nov, "complaint_rate") == (round(4 / 6, 6), 4, 6)
    assert nov.total["complaint_rate"].detail == {
        "emergency_repair": 2,
        "troubleshooting": 1,
        "came_back": 1,
    }
    assert nov.total["parts_units"].value == 4
    assert nov.total["parts_units"].detail == {"P2": 3, "P1": 1}
    assert nov.total["parts_cost"].value == 137.5
    assert _fig(nov, "availability")[0] == round(1 - 115 / 1800, 6)
    assert nov.total["availability"].detail == {"service_h": 1800.0, "down_h": 115.0}
    assert _fig(nov, "mtbf_h") == (421.25, None, 4)
    assert _fig(nov, "pm_compliance") == (round(1 / 3, 6), 1, 3)
    assert nov.total["pm_compliance"].detail == {"late": 1, "missed": 1, "pending": 1}


def test_work_spanning_two_months_counts_where_each_step_fell(
    history: tuple[Session, History],
) -> None:
    session, _ = history
    dec = compute(session=session, period=parse_period("2026-12"), now=NOW)
    assert dec.total["created"].value == 0
    assert dec.total["resolved"].value == 1  # W5
    assert _fig(dec, "first_time_fix") == (1.0, 1, 1)
    assert _fig(dec, "mttr_h") == (93.0, None, 1)  # Nov 27 15:00 to Dec 1 12:00
    assert _fig(dec, "sla_on_site") == (1.0, 1, 1)  # W5 (W7's fell in November)
    assert _fig(dec, "sla_resolve") == (0.5, 1, 2)  # W5 met; W7 due Dec 1 20:00, never resolved
    assert _fig(dec, "sla_respond") == (None, 0, 0)
    assert _fig(dec, "response_median_h") == (None, None, 0)
    # Time lived so far: Dec 1 to Dec 20 for three assets; W5 down its last 12 hours.
    assert dec.total["availability"].detail == {"service_h": 3 * 19 * 24.0, "down_h": 12.0}
    assert dec.total["mtbf_h"].value is None  # no failure started: None, not 0
    assert dec.total["parts_cost"].value == 200.0


def test_month_boundaries_and_the_quarter(history: tuple[Session, History]) -> None:
    session, _ = history
    oct_ = compute(session=session, period=parse_period("2026-10"), now=NOW)
    # W3's October resolution was cleared by its reopening: it counts when resolved again.
    assert (oct_.total["created"].value, oct_.total["resolved"].value) == (1, 0)
    assert _fig(oct_, "csat") == (5.0, 1, 1)  # answered Oct 31 23:59
    q4 = compute(session=session, period=parse_period("2026Q4"), now=NOW)
    assert q4.total["created"].value == 7
    assert q4.total["resolved"].value == 5
    assert _fig(q4, "csat") == (round((5.0 + 11.0) / 4, 6), 3, 4)
    week = compute(
        session=session, period=period_from(start=date(2026, 11, 2), end=date(2026, 11, 8)), now=NOW
    )
    assert week.total["created"].value == 1  # W1 (W3 was reopened that week, not created)
    assert week.total["resolved"].value == 2  # W1, W3


def test_breakdowns_by_engineer_and_asset_type(history: tuple[Session, History]) -> None:
    session, _ = history
    by_engineer = {g.key: g.kpis for g in _nov(session, breakdown=Dimension.ENGINEER).groups}
    assert list(by_engineer) == ["ana", "ben", NOT_SET]
    assert by_engineer["ana"]["resolved"].value == 3
    assert by_engineer["ana"]["first_time_fix"].numerator == 1
    assert by_engineer["ben"]["first_time_fix"].denominator == 1
    assert by_engineer[NOT_SET]["created"].value == 2  # W6, W7
    assert by_engineer["ana"]["availability"].value is None  # asset time has no engineer
    by_type = {g.key: g.kpis for g in _nov(session, breakdown=Dimension.ASSET_TYPE).groups}
    assert by_type["pump"]["mtbf_h"].value == pytest.approx((1080 - 91) / 3)
    assert by_type["chiller"]["mtbf_h"].value == pytest.approx(696.0)
    by_region = {g.key: g.kpis for g in _nov(session, breakdown=Dimension.REGION).groups}
    assert by_region["north"]["parts_cost"].value == 100.0
    assert by_region["south"]["parts_cost"].value == 37.5


def test_filters_narrow_every_figure(history: tuple[Session, History]) -> None:
    session, _ = history
    acme = _nov(session, filters=Filters(customer="ACME"))
    assert acme.total["created"].value == 2  # W1, W6
    assert acme.total["resolved"].value == 2  # W1, W3
    assert acme.total["availability"].detail == {"service_h": 720.0, "down_h": 10.0}
    ana = _nov(session, filters=Filters(engineer="ana"))
    assert ana.total["resolved"].value == 3
    assert ana.total["availability"].value is None


@pytest.mark.parametrize("dimension", list(Dimension))
def test_breakdowns_add_up_and_shares_stay_in_range(
    history: tuple[Session, History], dimension: Dimension
) -> None:
    session, _ = history
    for label in ("2026-10", "2026-11", "2026-12", "2026Q4"):
        whole = compute(session=session, period=parse_period(label), now=NOW)
        report = compute(session=session, period=parse_period(label), breakdown=dimension, now=NOW)
        check_report(report, whole=whole)


def test_a_page_of_groups_sorted_by_key_or_by_a_kpi(history: tuple[Session, History]) -> None:
    session, _ = history
    every = _nov(session, breakdown=Dimension.ENGINEER)
    assert (every.total_groups, every.next_offset) == (3, None)
    first = _nov(session, breakdown=Dimension.ENGINEER, page=Page(limit=2))
    assert [g.key for g in first.groups] == ["ana", "ben"]
    assert (first.total_groups, first.next_offset) == (3, 2)
    assert first.total == every.total  # the whole scope, whatever the page
    rest = _nov(session, breakdown=Dimension.ENGINEER, page=Page(limit=2, offset=2))
    assert [g.key for g in rest.groups] == [NOT_SET]
    assert rest.next_offset is None
    assert rest.groups[0].kpis == every.groups[2].kpis
    # "(not set)" stays last by key either way; by a KPI, groups without a value go last.
    back = _nov(session, breakdown=Dimension.ENGINEER, page=Page(descending=True))
    assert [g.key for g in back.groups] == ["ben", "ana", NOT_SET]
    busiest = _nov(session, breakdown=Dimension.ENGINEER, page=Page(sort="resolved"))
    assert [g.kpis["resolved"].value for g in busiest.groups] == [0, 1, 3]
    assert [g.key for g in busiest.groups] == [NOT_SET, "ben", "ana"]
    most = _nov(
        session, breakdown=Dimension.ENGINEER, page=Page(sort="resolved", descending=True, limit=1)
    )
    assert [g.key for g in most.groups] == ["ana"]
    assert most.next_offset == 1
    by_ftf = _nov(session, breakdown=Dimension.ENGINEER, page=Page(sort="first_time_fix"))
    assert [g.kpis["first_time_fix"].value for g in by_ftf.groups][-1] is None
    with pytest.raises(BadPage, match="created"):
        _nov(session, breakdown=Dimension.ENGINEER, page=Page(sort="speed"))
    with pytest.raises(BadPage, match="limit"):
        Page(limit=0)


def same_figures(mine: Kpi, theirs: Kpi) -> None:
    assert (mine.key, mine.numerator, mine.denominator, mine.grade) == (
        theirs.key,
        theirs.numerator,
        theirs.denominator,
        theirs.grade,
    ), (mine, theirs)
    assert mine.value == pytest.approx(theirs.value), (mine, theirs)
    assert mine.detail == pytest.approx(theirs.detail), (mine, theirs)


def check_report(report: KpiReport, *, whole: KpiReport | None = None) -> None:
    """Shares in [0, 1], numerators within denominators, and the groups' counts add up to the
    total's (asset time excepted: every fault-code group shares it, no engineer has it). With
    ``whole``, the same scope computed without a breakdown: a breakdown's total (made from its
    groups) has the same figures."""
    for key in KEYS:
        total = report.total[key]
        if whole is not None:
            same_figures(total, whole.total[key])
        for k in [total, *(g.kpis[key] for g in report.groups)]:
            if k.unit == "share" and k.value is not None:
                assert 0.0 <= k.value <= 1.0, (key, k)
            if k.numerator is not None and k.denominator:
                assert k.numerator <= k.denominator, (key, k)
        if key in ("availability", "mtbf_h") or report.breakdown is None:
            continue
        if total.unit in ("count", "currency"):
            summed = sum(g.kpis[key].value or 0 for g in report.groups)
            assert summed == pytest.approx(total.value), key
        if total.denominator is not None:
            assert sum(g.kpis[key].denominator or 0 for g in report.groups) == total.denominator
            assert sum(g.kpis[key].numerator or 0 for g in report.groups) == (total.numerator or 0)


def test_trend_gives_twelve_months_oldest_first(history: tuple[Session, History]) -> None:
    session, _ = history
    months = trend(session=session, until=parse_period("2026-12"), months=12, now=NOW)
    assert [m.period.label for m in months][-3:] == ["2026-10", "2026-11", "2026-12"]
    assert len(months) == 12
    assert [m.total["created"].value for m in months][-3:] == [1, 6, 0]
