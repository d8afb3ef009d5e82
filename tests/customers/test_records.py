"""Customer records on SQLite and PostgreSQL: tiers with history, sites, contracts, assets."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from customers import assets, contracts, service, sites
from customers.errors import Conflict, InvalidInput, NotFound
from customers.models import ContractKind, Tier, TierSource
from tests.customers.builders import ACTOR, build_org
from tests.workorders.dbkit import T0, Db, decision
from workorders import from_alerts
from workorders.assets import ensure_asset
from workorders.models import document


def test_tier_changes_keep_who_when_and_why(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        service.set_tier(
            session=session,
            customer_id=org.beta,
            tier=Tier.BASIC,
            actor="rfm job",
            now=T0 + timedelta(days=1),
            source=TierSource.VALUE_ANALYSIS,
            reason="low value",
        )
        service.set_tier(
            session=session,
            customer_id=org.beta,
            tier=Tier.VIP,
            actor=ACTOR,
            now=T0 + timedelta(days=2),
        )
        history = service.tier_history(session=session, customer_id=org.beta)
        assert [(h.previous, h.tier, h.source, h.set_by) for h in history] == [
            (None, Tier.STANDARD, TierSource.MANUAL, ACTOR),
            (Tier.STANDARD, Tier.BASIC, TierSource.VALUE_ANALYSIS, "rfm job"),
            (Tier.BASIC, Tier.VIP, TierSource.MANUAL, ACTOR),
        ]
        customer = service.get_customer(session=session, customer_id=org.beta)
        assert (customer.tier, customer.tier_set_at) == (Tier.VIP, T0 + timedelta(days=2))
        with pytest.raises(Conflict):
            service.create_customer(session=session, name="Beta Foods", actor=ACTOR, now=T0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "IANA"),
        ({"timezone": "../../etc/localtime"}, "IANA"),
        ({"latitude": 91.0, "longitude": 8.0}, "latitude"),
        ({"latitude": 47.0, "longitude": None}, "both"),
        ({"latitude": 47.0, "longitude": float("nan")}, "longitude"),
        ({"business_hours": {"mon": [["17:00", "08:00"]]}}, "ends before"),
        ({"business_hours": {"mon": [["08:00", "12:00"], ["11:00", "13:00"]]}}, "overlap"),
        ({"business_hours": {"monday": []}}, "weekday"),
        ({"code": "plant/a"}, "letters"),
    ],
)
def test_bad_sites_are_refused_with_the_reason(
    db: Db, change: dict[str, object], message: str
) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        data = sites.SiteData(code="plant-c", timezone="Europe/Berlin")
        for name, value in change.items():
            setattr(data, name, value)
        with pytest.raises(InvalidInput, match=message):
            sites.create_site(session=session, customer_id=org.beta, data=data)


def test_a_new_site_record_adopts_assets_seen_before_and_after(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        early = ensure_asset(
            session=session, site="plant-x", asset="m-1", asset_type="motor", now=T0
        )
        assert early.site_id is None
        assert early.tier is Tier.STANDARD
        site = sites.create_site(
            session=session,
            customer_id=org.acme,
            data=sites.SiteData(code="plant-x", timezone="UTC"),
        )
        late = ensure_asset(
            session=session, site="plant-x", asset="m-2", asset_type="motor", now=T0
        )
        for asset in (early, late):
            assert (asset.site_id, asset.customer, asset.tier) == (site.id, "ACME Water", Tier.VIP)


def test_holidays_are_one_per_day_and_can_be_switched_off(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        sites.set_holiday(
            session=session, site_id=org.plant_a, day=date(2026, 8, 1), name="Swiss National Day"
        )
        sites.set_holiday(
            session=session,
            site_id=org.plant_a,
            day=date(2026, 8, 1),
            name="National Day",
            active=False,
        )
        site = sites.get_site(session=session, site_id=org.plant_a)
        session.refresh(site)
        assert [(h.day, h.name, h.active) for h in site.holidays] == [
            (date(2026, 8, 1), "National Day", False)
        ]


def test_cover_prefers_warranty_and_names_why_work_is_billable(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        pump_1 = assets.get_asset(session=session, asset_id=org.pump_1)
        pump_2 = assets.get_asset(session=session, asset_id=org.pump_2)
        fan_9 = assets.get_asset(session=session, asset_id=org.fan_9)
        day = T0.date()
        assert contracts.cover(session=session, asset=pump_1, on=day).contract == "W-1"
        assert contracts.cover(session=session, asset=pump_2, on=day).kind is ContractKind.PAID
        excluded = contracts.cover(session=session, asset=pump_2, on=day, category="consultation")
        assert excluded.billable
        assert "excluded by contract(s) SC-1" in excluded.reason
        # the warranty has no exclusions: it still covers pump-1's consultation
        assert not contracts.cover(
            session=session, asset=pump_1, on=day, category="consultation"
        ).billable
        assert contracts.cover(session=session, asset=pump_2, on=date(2027, 1, 1)).billable
        none = contracts.cover(session=session, asset=fan_9, on=day)
        assert none.billable
        assert "no warranty or contract" in none.reason


def test_serial_numbers_are_unique_and_scoping_hides_other_customers(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        with pytest.raises(Conflict, match="SN-1"):
            assets.update_asset(
                session=session, asset_id=org.fan_9, data=assets.AssetData(serial_number="SN-1")
            )
        with pytest.raises(NotFound):
            assets.get_asset(session=session, asset_id=org.fan_9, customer_id=org.acme)
        with pytest.raises(NotFound):
            sites.get_site(session=session, site_id=org.plant_b, customer_id=org.acme)
        assert [a.asset for a in assets.list_assets(session=session, customer_id=org.beta)] == [
            "fan-9"
        ]


def test_work_orders_take_the_tier_from_the_customer_record(db: Db) -> None:
    with db.factory() as session:
        build_org(session, now=T0)
        # pump-1 belongs to ACME (vip): urgent x vip responds within 1 h, not standard's 2 h
        opened = from_alerts.open_for_alert(
            session=session,
            decision=decision(
                asset="pump-1", site="plant-a", predicted_failure_at=T0 + timedelta(hours=5)
            ),
            now=T0,
        )
        wo = opened.work_order
        assert wo.respond_by == T0 + timedelta(hours=1)
        doc = document(wo)
        assert (doc.asset.customer, doc.asset.customer_tier) == ("ACME Water", Tier.VIP)
        assert doc.asset.serial_number == "SN-1"
        assert doc.origin.channel == "alert"
        assert not wo.billable
        assert "W-1" in (wo.billable_reason or "")
        assert wo.channels == ["alert"]
        assert wo.classification


def test_a_long_import_reports_progress_and_a_late_bad_line_stops_it_all(db: Db) -> None:
    from customers.importing import ImportRefused, import_assets

    header = "site,asset,asset_type,serial_number\n"
    good = "".join(f"plant-a,p-{i},pump,S-{i}\n" for i in range(300))
    seen: list[tuple[int, int]] = []
    with db.factory() as session:
        build_org(session, now=T0)
        session.commit()
        done = import_assets(
            session=session, text=header + good, now=T0, progress=lambda n, t: seen.append((n, t))
        )
        assert (done.created, len(seen), seen[-1]) == (300, 300, (300, 300))
        session.rollback()
        with pytest.raises(ImportRefused) as refused:
            import_assets(session=session, text=header + good + "plant-a,p-x,pump,S-0\n", now=T0)
        session.rollback()
        assert [e.line for e in refused.value.errors] == [302]
        assert assets.find_asset(session=session, asset="p-1") is None
