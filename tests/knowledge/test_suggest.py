"""Suggested fixes for a work order, and articles written from resolutions that the next
engineer on the same fault is shown."""

from __future__ import annotations

from datetime import timedelta

import pytest

from knowledge import service
from knowledge.models import ArticleStatus, UseKind
from tests.knowledge.corpus import NOW, load
from tests.workorders.dbkit import Db, decision
from workorders import from_alerts
from workorders import service as workorders
from workorders.models import ResolutionCode


def test_suggestion_ranks_by_fault_code_asset_type_metrics_and_words(db: Db) -> None:
    with db.factory() as session:
        load(session)
        wo = from_alerts.open_for_alert(
            session=session,
            decision=decision(contributions={"vibration_rms": 0.8, "bearing_temperature": 0.3}),
            now=NOW,
        ).work_order
        suggested = service.suggest_for_work_order(session=session, work_order=wo)
    titles = [s.article.title for s in suggested]
    assert titles[0] == "Pump bearing wear"
    assert suggested[0].reasons[:4] == [
        "fault code mechanical",
        "asset type pump",
        "metric bearing_temperature",
        "metric vibration_rms",
    ]
    # Same fault on another asset type and a draft on the same type follow; unrelated ones don't.
    assert set(titles[1:3]) == {"Motor bearing noise", "Draft: pump impeller wear"}
    assert "draft, not yet reviewed" in suggested[titles.index("Draft: pump impeller wear")].reasons
    assert "Elevator door fault E-42" not in titles


def test_nothing_known_suggests_nothing(db: Db) -> None:
    with db.factory() as session:
        load(session)
        assert service.suggest(session=session, fault_code="x", asset_type="crane") == []


def test_an_article_drafted_from_a_resolution_is_suggested_for_the_same_fault(db: Db) -> None:
    with db.factory() as session:
        load(session)
        first = from_alerts.open_for_alert(
            session=session, decision=decision(asset="pump-1", fault_code="hydraulic"), now=NOW
        ).work_order
        with pytest.raises(service.CannotDraft, match="no resolution notes"):
            service.draft_from_work_order(
                session=session, work_order=first, author="eng-ana", now=NOW
            )
        workorders.record_resolution(
            session=session,
            work_order_id=first.id,
            code=ResolutionCode.CONFIRMED_FAULT,
            no_acceptance_reason="customer not on site (test)",
            expected_version=None,
            actor="eng-ana",
            now=NOW + timedelta(hours=3),
            notes="Cavitation at the inlet: cleaned the suction strainer\n- Checked NPSH margin",
            parts_used=["Strainer gasket G-12"],
        )
        article, new = service.draft_from_work_order(
            session=session, work_order=first, author="eng-ana", now=NOW + timedelta(hours=4)
        )
        again, new_again = service.draft_from_work_order(
            session=session, work_order=first, author="eng-ana", now=NOW + timedelta(hours=5)
        )
        assert (new, new_again, again.id) == (True, False, article.id)
        assert article.status == ArticleStatus.DRAFT.value
        assert article.fix_steps == [
            "Cavitation at the inlet: cleaned the suction strainer",
            "Checked NPSH margin",
        ]
        assert article.parts == ["Strainer gasket G-12"]
        assert article.source_work_order_id == first.id

        later = from_alerts.open_for_alert(
            session=session,
            decision=decision(asset="pump-7", fault_code="hydraulic", at=NOW + timedelta(days=9)),
            now=NOW + timedelta(days=9),
        ).work_order
        suggested = service.suggest_for_work_order(session=session, work_order=later)
        assert suggested[0].article.id == article.id
        assert "fault code hydraulic" in suggested[0].reasons
        # Searchable by the words of the resolution too.
        assert [a.id for a, _ in service.search(session=session, query="strainer")] == [article.id]


def test_who_wrote_and_who_used_articles_is_counted(db: Db) -> None:
    with db.factory() as session:
        ids = load(session)
        wo = from_alerts.open_for_alert(session=session, decision=decision(), now=NOW).work_order
        for actor, kind in [
            ("eng-bo", UseKind.APPLIED),
            ("eng-bo", UseKind.VIEWED),
            ("kb-tests", UseKind.APPLIED),
        ]:
            service.record_use(
                session=session,
                article_id=ids["Pump bearing wear"],
                actor=actor,
                kind=kind,
                now=NOW + timedelta(hours=1),
                work_order_id=wo.id,
            )
        with pytest.raises(service.NotFound):
            service.record_use(
                session=session, article_id=10**6, actor="x", kind=UseKind.VIEWED, now=NOW
            )
        counted = service.contributions(
            session=session, since=NOW - timedelta(days=1), until=NOW + timedelta(days=1)
        )
    by_actor = {c.actor: c for c in counted}
    # 10 of the 11 corpus articles count (the archived one does not).
    assert (by_actor["kb-tests"].written, by_actor["kb-tests"].used) == (10, 1)
    assert by_actor["kb-tests"].used_by_others == 2
    assert (by_actor["eng-bo"].written, by_actor["eng-bo"].used) == (0, 1)
