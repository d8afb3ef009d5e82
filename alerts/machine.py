"""The alert state machine: one decision applied to the live alerts of its asset.

Per asset and fault code::

    (none) --anomalous--> pending --N anomalous in a row--> firing --M below lower--> resolved
                             \\--not anomalous--> cleared           \\ flapping: held firing

A firing alert opens, updates or reopens the asset's work order for that fault, unless a
silence covers it. Whatever happens is stored as a transition with its time and cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.orm import Session

from alerts import service
from alerts.models import Alert, AlertState, Suppression
from alerts.policy import AlertPolicy
from models.base import Decision
from workorders import from_alerts
from workorders.catalog import is_data_quality
from workorders.models import Kind

Key = tuple[str, str, str]


@dataclass
class Tally:
    """What one batch of decisions did (returned to the scoring job, logged, counted)."""

    decisions: int = 0
    cold_start: int = 0
    transitions: int = 0
    fired: int = 0
    resolved: int = 0
    cleared: int = 0
    created: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deduplicated: int = 0
    silenced: int = 0
    flapping_holds: int = 0


def key_of(alert: Alert) -> Key:
    return (alert.site, alert.asset, alert.fault_code)


@dataclass
class Machine:
    session: Session
    policy: AlertPolicy
    now: datetime
    # Live (pending or firing) alerts by asset and fault, loaded once for the batch.
    live: dict[Key, Alert]
    tally: Tally = field(default_factory=Tally)

    def apply(self, d: Decision) -> None:
        self.tally.decisions += 1
        if d.cold_start:
            # Warming up: neither evidence for nor against a fault.
            self.tally.cold_start += 1
            return
        dq = is_data_quality(d.fault_code)
        for key, other in list(self.live.items()):
            if key[:2] != (d.site, d.asset) or key[2] == d.fault_code or dq:
                continue
            # An equipment score speaks for every equipment fault of the asset. It also says the
            # window's data was good (the scorer does not score windows it flags), so it counts
            # as a clean window for the asset's data-quality alerts. A data-quality check speaks
            # only for its own code.
            if other.kind is Kind.EQUIPMENT:
                self._observe(other, d, same_code=False)
            else:
                clean = replace(
                    d,
                    fault_code=other.fault_code,
                    score=0.0,
                    threshold=other.threshold,
                    is_anomalous=False,
                    contributions={},
                )
                self._observe(other, clean, same_code=False)
        alert = self.live.get((d.site, d.asset, d.fault_code))
        if alert is not None:
            self._observe(alert, d, same_code=True)
        elif d.is_anomalous:
            self._start(d)

    def _record(self, alert: Alert, d: Decision, to: AlertState, cause: str) -> None:
        service.record(
            session=self.session, alert=alert, at=d.at, to=to, cause=cause, score=d.score
        )
        self.tally.transitions += 1

    def _start(self, d: Decision) -> None:
        alert = Alert(
            site=d.site,
            asset=d.asset,
            asset_type=d.asset_type,
            fault_code=d.fault_code,
            kind=Kind.DATA_QUALITY if is_data_quality(d.fault_code) else Kind.EQUIPMENT,
            started_at=d.at,
            above_count=1,
            below_count=0,
            detector=d.detector,
            model_version=d.model_version,
            threshold=d.threshold,
            last_score=d.score,
            peak_score=d.score,
            contributions=dict(d.contributions),
            flapping=False,
        )
        self.session.add(alert)
        self._record(
            alert, d, AlertState.PENDING, f"score {d.score:.3g} above threshold {d.threshold:.3g}"
        )
        self.live[key_of(alert)] = alert
        if self.policy.pending_windows <= 1 or d.fault_code in self.policy.immediate_codes:
            self._fire(alert, d)

    def _observe(self, alert: Alert, d: Decision, *, same_code: bool) -> None:
        alert.last_score = d.score
        alert.updated_at = d.at
        if same_code:
            alert.peak_score = max(alert.peak_score, d.score)
            alert.threshold = d.threshold
            if d.is_anomalous and d.contributions:
                alert.contributions = dict(d.contributions)
        if alert.state is AlertState.PENDING:
            if not d.is_anomalous:
                self._end(
                    alert,
                    d,
                    AlertState.CLEARED,
                    f"back below threshold after {alert.above_count} window(s)",
                )
                self.tally.cleared += 1
            elif same_code:
                alert.above_count += 1
                if alert.above_count >= self.policy.pending_windows:
                    self._fire(alert, d)
            return
        # Firing: hysteresis on the lower threshold.
        lower = d.threshold * self.policy.resolve_ratio
        if d.is_anomalous or d.score >= lower:
            alert.below_count = 0
            if same_code:
                self._keep_firing(alert, d)
            return
        alert.below_count += 1
        if alert.below_count < self.policy.resolve_windows:
            return
        fires = self._recent_fires(alert, d)
        if fires >= self.policy.flap_max_fires:
            alert.flapping = True
            if alert.below_count == self.policy.resolve_windows:  # once per resolve held back
                self._record(
                    alert,
                    d,
                    AlertState.FIRING,
                    f"flapping: {fires} firings within {self.policy.flap_window}; held firing",
                )
                self.tally.flapping_holds += 1
            return
        self._end(alert, d, AlertState.RESOLVED, f"{alert.below_count} window(s) below {lower:.3g}")
        alert.resolved_at = d.at
        self.tally.resolved += 1

    def _recent_fires(self, alert: Alert, d: Decision) -> int:
        return service.fires_within(
            session=self.session,
            site=alert.site,
            asset=alert.asset,
            fault_code=alert.fault_code,
            since=d.at - self.policy.flap_window,
        )

    def _end(self, alert: Alert, d: Decision, to: AlertState, cause: str) -> None:
        self._record(alert, d, to, cause)
        del self.live[key_of(alert)]

    def _fire(self, alert: Alert, d: Decision) -> None:
        alert.firing_at = d.at
        alert.below_count = 0
        self._record(
            alert, d, AlertState.FIRING, f"{alert.above_count} consecutive anomalous window(s)"
        )
        self.tally.fired += 1
        # Autoflush: the count includes the firing just recorded.
        alert.flapping = self._recent_fires(alert, d) >= self.policy.flap_max_fires
        self._link_work_order(alert, d)

    def _keep_firing(self, alert: Alert, d: Decision) -> None:
        if alert.work_order_id is None:
            # Opened as silenced: once the silence is over, the work order is due.
            self._link_work_order(alert, d)
            return
        opened = from_alerts.escalate(
            session=self.session, work_order_id=alert.work_order_id, decision=d, now=self.now
        )
        if opened is not None:
            self.tally.updated.append(opened.work_order.number)

    def _link_work_order(self, alert: Alert, d: Decision) -> None:
        silence = service.matching_silence(
            session=self.session,
            site=alert.site,
            asset=alert.asset,
            fault_code=alert.fault_code,
            at=d.at,
        )
        if silence is not None:
            if alert.suppressed is not Suppression.SILENCED:
                alert.suppressed = Suppression.SILENCED
                alert.silence_id = silence.id
                self._record(
                    alert,
                    d,
                    alert.state,
                    f"silenced until {silence.ends_at.isoformat()} by {silence.created_by}: {silence.reason}",
                )
                self.tally.silenced += 1
            return
        opened = from_alerts.open_for_alert(session=self.session, decision=d, now=self.now)
        alert.work_order_id = opened.work_order.id
        number = opened.work_order.number
        if opened.action in ("created", "reopened"):
            alert.suppressed = None
            getattr(self.tally, opened.action).append(number)
            cause = f"work order {number} {opened.action}"
        else:
            alert.suppressed = Suppression.FLAPPING if alert.flapping else Suppression.DEDUPLICATED
            self.tally.deduplicated += 1
            if opened.action == "updated":
                self.tally.updated.append(number)
            cause = f"{alert.suppressed.value}: work order {number} already open"
        self._record(alert, d, alert.state, cause)
