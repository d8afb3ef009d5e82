"""What a customer was invoiced for a work order: the paid services of the customer value
(RFM) analysis. The amount comes from the invoicing system; a credit note is a negative amount."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from workorders.errors import InvalidInput
from workorders.models import WorkOrder
from workorders.service import apply_change, get_work_order

LIMIT = Decimal("9999999999.99")  # what NUMERIC(12, 2) holds


def record_billing(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    amount: Decimal,
    actor: str,
    now: datetime,
    expected_version: int | None = None,
) -> WorkOrder:
    """Set the invoiced amount (rounded to cents); audited and sent to the ticketing system."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if not amount.is_finite() or abs(amount) > LIMIT:
        raise InvalidInput(f"an invoiced amount is at most {LIMIT} either way, got {amount}")
    wo = get_work_order(session=session, ref=work_order_id)
    return apply_change(
        session=session,
        wo=wo,
        now=now,
        actor=actor,
        action="billing",
        event="work_order.updated",
        expected_version=expected_version,
        billed_amount=amount,
    )
