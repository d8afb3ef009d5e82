"""Five customers with known RFM answers for November 2026 (window: the 24 months before).

=========  ==================================================  ==========  =====  ==============
customer   records                                             R (days)    F      M
=========  ==================================================  ==========  =====  ==============
Alpha      paid contract 2025-01-01..2027-12-31 of 108,000;     5 (0)       4 (7)  4 (74,942.47)
           6 paid services of 1,000 closed in 2026
Beta       a pump bought 2026-09-15 for 30,000                 5 (76)      2 (1)  3 (30,000.00)
Gamma      contract 2024-07-01..2025-06-30 of 10,000           2 (518)     2 (1)  2 (5,808.22)
Delta      a paid service of 800 on 2026-06-10, a credit       4 (173)     2 (1)  1 (600.00)
           note of -200 on 2026-07-01
Epsilon    nothing                                             1 (none)    1 (0)  1 (0.00)
=========  ==================================================  ==========  =====  ==============

Alpha's contract: 699 of its 1,095 days fall in the window (2024-12-01..2026-11-30), so
108,000 x 699 / 1,095 = 68,942.47, plus 6,000 of services. Gamma's: 212 of 365 days, 5,808.22.
Classes: Alpha high value (vip), Beta potential (standard), Gamma lost (basic), Delta ordinary
(standard), Epsilon lost (basic). Every customer starts as standard.

The scores are those of ``RULES``: the bands of a small service business, frequency 1, 3, 6, 12
and money 5,000, 20,000, 50,000, 100,000 (as ``VIGIL_RFM_FREQUENCY_BANDS`` and
``VIGIL_RFM_MONETARY_BANDS`` would set them), the scale these five customers were made for.
The default bands are checked on their own edges in ``test_rfm_rules``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from customers import assets, contracts, service, sites
from customers.models import ContractKind, Tier
from reports.value.rfm import RfmRules
from tests.workorders.dbkit import decision
from workorders import from_alerts
from workorders.models import Status

RULES = RfmRules(
    frequency_bands=(1, 3, 6, 12),
    monetary_bands=(Decimal(5_000), Decimal(20_000), Decimal(50_000), Decimal(100_000)),
)

ACTOR = "fixture (key 1, admin)"
CREATED = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Customers:
    alpha: int
    beta: int
    gamma: int
    delta: int
    epsilon: int


def _customer(session: Session, name: str, code: str) -> tuple[int, int]:
    row = service.create_customer(
        session=session, name=name, tier=Tier.STANDARD, actor=ACTOR, now=CREATED
    )
    site = sites.create_site(
        session=session,
        customer_id=row.id,
        data=sites.SiteData(code=code, timezone="Europe/Zurich", region="north"),
    )
    return row.id, site.id


def _asset(session: Session, site_id: int, name: str, **data: object) -> None:
    assets.create_asset(
        session=session,
        site_id=site_id,
        asset=name,
        asset_type="pump",
        data=assets.AssetData(**data),  # type: ignore[arg-type]
        now=CREATED,
    )


def _paid_service(session: Session, site: str, asset: str, closed: datetime, amount: str) -> None:
    wo = from_alerts.open_for_alert(
        session=session,
        decision=decision(site=site, asset=asset, at=closed, fault_code=f"f{closed:%m%d}"),
        now=closed,
    ).work_order
    wo.status, wo.resolved_at, wo.closed_at = Status.CLOSED, closed, closed
    wo.billable, wo.billed_amount = True, Decimal(amount)
    session.flush()


def _contract(
    session: Session, customer_id: int, number: str, starts: date, ends: date, value: int
) -> None:
    contracts.create_contract(
        session=session,
        customer_id=customer_id,
        data=contracts.ContractData(
            number=number,
            kind=ContractKind.PAID,
            starts_on=starts,
            ends_on=ends,
            value=Decimal(value),
        ),
        now=CREATED,
    )


def build(session: Session) -> Customers:
    alpha, alpha_site = _customer(session, "Alpha", "alpha-plant")
    _asset(session, alpha_site, "pump-a")
    _contract(session, alpha, "C-ALPHA", date(2025, 1, 1), date(2027, 12, 31), 108_000)
    for month in range(1, 7):
        _paid_service(
            session, "alpha-plant", "pump-a", datetime(2026, month, 5, tzinfo=UTC), "1000"
        )
    beta, beta_site = _customer(session, "Beta", "beta-plant")
    _asset(
        session,
        beta_site,
        "pump-b",
        purchased_on=date(2026, 9, 15),
        purchase_value=Decimal(30_000),
    )
    gamma, _ = _customer(session, "Gamma", "gamma-plant")
    _contract(session, gamma, "C-GAMMA", date(2024, 7, 1), date(2025, 6, 30), 10_000)
    delta, delta_site = _customer(session, "Delta", "delta-plant")
    _asset(session, delta_site, "pump-d")
    _paid_service(session, "delta-plant", "pump-d", datetime(2026, 6, 10, 9, tzinfo=UTC), "800")
    _paid_service(session, "delta-plant", "pump-d", datetime(2026, 7, 1, 9, tzinfo=UTC), "-200")
    epsilon, _ = _customer(session, "Epsilon", "epsilon-plant")
    return Customers(alpha, beta, gamma, delta, epsilon)
