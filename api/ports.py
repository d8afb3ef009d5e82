"""What the API reads from parts wired in by ``vigil`` (kept as protocols so the API does not
depend on how they are built)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ingest.quarantine import Quarantine

# The API only reads the quarantine (list, counts); the collector writes it.
QuarantineReader = Quarantine

# A readiness probe returns normally when its component is reachable and raises otherwise.
Probe = Callable[[], object]
# Live figures of the collector, e.g. {"readings_per_s": 812.0, "ingest_lag_s": 0.4,
# "spool_bytes": 0}; and of the scoring job, e.g. {"scoring_duration_s": 0.8}.
StatsSource = Callable[[], Mapping[str, float]]
