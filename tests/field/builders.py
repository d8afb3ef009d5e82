"""Builders of engineers, sites and work orders in a real database for the field tests."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from field import flows, service
from field.flows import Scoring
from field.geo import GeoPoint
from field.models import Dispatch, Engineer
from field.schemas import EngineerCreate
from field.sites import SiteInfo
from tests.field.fixtures import GRENOBLE, LYON, NOW, VIENNE, VILLEURBANNE
from tests.workorders.dbkit import decision
from workorders import from_alerts
from workorders.models import WorkOrder

SITES = {"lyon-plant": LYON, "grenoble-plant": GRENOBLE, "nowhere": None}
BASES = {"villeurbanne": VILLEURBANNE, "vienne": VIENNE, "grenoble": GRENOBLE, "lyon": LYON}


def locate(session: Session, wo: WorkOrder) -> SiteInfo:
    return SiteInfo(label=wo.asset.site, location=SITES.get(wo.asset.site))


SCORING = Scoring(locate=locate)


def make_engineer(
    session: Session,
    code: str,
    *,
    base: str | None = "vienne",
    skills: list[tuple[str, str, int]] | None = None,
    **fields: Any,
) -> Engineer:
    point: GeoPoint | None = BASES[base] if base else None
    data = EngineerCreate.model_validate(
        {
            "code": code,
            "name": fields.pop("name", code.title()),
            "level": fields.pop("level", "mid"),
            "time_zone": "Europe/Paris",
            "base": {"label": base, "latitude": point.latitude, "longitude": point.longitude}
            if point
            else None,
            "skills": [
                {"asset_type": a, "fault_code": f, "level": lvl}
                for a, f, lvl in (skills if skills is not None else [("pump", "*", 2)])
            ],
            **fields,
        }
    )
    return service.create_engineer(session=session, data=data, now=NOW)


def open_work_order(
    session: Session, *, site: str = "lyon-plant", asset: str | None = None, at: datetime = NOW
) -> WorkOrder:
    name = asset or f"pump-{uuid.uuid4().hex[:6]}"
    return from_alerts.open_for_alert(
        session=session, decision=decision(site=site, asset=name, at=at), now=at
    ).work_order


def send(
    session: Session,
    wo: WorkOrder,
    engineer: Engineer,
    *,
    actor: str = "d",
    reason: str | None = None,
) -> Dispatch:
    """Dispatch by hand at NOW, the sites placed as in SITES."""
    return flows.dispatch(
        session=session,
        work_order_id=wo.id,
        engineer_id=engineer.id,
        actor=actor,
        now=NOW,
        reason=reason,
        scoring=SCORING,
    )


def soon(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)
