"""A trained model for one asset type: which features, the detector, its threshold, the
degradation trend and the per-asset baselines it was trained with.

``TypeModel.assess`` turns normalised feature windows into scores and alarm flags in one
vectorised pass; the scoring job and the evaluation both go through it, so they decide alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pandas as pd

from models import detectors
from models.alarm_levels import AlarmLevels

# The hyperparameters live in ``models.config``; importing them from here keeps working.
from models.config import SHIPPED_LEAD_CALIBRATION as SHIPPED_LEAD_CALIBRATION
from models.config import ModelConfig as ModelConfig
from models.context import OperatingContext, condition_columns
from models.crossfit import fit_context, out_of_fold_scores
from models.detectors import SavableDetector
from models.detectors.trend import DegradationTrend
from models.features import AMBIENT, CONDITIONS, SEP, Baselines, metric_of
from models.rul import live
from models.rul import storage as rul_storage
from models.rul.model import RulModel
from models.rul.trend import trend_failure
from models.smoothing import SLOW, add_slow
from models.thresholds import Threshold, fault_code, top_contributions

# Working-rows features are kept when at least this share of the healthy training windows has
# some work in them.
MIN_WORKING_SHARE = 0.5


def model_columns(columns: pd.Index | list[str]) -> list[str]:
    """Feature columns a detector may use: not counters (monotonic), not the ambient itself
    (weather is not a fault; the rise over ambient is kept), not operating conditions."""
    excluded = {AMBIENT, *CONDITIONS}
    return [c for c in columns if not c.endswith(f"{SEP}last") and metric_of(c) not in excluded]


@dataclass
class TypeModel:
    asset_type: str
    config: ModelConfig
    columns: list[str]
    detector: SavableDetector
    threshold: Threshold
    trend: DegradationTrend
    trend_threshold: Threshold
    baselines: Baselines
    # Raised by false alarms reported on work orders (``models.alarm_levels``).
    levels: AlarmLevels = field(default_factory=AlarmLevels)
    context: OperatingContext = field(default_factory=OperatingContext)
    # Learned from confirmed failures (``models.rul.outcomes``); None until there are enough.
    rul: RulModel | None = None

    def frame(self, z: pd.DataFrame, clock: pd.DataFrame | None = None) -> pd.DataFrame:
        """The detector's input from normalised windows (conditions included): the health
        features, as residuals of what the operating conditions explain. ``clock``: each
        window's local time (``models.context.local_clock``; UTC without)."""
        if clock is not None:
            clock = clock.reindex(z.index)
        return self.context.residuals(z, clock).reindex(columns=self.columns)

    def fault_codes(
        self, frame: pd.DataFrame, score: np.ndarray, trend_score: np.ndarray
    ) -> list[str]:
        """The fault code of each row (model columns): the contributions of whichever detector
        is further above its own threshold, as the scoring job reports them."""
        if frame.empty:
            return []
        by_trend = self._ratio(trend_score, self.trend_threshold) > self._ratio(
            score, self.threshold
        )
        main = top_contributions(self.detector.explain(frame))
        trend = top_contributions(self.trend.explain(frame))
        return [
            fault_code(t if use else m) for m, t, use in zip(main, trend, by_trend, strict=True)
        ]

    def over(self, frame: pd.DataFrame, score: np.ndarray, trend_score: np.ndarray) -> np.ndarray:
        """Which rows (indexed by asset, model columns) are over their alarm level: either
        threshold, times the level false alarms raised for the row's asset and fault code."""
        over: np.ndarray = self.threshold.exceeded(score) | self.trend_threshold.exceeded(
            trend_score
        )
        if not self.levels:
            return over
        rows = np.flatnonzero(over)
        if len(rows):
            sub = frame.iloc[rows]
            codes = self.fault_codes(sub, score[rows], trend_score[rows])
            assets = sub.index.get_level_values("asset")
            ratio = np.maximum(
                self._ratio(score[rows], self.threshold),
                self._ratio(trend_score[rows], self.trend_threshold),
            )
            over[rows] = ratio > self.levels.factors(assets, codes)
        return over

    @staticmethod
    def _ratio(values: np.ndarray, threshold: Threshold) -> np.ndarray:
        ratio: np.ndarray = np.asarray(values, dtype=float) / max(threshold.value, 1e-12)
        return ratio

    def assess(self, z: pd.DataFrame, clock: pd.DataFrame | None = None) -> pd.DataFrame:
        """Scores for normalised windows indexed (asset, time), time-ordered per asset (each
        asset's rows its history), with their local time in ``clock`` (UTC without).

        Columns: score, trend_score, failure_at with its 90 % interval failure_low and
        failure_high, rul_source ("learned" from the remaining-life model when the type has
        one, ``models.rul.live``, else "trend", ``models.rul.trend``), over (either score over
        its threshold). Persistence is applied by the caller, who knows the runs before this
        frame.
        """
        frame = self.frame(z, clock)
        score = self.detector.score(frame).to_numpy()
        trend_score = self.trend.score(frame).to_numpy()
        over = self.over(frame, score, trend_score)
        failure, source = self.failure(frame, z)
        out = pd.DataFrame(
            {
                "score": score,
                "trend_score": trend_score,
                "over": over,
            },
            index=z.index,
        ).join(failure.set_axis(z.index))
        out["rul_source"] = source
        return out

    def failure(self, frame: pd.DataFrame, z: pd.DataFrame) -> tuple[pd.DataFrame, str]:
        """The failure time and interval of each row, and which estimate gave them: the learned
        model's from the normalised windows ``z`` when the type has one that can read them,
        else the trend's from the detector's input ``frame``."""
        if self.rul is not None and live.usable(self.rul, z.columns):
            every = timedelta(seconds=self.config.every_s)
            return live.learned_failure(self.rul, z, every=every), live.LEARNED
        return trend_failure(self.trend, frame), live.TREND

    def to_files(self) -> dict[str, bytes]:
        base = {
            "assets": np.array(self.baselines.assets, dtype=str),
            "median": self.baselines.median,
            "scale": self.baselines.scale,
        }
        header = {
            "asset_type": self.asset_type,
            "config": self.config.to_json(),
            "columns": self.columns,
            "baseline_columns": self.baselines.columns,
            "threshold": self.threshold.to_dict(),
            "trend_threshold": self.trend_threshold.to_dict(),
            "alarm_levels": self.levels.to_dict(),
            "context": self.context.to_json(),
        }
        files = {
            "model.json": json.dumps(header, indent=2, sort_keys=True).encode(),
            "detector.npz": detectors.dump(self.detector),
            "trend.npz": detectors.dump(self.trend),
            "baselines.npz": _npz(base),
        }
        if self.rul is not None:
            files.update(rul_storage.to_files(self.rul))
        return files

    @classmethod
    def from_files(cls, files: dict[str, bytes]) -> TypeModel:
        header = json.loads(files["model.json"])
        trend = detectors.load(files["trend.npz"])
        if not isinstance(trend, DegradationTrend):
            raise ValueError("trend.npz does not hold a degradation-trend detector")
        import io

        with np.load(io.BytesIO(files["baselines.npz"]), allow_pickle=False) as npz:
            baselines = Baselines(
                list(header["baseline_columns"]),
                [str(a) for a in npz["assets"]],
                npz["median"],
                npz["scale"],
            )
        return cls(
            asset_type=header["asset_type"],
            config=ModelConfig.from_json(header["config"]),
            columns=list(header["columns"]),
            detector=detectors.load(files["detector.npz"]),
            threshold=Threshold.from_dict(header["threshold"]),
            trend=trend,
            trend_threshold=Threshold.from_dict(header["trend_threshold"]),
            baselines=baselines,
            levels=AlarmLevels.from_dict(header.get("alarm_levels")),
            context=OperatingContext.from_json(header.get("context")),
            rul=rul_storage.from_files(files) if "rul.json" in files else None,
        )


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    import io

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub wants keyword arrays
    return buffer.getvalue()


