"""Ground truth of a scenario run: fault windows and data-quality episodes per asset (JSON).

The format is documented in docs/simulators.md; ``load_labels`` is what the models' evaluation
calls. Times are RFC 3339 UTC strings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from simulators.faults import FAULT_CODE_OF_MODE
from simulators.quality import QUALITY_CODE_OF_KIND
from simulators.scenario import Scenario
from simulators.timeutil import format_time, parse_time

LABELS_FORMAT = "vigil-simulator-labels/1"


@dataclass(frozen=True)
class FaultWindow:
    asset: str
    site: str
    asset_type: str
    mode: str
    fault_code: str  # the code of models.base.FAULT_CODES a detector should report
    onset: datetime
    failure_at: datetime
    severity: float


@dataclass(frozen=True)
class QualityEpisode:
    asset: str
    site: str
    asset_type: str
    kind: str
    fault_code: str
    start: datetime
    end: datetime
    metric: str | None


@dataclass(frozen=True)
class Labels:
    scenario: str
    seed: int
    start: datetime
    end: datetime
    reading_interval_s: float
    assets: dict[str, tuple[str, str]]  # asset -> (site, asset_type), every asset of the run
    faults: list[FaultWindow]
    data_quality: list[QualityEpisode]

    def faults_of(self, asset: str) -> list[FaultWindow]:
        return [f for f in self.faults if f.asset == asset]


def build_labels(
    scenario: Scenario, *, seed: int, start_s: float, end_s: float | None = None
) -> Labels:
    """Labels of a run of ``scenario`` from ``start_s``; events after ``end_s`` are left out."""
    end = start_s + scenario.duration_s if end_s is None else end_s
    assets = {a.id: (a.site, a.asset_type) for a in scenario.assets}
    faults = [
        FaultWindow(
            f.asset,
            assets[f.asset][0],
            assets[f.asset][1],
            f.mode,
            FAULT_CODE_OF_MODE[f.mode],
            _utc(start_s + f.onset_s),
            _utc(start_s + f.onset_s + f.time_to_failure_s),
            f.severity,
        )
        for f in scenario.faults
        if start_s + f.onset_s < end
    ]
    episodes = [
        QualityEpisode(
            q.asset,
            assets[q.asset][0],
            assets[q.asset][1],
            q.kind,
            QUALITY_CODE_OF_KIND[q.kind],
            _utc(start_s + q.start_s),
            _utc(min(start_s + q.start_s + q.duration_s, end)),
            q.metric,
        )
        for q in scenario.quality
        if start_s + q.start_s < end
    ]
    return Labels(
        scenario.name, seed, _utc(start_s), _utc(end), scenario.interval_s, assets, faults, episodes
    )


def _utc(epoch_s: float) -> datetime:
    return parse_time(format_time(epoch_s))


def labels_to_json(labels: Labels) -> bytes:
    def plain(item: Any) -> dict[str, Any]:
        return {
            k: format_time(v.timestamp()) if isinstance(v, datetime) else v
            for k, v in asdict(item).items()
        }

    document = {
        "format": LABELS_FORMAT,
        "scenario": labels.scenario,
        "seed": labels.seed,
        "start": format_time(labels.start.timestamp()),
        "end": format_time(labels.end.timestamp()),
        "reading_interval_s": labels.reading_interval_s,
        "assets": [{"asset": a, "site": s, "asset_type": t} for a, (s, t) in labels.assets.items()],
        "faults": [plain(f) for f in labels.faults],
        "data_quality": [plain(q) for q in labels.data_quality],
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def write_labels(labels: Labels, path: str | Path) -> None:
    Path(path).write_bytes(labels_to_json(labels))


class LabelsError(ValueError):
    """A labels file is not in the documented format."""


def load_labels(path: str | Path) -> Labels:
    """Read a labels file written by ``vigil simulate --labels-out``."""
    try:
        doc = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        raise LabelsError(f"labels {path}: {error}") from None
    if not isinstance(doc, dict) or doc.get("format") != LABELS_FORMAT:
        raise LabelsError(f"labels {path}: expected format {LABELS_FORMAT!r}")
    try:
        return Labels(
            scenario=doc["scenario"],
            seed=int(doc["seed"]),
            start=parse_time(doc["start"]),
            end=parse_time(doc["end"]),
            reading_interval_s=float(doc["reading_interval_s"]),
            assets={a["asset"]: (a["site"], a["asset_type"]) for a in doc["assets"]},
            faults=[
                FaultWindow(
                    **{
                        **f,
                        "onset": parse_time(f["onset"]),
                        "failure_at": parse_time(f["failure_at"]),
                    }
                )
                for f in doc["faults"]
            ],
            data_quality=[
                QualityEpisode(
                    **{**q, "start": parse_time(q["start"]), "end": parse_time(q["end"])}
                )
                for q in doc["data_quality"]
            ],
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LabelsError(f"labels {path}: malformed entry: {error}") from None
