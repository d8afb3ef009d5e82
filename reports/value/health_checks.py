"""The quarterly health check the seeds promise VIP customers: one planned work order per VIP
site and quarter, carrying each asset's health over the quarter before from the scores the models
wrote to the telemetry store (``followup.health``). Never twice: a row per (site, quarter) with a
unique constraint, written in the same transaction as the work order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.assets import SITE_ASSET, list_assets
from customers.models import Customer, Site, Tier
from followup.health import HealthReader
from reports.value.models import VipHealthCheck
from workorders.requests.models import Category, Channel
from workorders.requests.service import RequestData, raise_request

FAULT_CODE = "vip_health_check"
LOOK_BACK = timedelta(days=91)


@dataclass(frozen=True, slots=True)
class Quarter:
    label: str  # 2026Q4
    start: datetime


def quarter_of(now: datetime) -> Quarter:
    now = now.astimezone(UTC)
    first_month = 3 * ((now.month - 1) // 3) + 1
    return Quarter(
        f"{now.year}Q{(now.month - 1) // 3 + 1}", datetime(now.year, first_month, 1, tzinfo=UTC)
    )


def site_summary(
    *, session: Session, site: Site, health: HealthReader, now: datetime
) -> list[dict[str, Any]]:
    """Per asset of the site: scored windows, how many were abnormal and the worst, last 91 days."""
    out = []
    for asset in list_assets(session=session, site_id=site.id):
        if asset.asset == SITE_ASSET:
            continue
        seen = health(site.code, asset.asset, now - LOOK_BACK, now)
        share = seen.abnormal_windows / seen.windows if seen.windows else None
        out.append(
            {
                "asset": asset.asset,
                "asset_type": asset.asset_type,
                "windows": seen.windows,
                "abnormal_windows": seen.abnormal_windows,
                "abnormal_share": None if share is None else round(share, 4),
                "worst": seen.as_evidence()["worst"],
            }
        )
    return out


def describe(quarter: str, summary: list[dict[str, Any]]) -> str:
    lines = [f"Quarterly VIP health check {quarter}: asset health over the last 91 days."]
    for item in summary:
        if not item["windows"]:
            lines.append(f"- {item['asset']} ({item['asset_type']}): no scored telemetry")
            continue
        worst = item["worst"]
        lines.append(
            f"- {item['asset']} ({item['asset_type']}): {item['abnormal_windows']} of "
            f"{item['windows']} windows abnormal ({100 * item['abnormal_share']:.1f} %), worst "
            f"score {worst['score']:.2f} against {worst['threshold']:.2f} at {worst['at']}"
        )
    if not summary:
        lines.append("- no assets registered at this site")
    return "\n".join(lines)


def run_quarter(
    *, session: Session, health: HealthReader, now: datetime, actor: str = "vigil scheduler"
) -> list[VipHealthCheck]:
    """Open this quarter's health check at every VIP site that has none yet."""
    quarter = quarter_of(now)
    done = set(session.scalars(sa.select(VipHealthCheck.site_id).filter_by(quarter=quarter.label)))
    sites = session.scalars(
        sa.select(Site)
        .join(Customer, Site.customer_id == Customer.id)
        .where(Customer.tier == Tier.VIP)
        .order_by(Site.id)
    )
    made = []
    for site in sites:
        if site.id in done:
            continue
        summary = site_summary(session=session, site=site, health=health, now=now)
        raised = raise_request(
            session=session,
            data=RequestData(
                channel=Channel.PREVENTIVE,
                category=Category.PREVENTIVE_MAINTENANCE,
                description=describe(quarter.label, summary),
                site_id=site.id,
                fault_code=FAULT_CODE,
            ),
            actor=actor,
            now=now,
        )
        row = VipHealthCheck(
            site_id=site.id,
            customer_id=site.customer_id,
            quarter=quarter.label,
            work_order_id=raised.work_order.id,
            summary=summary,
            created_at=now,
        )
        session.add(row)
        made.append(row)
    session.flush()
    return made
