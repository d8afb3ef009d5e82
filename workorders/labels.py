"""Work-order outcomes as training labels (the models layer's ``LabelSource``).

A resolution of ``confirmed_fault`` marks the asset unhealthy from a look-back before the
detection until the repair; ``false_alarm`` marks the windows that raised the alarm as healthy
ones the detector got wrong. ``no_fault_found`` says nothing certain and gives no label.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from models.labels import LabelKind, LabelWindow
from workorders.models import Asset, ResolutionCode, WorkOrder


@dataclass(frozen=True, slots=True)
class WorkOrderLabels:
    """``LabelSource`` over resolved work orders; opens its own session per call."""

    session_factory: sessionmaker[Session]
    # How far before the detection a confirmed fault is assumed to have been developing.
    fault_lookback: timedelta = timedelta(days=1)
    # The windows before a false alarm's detection that scored high (the pending windows).
    alarm_lookback: timedelta = timedelta(hours=1)

    def windows(
        self, *, asset_type: str | None, start: datetime, end: datetime
    ) -> list[LabelWindow]:
        query = (
            sa.select(WorkOrder, Asset)
            .join(Asset)
            .where(
                WorkOrder.resolution_code.in_(
                    [ResolutionCode.CONFIRMED_FAULT, ResolutionCode.FALSE_ALARM]
                ),
                WorkOrder.detected_at < end + self.fault_lookback,
            )
            .order_by(WorkOrder.detected_at)
        )
        if asset_type is not None:
            query = query.where(Asset.asset_type == asset_type)
        out: list[LabelWindow] = []
        with self.session_factory() as session:
            for wo, asset in session.execute(query):
                window = self._window(wo, asset)
                if window.end > start and window.start < end:
                    out.append(window)
        return out

    def _window(self, wo: WorkOrder, asset: Asset) -> LabelWindow:
        kind: LabelKind
        if wo.resolution_code is ResolutionCode.CONFIRMED_FAULT:
            kind = "confirmed_fault"
            begin = wo.detected_at - self.fault_lookback
            finish = max(wo.resolved_at or wo.updated_at, wo.detected_at)
        else:
            kind = "false_alarm"
            begin = wo.detected_at - self.alarm_lookback
            # Until the engineer's verdict the situation was the one reported: healthy.
            finish = max(wo.resolved_at or wo.detected_at, wo.detected_at)
        return LabelWindow(
            asset=asset.asset,
            start=begin,
            end=finish,
            kind=kind,
            asset_type=asset.asset_type,
            mode=wo.fault_code,
        )
