"""What the API needs to know about its deployment, built by ``vigil serve`` / ``vigil demo``.

The API does not read settings itself (``vigil`` sits above it in the layering), so the wiring
translates ``vigil.settings.Settings`` into this small frozen object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reports.scorecards.weights import Weights


@dataclass(frozen=True, slots=True)
class ApiConfig:
    # HMAC key for the dashboard's session cookie; at least 32 characters.
    session_secret: str
    data_dir: Path = Path("var")
    # Set the cookie's Secure flag; turn it off only for plain-HTTP local use (the demo).
    cookie_secure: bool = True
    session_max_age_s: int = 8 * 3600
    demo: bool = False
    # Upper bound on the points one chart query returns (the store downsamples to fit).
    max_chart_points: int = 2_000
    # How often the fleet index re-reads the latest telemetry and scores from the store.
    fleet_refresh_s: float = 5.0
    # How often gateway presence (Last Will, Sparkplug deaths) is re-read from the store.
    presence_refresh_s: float = 1.0
    # An asset with no reading for this long is shown as "no data".
    stale_after_s: float = 15 * 60.0
    # Who acts on a survey's outcome: calls after a 3, reviews and is escalated to below 3.
    survey_follow_up_person: str = "customer care"
    service_manager: str = "service manager"
    # The engineer scorecard's weights (VIGIL_SCORECARD_WEIGHTS), checked to sum to 100 %.
    scorecard_weights: Weights = field(default_factory=Weights)
    # Photos and signatures taken on site: where they are kept (default: <data_dir>/uploads)
    # and the largest file accepted.
    upload_dir: Path | None = None
    upload_max_bytes: int = 10 * 1024 * 1024
    # s3://bucket/prefix: an S3-compatible store instead of the directory (field/visits/s3store).
    upload_store: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None

    @property
    def uploads_root(self) -> Path:
        return self.upload_dir if self.upload_dir is not None else self.data_dir / "uploads"

    def __post_init__(self) -> None:
        if len(self.session_secret) < 32:
            raise ValueError("session_secret must be at least 32 characters of random data")
