"""The dispatch scorer on plain dataclasses: filters, ranking, reasons, determinism."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from field.dispatch import Absence, Candidate, Level, Skill, Weights, rank
from tests.field.fixtures import (
    GRENOBLE,
    LYON,
    NOW,
    VILLEURBANNE,
    engineer,
    job,
    team,
    with_cert,
)


def ids(ranking_suggestions: object) -> list[int]:
    return [s.engineer_id for s in ranking_suggestions]  # type: ignore[attr-defined]


def test_the_qualified_nearest_engineer_with_room_comes_first_and_says_why() -> None:
    ranking = rank(job=job(), candidates=team(), now=NOW)
    assert ids(ranking.suggestions) == [1, 6, 5]
    best = ranking.suggestions[0]
    assert best.name == "Near Nadia"
    reasons = {p.name: p.reason for p in best.parts}
    assert reasons["travel"] == "4.3 km from home base, about 5 min"
    assert reasons["skill"] == "skill pump / any fault level 2 of 3"
    assert reasons["load"] == "open jobs 1 of 4"
    assert "of SLA slack left on arrival (on shift now)" in reasons["slack"]
    assert all(0.0 <= p.value <= 1.0 for p in best.parts)
    assert best.score == round(sum(p.value * p.weight for p in best.parts), 6)
    excluded = {x.engineer_id: x.reasons for x in ranking.excluded}
    assert excluded[3] == ("no skill for pump / mechanical",)
    assert excluded[4] == ("on leave (annual leave) until 2026-03-06 08:00 UTC",)
    assert excluded[2] == ("at capacity: open jobs 4 of 4",)
    assert ranking.no_candidate is None


def test_nobody_eligible_is_said_plainly_never_everyone() -> None:
    only_unfit = [c for c in team() if c.id in (2, 3, 4)]
    ranking = rank(job=job(), candidates=only_unfit, now=NOW)
    assert ranking.suggestions == ()
    assert ranking.no_candidate == "no candidate: none of the 3 engineers qualifies"
    assert sorted(x.engineer_id for x in ranking.excluded) == [2, 3, 4]
    assert rank(job=job(), candidates=[], now=NOW).no_candidate == (
        "no candidate: no engineer is registered"
    )


def test_ties_go_to_the_lower_id_whatever_the_input_order() -> None:
    twins = [engineer(9, "Twin B", base=VILLEURBANNE), engineer(7, "Twin A", base=VILLEURBANNE)]
    first = rank(job=job(), candidates=twins, now=NOW)
    assert first.suggestions[0].score == first.suggestions[1].score
    assert ids(first.suggestions) == [7, 9]
    assert ids(rank(job=job(), candidates=twins[::-1], now=NOW).suggestions) == [7, 9]


def test_negative_slack_ranks_last_and_says_late() -> None:
    soon = job(on_site_by=NOW + timedelta(minutes=30))
    ranking = rank(job=soon, candidates=team(), now=NOW)
    far = next(s for s in ranking.suggestions if s.engineer_id == 5)
    assert far.slack is not None
    assert far.slack < timedelta(0)
    slack = next(p for p in far.parts if p.name == "slack")
    assert slack.value == 0.0
    assert slack.reason.startswith("would arrive 1 h ")
    assert "after the on-site deadline" in slack.reason
    assert ids(ranking.suggestions)[0] == 1
    assert ids(ranking.suggestions)[-1] == 5


def test_missing_locations_count_as_no_travel_part_and_are_noted() -> None:
    nowhere = rank(job=job(site=None), candidates=team(), now=NOW)
    assert nowhere.notes == ("the site has no coordinates: travel is not counted for anyone",)
    for suggestion in nowhere.suggestions:
        travel = next(p for p in suggestion.parts if p.name == "travel")
        assert (travel.value, travel.reason) == (0.0, "site location unknown")
        assert suggestion.arrival is None
        assert suggestion.distance_km is None
    # Same parts for the three qualified ones: the ids decide.
    assert ids(nowhere.suggestions) == [1, 5, 6]

    homeless = engineer(8, "No-base Noé", base=None)
    ranking = rank(job=job(), candidates=[homeless, engineer(9, "Far", base=GRENOBLE)], now=NOW)
    assert ids(ranking.suggestions) == [9, 8]
    travel = next(p for p in ranking.suggestions[1].parts if p.name == "travel")
    assert travel.reason == "engineer has no known location"


def test_current_job_site_replaces_the_base() -> None:
    at_job = engineer(5, "Far Fabien", base=GRENOBLE, position=LYON, position_label="job WO-1")
    ranking = rank(
        job=job(), candidates=[at_job, engineer(1, "Near Nadia", base=VILLEURBANNE)], now=NOW
    )
    assert ids(ranking.suggestions) == [5, 1]
    travel = next(p for p in ranking.suggestions[0].parts if p.name == "travel")
    assert travel.reason.startswith("0.0 km from job WO-1")


def test_off_shift_until_after_the_deadline_is_excluded_but_a_later_shift_is_waited_for() -> None:
    saturday = NOW + timedelta(days=5)
    ranking = rank(
        job=job(on_site_by=saturday + timedelta(hours=8)), candidates=team(), now=saturday
    )
    assert ranking.suggestions == ()
    assert all(
        r.startswith("not on shift before the on-site deadline")
        for x in ranking.excluded
        if x.engineer_id in (1, 5, 6)
        for r in x.reasons
    )
    # Saturday morning, deadline Monday noon: they start Monday 08:00 local and still make it.
    monday = rank(
        job=job(on_site_by=NOW + timedelta(days=7, hours=3)), candidates=team(), now=saturday
    )
    # Léo is back from leave by then, and lives next to the site.
    assert ids(monday.suggestions) == [4, 1, 6, 5]
    assert monday.suggestions[0].available_from == NOW + timedelta(days=7, hours=-1)
    slack = next(p for p in monday.suggestions[0].parts if p.name == "slack")
    assert "on shift from 2026-03-09 07:00 UTC" in slack.reason


def test_leave_ahead_that_covers_the_deadline_is_named() -> None:
    away = engineer(
        1,
        "Near Nadia",
        base=VILLEURBANNE,
        absences=(Absence(NOW + timedelta(hours=10), NOW + timedelta(days=2), "training"),),
    )
    evening = NOW + timedelta(hours=9)  # after her shift: she would have to come tomorrow
    ranking = rank(
        job=job(on_site_by=NOW + timedelta(days=1, hours=3)), candidates=[away], now=evening
    )
    assert ranking.suggestions == ()
    assert "on leave (training) from 2026-03-02 18:00 UTC" in ranking.excluded[0].reasons[0]


def test_skill_level_engineer_level_and_certifications_are_hard_filters() -> None:
    strict = job(min_skill_level=3, min_level=Level.senior, certifications=("pressure vessels",))
    nadia = engineer(1, "Near Nadia", base=VILLEURBANNE)
    expired = with_cert(
        engineer(2, "Expert Eve", level=Level.senior, skills=(Skill("pump", "mechanical", 3),)),
        "pressure vessels",
        date(2026, 1, 31),
    )
    valid = replace(
        expired,
        id=3,
        name="Valid Val",
        certifications=with_cert(expired, "pressure vessels", None).certifications,
    )
    ranking = rank(job=strict, candidates=[nadia, expired, valid], now=NOW)
    assert ids(ranking.suggestions) == [3]
    excluded = {x.engineer_id: x.reasons for x in ranking.excluded}
    assert excluded[1] == (
        "skill level 2 for pump is below the 3 required",
        "level mid is below the senior required",
        "no pressure vessels certification",
    )
    assert excluded[2] == ("pressure vessels certification expired on 2026-01-31",)
    skill = next(p for p in ranking.suggestions[0].parts if p.name == "skill")
    assert skill.reason == "skill pump / mechanical level 3 of 3"


def test_weights_change_the_order_they_state() -> None:
    # Load only: the far engineer with no open job beats the near one with three.
    near_busy = engineer(1, "Near", base=VILLEURBANNE, open_jobs=3)
    far_free = engineer(2, "Far", base=GRENOBLE, open_jobs=0)
    only_load = Weights(skill=0, travel=0, load=1, slack=0)
    assert ids(rank(job=job(), candidates=[near_busy, far_free], now=NOW).suggestions) == [1, 2]
    assert ids(
        rank(job=job(), candidates=[near_busy, far_free], now=NOW, weights=only_load).suggestions
    ) == [2, 1]


engineers = st.builds(
    lambda i, lat, lon, skill, leave, load: engineer(
        i,
        f"E{i}",
        base=replace(LYON, latitude=lat, longitude=lon),
        skills=(Skill(skill, None, 2),),
        absences=(Absence(NOW - timedelta(hours=1), NOW + timedelta(hours=1), "sick"),)
        if leave
        else (),
        open_jobs=load,
    ),
    st.integers(1, 10_000),
    st.floats(44.0, 47.0),
    st.floats(3.0, 7.0),
    st.sampled_from(["pump", "chiller"]),
    st.booleans(),
    st.integers(0, 5),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(engineers, max_size=12, unique_by=lambda c: c.id), st.randoms())
def test_never_suggests_the_unskilled_on_leave_or_full_and_order_is_stable(
    team_: list[Candidate],
    shuffle: random.Random,
) -> None:
    ranking = rank(job=job(), candidates=team_, now=NOW)
    for s in ranking.suggestions:
        c = next(c for c in team_ if c.id == s.engineer_id)
        assert c.skills[0].asset_type == "pump"
        assert not c.absences
        assert c.open_jobs < c.max_open_jobs
    assert len(ranking.suggestions) + len(ranking.excluded) == len(team_)
    keys = [(-s.score, s.engineer_id) for s in ranking.suggestions]
    assert keys == sorted(keys)
    shuffled = list(team_)
    shuffle.shuffle(shuffled)
    assert rank(job=job(), candidates=shuffled, now=NOW) == ranking
    if not ranking.suggestions:
        assert ranking.no_candidate is not None
        assert ranking.no_candidate.startswith("no candidate")
