"""Run a scenario: each asset's readings block by block, and gateway messages from them.

An asset's life is cut into fixed blocks of ``BLOCK`` readings, each with its own RNG seeded by
(seed, asset index, block index), and state (thermal lag, counters) carried between blocks: the
same seed and scenario give byte-identical payloads whether they are published live, backfilled
or turned into frames.

The outdoor weather is the site's, not the asset's: its RNG is seeded by (seed, site index,
block index) alone, so every asset of a site computes the same weather without sharing any
object, in whatever order the assets are generated (one whole asset after another for frames,
block by block interleaved when live).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from simulators.equipment import ASSET_MODELS, Block
from simulators.faults import Fault, effects_at
from simulators.physics import Array, ambient
from simulators.quality import Episode, apply_episodes
from simulators.scenario import AssetSpec, Scenario

if TYPE_CHECKING:
    import pandas as pd

BLOCK = 720
# Tags the site weather's RNG seeds apart from the assets' ([seed, asset index, block]).
_WEATHER = 0x57EA7
_DECIMALS = {"trips": 0, "speed": 1, "load": 2}


@dataclass
class ReadingsBlock:
    """Readings of one asset ready to publish: timestamps (ms) and metric columns."""

    asset: AssetSpec
    ts_ms: list[int]
    columns: dict[str, list[float]]
    due_s: list[float]  # true simulated time of each reading: when a live gateway sends it

    def __len__(self) -> int:
        return len(self.ts_ms)

    def readings(self, first: int = 0, stop: int | None = None) -> list[dict[str, Any]]:
        names = list(self.columns)
        rows = zip(*(self.columns[name][first:stop] for name in names), strict=True)
        kind = self.asset.asset_type
        return [
            {"ts": ts, "asset_type": kind, "metrics": dict(zip(names, row, strict=True))}
            for ts, row in zip(self.ts_ms[first:stop], rows, strict=True)
        ]


class AssetStream:
    """The readings of one asset over ``[start_s, end_s)``, generated block by block."""

    def __init__(
        self, *, scenario: Scenario, index: int, seed: int, start_s: float, end_s: float
    ) -> None:
        self.asset = scenario.assets[index]
        self.model = ASSET_MODELS[self.asset.asset_type]
        self.scenario, self.index, self.seed = scenario, index, seed
        self.start_s, self.end_s, self.dt = start_s, end_s, scenario.interval_s
        self.params = self.model.draw_params(np.random.default_rng([seed, index, 0xA55E7]))
        self.climate = scenario.site_by_id[self.asset.site].climate
        self.site_index = [s.id for s in scenario.sites].index(self.asset.site)
        self.faults = [
            Fault(
                f.mode, start_s + f.onset_s, start_s + f.onset_s + f.time_to_failure_s, f.severity
            )
            for f in scenario.faults
            if f.asset == self.asset.id
        ]
        self.episodes = [
            Episode(
                q.kind,
                start_s + q.start_s,
                start_s + q.start_s + q.duration_s,
                q.metric,
                q.magnitude,
            )
            for q in scenario.quality
            if q.asset == self.asset.id
        ]
        self.state: dict[str, Any] = {}
        self.weather: dict[str, Any] = {}  # the site weather's AR(1) state, this stream's copy
        self._next = 0  # the block raw_block must make next
        self.total = max(0, math.ceil((end_s - start_s) / self.dt - 1e-9))

    @property
    def blocks(self) -> int:
        return math.ceil(self.total / BLOCK)

    def raw_block(self, number: int) -> tuple[Array, dict[str, Array]]:
        """Timestamps and physically true metric arrays of block ``number`` (call in order)."""
        t, metrics, count = self._full_block(number)
        return t[:count], {name: values[:count] for name, values in metrics.items()}

    def _full_block(self, number: int) -> tuple[Array, dict[str, Array], int]:
        """A whole block even past the end, so random draws (and so values) never depend on
        where the run stops; the third item says how many readings lie inside the run."""
        if number != self._next:
            raise ValueError(
                f"blocks of {self.asset.id} must be generated in order (expected {self._next}, "
                f"got {number}): state carries from one to the next; make a new stream to restart"
            )
        self._next += 1
        first = number * BLOCK
        t: Array = self.start_s + self.dt * np.arange(first, first + BLOCK, dtype=float)
        rng = np.random.default_rng([self.seed, self.index, number])
        effects = effects_at(t, self.faults, vib_base=self.params["vib_base"])
        outdoor = site_weather(
            t,
            seed=self.seed,
            site_index=self.site_index,
            number=number,
            dt=self.dt,
            climate=self.climate,
            state=self.weather,
        )
        block = Block(t, self.dt, rng, self.params, self.climate, self.state, effects, outdoor)
        return t, self.model.simulate(block), min(BLOCK, self.total - first)

    def block(self, number: int) -> ReadingsBlock:
        """Block ``number`` as the gateway publishes it: data-quality episodes applied, rounded."""
        t, metrics, count = self._full_block(number)
        keep = np.arange(BLOCK) < count
        offset = np.zeros(BLOCK)
        rng = np.random.default_rng([self.seed, self.index, number, 0xD0])
        apply_episodes(
            episodes=self.episodes,
            t=t,
            metrics=metrics,
            keep=keep,
            ts_offset=offset,
            rng=rng,
            state=self.state,
            buffer=self.scenario.gateway_buffer,
            dt=self.dt,
        )
        ts_ms = np.round((t + offset) * 1000.0).astype(np.int64)[keep].tolist()
        columns = {}
        for name in self.model.metrics:
            values = np.round(metrics[name][keep], _DECIMALS.get(name, 3))
            columns[name] = values.astype(int).tolist() if name == "trips" else values.tolist()
        return ReadingsBlock(self.asset, ts_ms, columns, t[keep].tolist())


def site_weather(
    t: Array,
    *,
    seed: int,
    site_index: int,
    number: int,
    dt: float,
    climate: dict[str, float],
    state: dict[str, Any],
) -> Array:
    """The outdoor temperature of block ``number`` at a site: the same for every asset there
    (blocks in order, ``state`` carried from one to the next as for the asset's own state)."""
    rng = np.random.default_rng([seed, _WEATHER, site_index, number])
    return ambient(t, rng=rng, dt=dt, climate=climate, state=state)


def streams(
    scenario: Scenario,
    *,
    seed: int,
    start_s: float,
    end_s: float | None = None,
) -> list[AssetStream]:
    end = start_s + scenario.duration_s if end_s is None else end_s
    return [
        AssetStream(scenario=scenario, index=i, seed=seed, start_s=start_s, end_s=end)
        for i in range(len(scenario.assets))
    ]


def block_messages(
    block: ReadingsBlock,
    *,
    batch: int,
    topic_template: str,
    first: int = 0,
    stop: int | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Messages of ``batch`` readings (1: a single reading object) from part of a block."""
    topic = topic_template.format(site=block.asset.site, asset=block.asset.id)
    readings = block.readings(first, stop)
    for at in range(0, len(readings), batch):
        body: object = readings[at] if batch == 1 else {"readings": readings[at : at + batch]}
        yield topic, orjson.dumps(body)


class ScenarioMessages:
    """All messages of a scenario run in time order (block by block, assets interleaved).

    Iterate it once; ``readings`` and ``messages`` count what has been produced so far.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int,
        start_s: float,
        batch: int,
        topic_template: str,
        end_s: float | None = None,
    ) -> None:
        if batch < 1:
            raise ValueError("batch must be >= 1")
        self.streams = streams(scenario, seed=seed, start_s=start_s, end_s=end_s)
        self.batch, self.topic_template = batch, topic_template
        self.readings = self.messages = 0
        self.expected_readings = sum(s.total for s in self.streams)

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        for number in range(max((s.blocks for s in self.streams), default=0)):
            for stream in self.streams:
                if number >= stream.blocks:
                    continue
                block = stream.block(number)
                self.readings += len(block)
                for message in block_messages(
                    block, batch=self.batch, topic_template=self.topic_template
                ):
                    self.messages += 1
                    yield message


def asset_frame(stream: AssetStream, *, published: bool = True) -> pd.DataFrame:
    """One asset's whole run as a DataFrame indexed by UTC time (for plots, tests, models).

    ``published=False`` gives the physically true values, without data-quality episodes.
    """
    import pandas as pd

    parts = []
    for number in range(stream.blocks):
        if published:
            block = stream.block(number)
            frame = pd.DataFrame(
                block.columns, index=pd.to_datetime(block.ts_ms, unit="ms", utc=True)
            )
        else:
            t, metrics = stream.raw_block(number)
            frame = pd.DataFrame(
                {m: metrics[m] for m in stream.model.metrics},
                index=pd.to_datetime(t, unit="s", utc=True),
            )
        parts.append(frame)
    return pd.concat(parts) if parts else pd.DataFrame()
