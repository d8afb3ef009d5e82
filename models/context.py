"""Operating context: health judged against what the operating conditions explain.

A pump at full speed vibrates more, runs hotter and pushes more pressure than at night; none of
that is wear. Per asset type, each health feature (already a robust z against the asset's own
baseline) is regressed on the condition features of the same window (load, speed, power,
current, flow or cooling output where they are conditions, trips, ambient temperature) and, when
the training data covers a week with a weekend, on the hour of day and the weekend; the detector and the trend
then see the residual, what the conditions do not explain. The slow (day-ish) features are
regressed on the slow conditions the same way.

Learned on healthy windows only (ridge regression, so that a condition that barely moved in
training gets a small coefficient rather than a wild one).

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> t = pd.date_range("2026-01-05", periods=200, freq="h", tz="UTC")
>>> idx = pd.MultiIndex.from_product([["p1"], t], names=["asset", "time"])
>>> speed = rng.normal(0, 1, 200)
>>> z = pd.DataFrame({"speed:level": speed, "vibration_rms:level": 2 * speed}, index=idx)
>>> ctx = OperatingContext.fit(z, outputs=["vibration_rms:level"])
>>> float(ctx.residuals(z)["vibration_rms:level"].abs().max()) < 0.1
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from models.features import AMBIENT, BURSTS, CONDITIONS, DUTY, SEP, metric_of
from models.smoothing import SLOW

# Condition metrics: what the equipment is asked to do, and the weather it does it in. The
# regression's inputs are demands, not consumption: power and current rise with an efficiency
# loss or a winding fault, so explaining health by them would explain the fault away. Of the
# demands, the first present in this order (a pump's load is its power; a chiller's load and
# speed rise with a refrigerant leak, its cooling output does not), plus trips and the weather.
CONTEXT_METRICS = (*CONDITIONS, AMBIENT)
DEMANDS = ("cooling_output", "speed", "load")
# Demands whose square comes in too: pressure and power go with the square and cube of a pump's
# speed (the affinity laws); a load/unload compressor draws idle power whatever its load, so its
# power per unit of air is a hyperbola in the load, which a line leaves 4 to 8 z high at the
# low load of nights and weekends. Not an equipment's that works in bursts (``BURSTS``): an
# elevator's load is near zero but for a few rides a night.
SQUARED = ("speed", "load")
ALWAYS = ("trips", AMBIENT)
# Hour of day as a circle, with its second harmonic: a lift's day has two peaks (the morning
# and the evening rush), which one sine cannot draw.
HOUR = ("context:hour_sin", "context:hour_cos", "context:hour2_sin", "context:hour2_cos")
WEEKEND = "context:weekend"
# A feature is replaced by its residual only when the conditions explain at least this share of
# its healthy variance.
MIN_EXPLAINED = 0.2
# Ridge penalty, in units of healthy windows: a condition that barely moved gets a coefficient
# near zero, not one fitted to its noise.
RIDGE = 1.0


def condition_columns(columns: list[str] | pd.Index) -> list[str]:
    """Level features (fast and slow) of the condition metrics the regression uses; of a
    bursty machine's conditions their mean over the window (``models.features.DUTY``) instead.

    >>> condition_columns(["load:level", "speed:level", "speed_slow:level", "power:level"])
    ['speed:level', 'speed_slow:level']
    >>> condition_columns(["load:level", "load:duty", "trips:level", "trips:duty"])
    ['load:duty', 'trips:duty']
    """
    levels = [c for c in columns if c.endswith(f"{SEP}level") or c.endswith(f"{SEP}{DUTY}")]
    present = {metric_of(c) for c in levels}
    demand = next((m for m in DEMANDS if m in present), None)
    wanted = {m for m in (demand, *ALWAYS) if m in present}
    duty = {c.split(SEP, 1)[0] for c in levels if c.endswith(f"{SEP}{DUTY}")}
    return [
        c
        for c in levels
        if metric_of(c) in wanted and (c.endswith(f"{SEP}{DUTY}") or c.split(SEP, 1)[0] not in duty)
    ]


def _is_slow(column: str) -> bool:
    return SLOW in column.split(SEP, 1)[0]


# Site code -> time zone: an IANA name ("Europe/Paris") or a fixed offset ("+02:00").
SiteZones = Mapping[str, str]
_OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?$")


def zone_info(name: str) -> tzinfo:
    """A time zone from an IANA name or a fixed UTC offset.

    >>> zone_info("+02:00"), zone_info("UTC-3"), zone_info("Europe/Paris").key
    (datetime.timezone(datetime.timedelta(seconds=7200)), \
datetime.timezone(datetime.timedelta(days=-1, seconds=75600)), 'Europe/Paris')
    """
    found = _OFFSET.match(name.strip())
    if found:
        sign = -1 if found.group(1) == "-" else 1
        minutes = int(found.group(2)) * 60 + int(found.group(3) or 0)
        return timezone(sign * timedelta(minutes=minutes))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: an IANA name (Europe/Paris) or an offset (+02:00)"
        ) from None


def offset_name(hours: float) -> str:
    """A fixed offset in hours as a zone name (the simulator's sites carry ``utc_offset_h``).

    >>> offset_name(2.0), offset_name(-3.5)
    ('+02:00', '-03:30')
    """
    minutes = round(abs(hours) * 60)
    return f"{'-' if hours < 0 else '+'}{minutes // 60:02d}:{minutes % 60:02d}"


def local_clock(index: pd.Index, *, sites: Sequence[str], zones: SiteZones) -> pd.DataFrame:
    """Each window's start in its site's local time: ``hour`` (fractional) and ``weekday``
    (Monday 0), aligned to ``index`` (asset, time in UTC). A site without a zone is read in UTC.

    A chiller in Paris and one in Athens ramp up at the same local hour, an hour apart in UTC;
    pooled in UTC, an hour-of-day term would fit neither.

    >>> t = pd.DatetimeIndex(["2026-03-06T23:00Z", "2026-03-06T23:00Z"])
    >>> idx = pd.MultiIndex.from_arrays([["a", "b"], t], names=["asset", "time"])
    >>> local_clock(idx, sites=["lyon", "athens"], zones={"athens": "+02:00"}).values.tolist()
    [[23.0, 4.0], [1.0, 5.0]]
    """
    times = pd.DatetimeIndex(index.get_level_values("time"))
    if times.tz is None:
        times = times.tz_localize("UTC")
    site = np.asarray(sites, dtype=object)
    hour = np.empty(len(times))
    weekday = np.empty(len(times))
    names = {s: zones.get(s) or "+00:00" for s in dict.fromkeys(site.tolist())}
    for name in set(names.values()):
        rows = np.flatnonzero(np.isin(site, [s for s, n in names.items() if n == name]))
        local = times[rows].tz_convert(zone_info(name))
        hour[rows] = local.hour + local.minute / 60.0
        weekday[rows] = local.day_of_week
    return pd.DataFrame({"hour": hour, "weekday": weekday}, index=index)


def time_features(index: pd.Index, clock: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hour of day (as a circle) and weekend, from each window's start: in local time when a
    ``clock`` (``local_clock``) is given, else in UTC."""
    if clock is None:
        times = pd.DatetimeIndex(index.get_level_values("time"))
        hour = (times.hour + times.minute / 60.0).to_numpy(dtype=float)
        weekday = times.day_of_week.to_numpy(dtype=float)
    else:
        hour = clock["hour"].to_numpy(dtype=float)
        weekday = clock["weekday"].to_numpy(dtype=float)
    angle = 2 * np.pi * hour / 24.0
    return pd.DataFrame(
        {
            HOUR[0]: np.sin(angle),
            HOUR[1]: np.cos(angle),
            HOUR[2]: np.sin(2 * angle),
            HOUR[3]: np.cos(2 * angle),
            WEEKEND: (weekday >= 5).astype(float),
        },
        index=index,
    )


def coverage(index: pd.Index) -> dict[str, Any]:
    """What the training windows cover, and whether it is enough for hour and day effects."""
    times = pd.DatetimeIndex(index.get_level_values("time"))
    if len(times) == 0:
        return {"days": 0.0, "weekend": False, "working_days": False, "enough": False}
    days = (times.max() - times.min()).total_seconds() / 86400.0
    weekend = bool((times.day_of_week >= 5).any())
    working = bool((times.day_of_week < 5).any())
    return {
        "days": round(days, 2),
        "weekend": weekend,
        "working_days": working,
        "enough": days >= 7.0 and weekend and working,
    }


def _design(z: pd.DataFrame, inputs: list[str], clock: np.ndarray) -> np.ndarray:
    """Regression inputs: each condition, the square of the ``SQUARED`` demands, then the clock
    features. A missing condition counts as typical (z = 0).

    A bursty load (an elevator's: near zero but for a few rides a night, its equipment reports
    trips) is not squared: its tiny healthy spread makes its z in a ride large, and its square
    let a handful of rides in training set the coefficient (``vigil demo --start-at 05:40``
    then alarmed on a healthy lift's vibration as the morning rides began)."""
    x = np.nan_to_num(z.reindex(columns=inputs).to_numpy(dtype=float))
    bursty = any(metric_of(c) == BURSTS for c in inputs)
    squared = [
        i
        for i, c in enumerate(inputs)
        if metric_of(c) in SQUARED and not (bursty and metric_of(c) == "load")
    ]
    return np.column_stack([x, x[:, squared] ** 2, clock])


def _ridge(x: np.ndarray, y: np.ndarray, *, intercept: bool) -> np.ndarray:
    penalty = RIDGE * np.eye(x.shape[1])
    if intercept:
        penalty[0, 0] = 0.0  # the intercept is not shrunk
    coef: np.ndarray = np.linalg.solve(x.T @ x + penalty, x.T @ y)
    return coef


def _two_stage(x: np.ndarray, y: np.ndarray, *, clock_terms: int) -> np.ndarray:
    """Ridge coefficients of ``y`` on ``x`` (intercept first, the clock terms last): the
    conditions first, then the clock on what they leave.

    Fitted together, the hour of day takes a share of whatever follows the daily cycle, the
    ambient temperature above all (it peaks every afternoon), and the ambient's own coefficient
    shrinks: when the weather then turns colder over weeks, with no daily rhythm to it, the
    regression explains too little of it and a pump's temperature rise over ambient alarms. So
    the clock only explains what the conditions do not.
    """
    if clock_terms == 0:
        return _ridge(x, y, intercept=True)
    conditions, clock = x[:, :-clock_terms], x[:, -clock_terms:]
    first = _ridge(conditions, y, intercept=True)
    second = _ridge(clock, y - conditions @ first, intercept=False)
    return np.concatenate([first, second])


@dataclass
class OperatingContext:
    """Per output column, ridge coefficients on its inputs (condition z's and time features)."""

    outputs: list[str] = field(default_factory=list)
    inputs: dict[str, list[str]] = field(default_factory=dict)
    coef: dict[str, np.ndarray] = field(default_factory=dict)
    time_inputs: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.outputs)

    @classmethod
    def fit(
        cls,
        z: pd.DataFrame,
        *,
        outputs: list[str],
        clock: pd.DataFrame | None = None,
        training: pd.Index | None = None,
    ) -> OperatingContext:
        """``z``: healthy normalised windows, conditions included; ``clock``: their local time
        (``local_clock``; UTC without). Outputs without a condition of their own speed (fast
        or slow) are left as they are. ``training``: the index of all the training windows,
        when ``z`` is only the part the regression is fitted on: whether hour and weekend come
        in is a question about the training data (the detector's 70 % of a ten-day training
        would otherwise never have them)."""
        conditions = condition_columns(z.columns)
        cover = coverage(z.index if training is None else training)
        # Fitted on less than a week, a clock pattern is mostly whatever the few days happened
        # to do (the load's own rhythm, which the conditions already carry), and it would be
        # replayed every day after: hour and weekend come in only with a whole week.
        time_inputs = [*HOUR, WEEKEND] if cover["enough"] else []
        times = time_features(z.index, clock)[time_inputs]
        context = cls(time_inputs=time_inputs)
        for out in outputs:
            if out not in z or metric_of(out) in CONTEXT_METRICS:
                continue
            ins = [c for c in conditions if _is_slow(c) == _is_slow(out)]
            if not ins and not time_inputs:
                continue
            x = _design(z, ins, times.to_numpy(dtype=float))
            y = z[out].to_numpy(dtype=float)
            ok = np.isfinite(y)
            if ok.sum() < max(10, 2 * x.shape[1]):
                continue
            x, y = x[ok], y[ok]
            x = np.column_stack([np.ones(len(x)), x])
            coef = _two_stage(x, y, clock_terms=len(time_inputs))
            explained = 1.0 - np.var(y - x @ coef) / max(float(np.var(y)), 1e-12)
            if explained < MIN_EXPLAINED:
                continue  # the conditions do not drive it: a fit to noise would only add noise
            context.outputs.append(out)
            context.inputs[out] = ins
            context.coef[out] = coef
        return context

    def residuals(self, z: pd.DataFrame, clock: pd.DataFrame | None = None) -> pd.DataFrame:
        """``z`` with each output replaced by what its conditions do not explain (a missing
        condition counts as typical, z = 0); ``clock`` as for ``fit``."""
        if not self.outputs:
            return z
        out = z.copy()
        times = time_features(z.index, clock)[self.time_inputs].to_numpy(dtype=float)
        for column in self.outputs:
            if column not in out:
                continue
            ins = self.inputs[column]
            coef = self.coef[column]
            explained = coef[0] + _design(z, ins, times) @ coef[1:]
            raw = z[column].to_numpy(dtype=float)
            residual = raw - explained
            # The context may explain a deviation away, never invent one: beyond its training
            # range (a lift's first busy minutes after a night of few rides) the regression
            # extrapolates, and its residual must not be further from normal than the feature
            # itself. At worst a window is judged as it was without the context.
            out[column] = np.where(np.abs(residual) <= np.abs(raw), residual, raw)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "outputs": self.outputs,
            "inputs": self.inputs,
            "coef": {k: v.tolist() for k, v in self.coef.items()},
            "time_inputs": self.time_inputs,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> OperatingContext:
        if not data:
            return cls()
        return cls(
            outputs=list(data["outputs"]),
            inputs={k: list(v) for k, v in data["inputs"].items()},
            coef={k: np.asarray(v, dtype=float) for k, v in data["coef"].items()},
            time_inputs=list(data["time_inputs"]),
        )
