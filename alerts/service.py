"""Alert services: silences, acknowledgement, reading, and the transition log."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from alerts.models import LIVE, Alert, AlertState, AlertTransition, Silence
from workorders.errors import InvalidInput, NotFound


def record(
    *,
    session: Session,
    alert: Alert,
    at: datetime,
    to: AlertState,
    cause: str,
    score: float | None = None,
) -> AlertTransition:
    """Store a transition (or, with ``to`` equal to the current state, an event such as an ack)."""
    transition = AlertTransition(
        alert=alert,
        at=at,
        # None for a new alert: its first transition is the one that creates it.
        from_state=alert.state,
        to_state=to,
        cause=cause[:500],
        score=score,
    )
    alert.state = to
    alert.updated_at = at
    session.add(transition)
    return transition


# --- silences -----------------------------------------------------------------------------------


def create_silence(
    *,
    session: Session,
    site: str,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    created_by: str,
    now: datetime,
    asset: str | None = None,
    fault_code: str | None = None,
) -> Silence:
    """A maintenance window for a site, one asset of it, and optionally one fault code."""
    if not site:
        raise InvalidInput("a silence needs a site")
    if not reason.strip() or not created_by.strip():
        raise InvalidInput("a silence needs a reason and who set it")
    if ends_at <= starts_at:
        raise InvalidInput("a silence must end after it starts")
    if ends_at <= now:
        raise InvalidInput("a silence must end in the future")
    silence = Silence(
        site=site,
        asset=asset or None,
        fault_code=fault_code or None,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        created_by=created_by.strip(),
        created_at=now,
    )
    session.add(silence)
    session.flush()
    return silence


def list_silences(*, session: Session, active_at: datetime | None = None) -> list[Silence]:
    query = sa.select(Silence).order_by(Silence.starts_at)
    if active_at is not None:
        query = query.where(Silence.starts_at <= active_at, Silence.ends_at > active_at)
    return list(session.scalars(query))


def end_silence(*, session: Session, silence_id: uuid.UUID, now: datetime) -> None:
    """End a silence now (a future one is deleted). Alerts it silenced keep their record."""
    silence = session.get(Silence, silence_id)
    if silence is None:
        raise NotFound(f"no silence {silence_id}")
    if silence.starts_at >= now:
        session.delete(silence)
    elif silence.ends_at > now:
        silence.ends_at = now
    session.flush()


def matching_silence(
    *, session: Session, site: str, asset: str, fault_code: str, at: datetime
) -> Silence | None:
    query = sa.select(Silence).where(
        Silence.site == site,
        Silence.starts_at <= at,
        Silence.ends_at > at,
        sa.or_(Silence.asset.is_(None), Silence.asset == asset),
        sa.or_(Silence.fault_code.is_(None), Silence.fault_code == fault_code),
    )
    return session.scalars(query.order_by(Silence.ends_at.desc())).first()


# --- alerts -------------------------------------------------------------------------------------


def get_alert(*, session: Session, alert_id: uuid.UUID) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    return alert


def list_alerts(
    *,
    session: Session,
    state: AlertState | None = None,
    live: bool = False,
    site: str | None = None,
    asset: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[Alert]:
    """Newest first. ``live`` keeps pending and firing ones only."""
    query = sa.select(Alert).order_by(Alert.started_at.desc(), Alert.id)
    if state is not None:
        query = query.where(Alert.state == state)
    if live:
        query = query.where(Alert.state.in_(LIVE))
    if site is not None:
        query = query.where(Alert.site == site)
    if asset is not None:
        query = query.where(Alert.asset == asset)
    if since is not None:
        query = query.where(Alert.updated_at >= since)
    return list(session.scalars(query.limit(max(1, min(limit, 1000)))))


def acknowledge(*, session: Session, alert_id: uuid.UUID, by: str, now: datetime) -> Alert:
    """Someone has seen it. Only a live alert can be acknowledged; acknowledging twice is a no-op."""
    if not by.strip():
        raise InvalidInput("say who acknowledges")
    alert = get_alert(session=session, alert_id=alert_id)
    if alert.state.value not in LIVE:
        raise InvalidInput(
            f"alert is {alert.state.value}; only pending or firing alerts can be acknowledged"
        )
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by = by.strip()
        record(session=session, alert=alert, at=now, to=alert.state, cause=f"acknowledged by {by}")
        session.flush()
    return alert


def fires_within(
    *, session: Session, site: str, asset: str, fault_code: str, since: datetime
) -> int:
    """How many times this asset and fault went to firing since ``since`` (flapping measure)."""
    query = (
        sa.select(sa.func.count())
        .select_from(AlertTransition)
        .join(Alert)
        .where(
            Alert.site == site,
            Alert.asset == asset,
            Alert.fault_code == fault_code,
            AlertTransition.to_state == AlertState.FIRING,
            AlertTransition.from_state == AlertState.PENDING,
            AlertTransition.at >= since,
        )
    )
    return int(session.scalar(query) or 0)