def fit_type_model(
    *,
    asset_type: str,
    features: pd.DataFrame,
    healthy: pd.Series,
    config: ModelConfig,
    clock: pd.DataFrame | None = None,
) -> TypeModel:
    """Fit on windows indexed (asset, time). ``healthy`` (bool, same index) marks the windows
    that may be learned; the rest (labelled faults, data-quality episodes) are never learned.
    ``clock`` (same index): each window's local time at its site (``local_clock``), for the
    hour-of-day and weekend terms of the operating context; UTC without.

    Per asset, healthy windows give the baseline; the pooled normalised windows are split in
    time: the first 70 % fit the detector; its threshold is set on out-of-fold scores of every
    training day, so the threshold sees data the fit did not.
    """
    if config.slow_halflife > 0:
        features = add_slow(features.sort_index(), halflife=config.slow_halflife)
    columns = model_columns(features.columns)
    inputs = condition_columns(features.columns) if config.context else []
    good = features.loc[
        healthy.reindex(features.index, fill_value=False).to_numpy(), columns + inputs
    ]
    if good.empty:
        raise ValueError(f"no healthy windows to train a model for asset type {asset_type!r}")
    # A working-rows level seen in few training windows (a night of few rides) has no baseline
    # worth the name: the first busy morning would look like a fault.
    # The slow copy goes with it: between two rides it holds the last ride's value, so it is
    # seldom missing, but its spread is that of a handful of rides (a tiny scale, a huge z).
    sparse = [
        c
        for c in columns
        if c.endswith(f"{SEP}working")
        and good.get(f"{metric_of(c)}{SEP}working", good[c]).notna().mean() < MIN_WORKING_SHARE
    ]
    if sparse:
        columns = [c for c in columns if c not in sparse]
        good = good.drop(columns=sparse)
    baselines = Baselines.fit(good)
    z_all = baselines.normalise(good)
    local = None if clock is None else clock.reindex(z_all.index)
    times = z_all.index.get_level_values("time")
    cut = times.sort_values()[int(len(times) * 0.7)] if len(times) > 10 else times.max()
    # The regression on the conditions is learned on the detector's part only, so the
    # threshold is calibrated on residuals of windows it did not see.
    part = (times <= cut) if len(times) > 10 else np.ones(len(times), dtype=bool)
    context = fit_context(z_all, part, columns=columns, with_context=bool(inputs), clock=local)
    z = context.residuals(z_all, local)[columns]
    fit_part = z[times <= cut] if len(times) > 10 else z
    calib_part = z[times > cut] if len(times) > 10 else z
    detector = detectors.create(config.detector, **config.detector_params)
    detector.fit(fit_part)
    # The trend follows the slow features when there are any: a line through an hourly maximum of
    # many noisy features mostly fits noise.
    slow = [c for c in fit_part.columns if f"{SLOW}{SEP}" in c] or list(fit_part.columns)
    trend = config.trend().fit(fit_part[slow])
    # Two honest views of healthy scores, each blind to something: the last 30 % is scored
    # forwards in time (the days' drift, as in service) but held no weekend; out of fold over
    # every training day (``models.crossfit``) sees the weekend but each day has its neighbours
    # in the fit. The threshold covers both (the larger); a training too short for the folds
    # keeps the tail alone.
    oof = out_of_fold_scores(
        z_all,
        columns=columns,
        with_context=bool(inputs),
        clock=local,
        detector=config.detector,
        detector_params=config.detector_params,
    )
    threshold = Threshold.calibrate(
        detector.score(calib_part), target_far=config.target_far, margin=config.margin
    )
    if oof is not None:
        folded = Threshold.calibrate(oof, target_far=config.target_far, margin=config.margin)
        threshold = max(threshold, folded, key=lambda t: t.value)
    # The trend of a window is the line through the windows before it, fit part included:
    # scored on the calibration part alone, every line would start there, and the threshold
    # would be set by the noisy slopes of short lines rather than by whole spans. Its threshold
    # is set on every whole line of the training, not on the calibration part's alone: that is
    # the last 30 %, Tuesday to Thursday of eight days from a Thursday, with no weekend in it.
    # A compressor's line from Friday's shifts into a Sunday at low load then rises (what the
    # load explains is a line, the power per unit of flow is not) and had never been seen: 127
    # of 156 alarm windows of healthy compressors on the simulator's seed 7 were Sundays'. The
    # trend's scale is fitted on the fit part, but a line's slope is not, so little of the
    # in-sample optimism of the level reaches the threshold.
    trend_all = trend.score(z)
    whole = z.groupby(level="asset", sort=False).cumcount().to_numpy() >= trend.span + trend.smooth
    trend_threshold = Threshold.calibrate(
        trend_all[whole if whole.any() else slice(None)],
        target_far=config.target_far,
        margin=config.trend_margin,
    )
    return TypeModel(
        asset_type=asset_type,
        config=config,
        columns=columns,
        detector=detector,
        threshold=threshold,
        trend=trend,
        trend_threshold=trend_threshold,
        baselines=baselines,
        context=context,
    )
