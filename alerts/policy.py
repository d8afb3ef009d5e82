"""How many windows make an alert, and what counts as flapping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    # Pending becomes firing after this many consecutive anomalous windows.
    pending_windows: int = 3
    # Firing resolves after this many consecutive windows below the lower threshold ...
    resolve_windows: int = 3
    # ... which is the decision's threshold times this ratio (hysteresis: no flip-flop at the edge).
    resolve_ratio: float = 0.8
    # This many firings of one asset and fault within flap_window make it flapping: the alert is
    # held firing (no resolve) until the firings age out of the window.
    flap_max_fires: int = 3
    flap_window: timedelta = timedelta(hours=1)
    # Codes whose check already waited before saying so, and says it once (edge-triggered):
    # the scorer reports a gateway offline after several windows without a reading, and then
    # has no further windows to report. These fire on their first decision.
    immediate_codes: frozenset[str] = frozenset({"dq_gateway_offline"})

    def __post_init__(self) -> None:
        if self.pending_windows < 1 or self.resolve_windows < 1:
            raise ValueError("pending_windows and resolve_windows must be at least 1")
        if not 0 < self.resolve_ratio <= 1:
            raise ValueError("resolve_ratio must be in (0, 1]")
        if self.flap_max_fires < 2:
            raise ValueError("flap_max_fires must be at least 2")
