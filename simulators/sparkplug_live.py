"""Sparkplug B gateway mode: the live fleet published by one Sparkplug edge node per site.

Each site's gateway is an edge node (group = the site id, node = ``<site>-gw``) whose devices
are the site's assets (device id = asset id): Vigil's default Sparkplug mapping then stores
the readings under the same site and asset as the JSON gateways would. Each reading is one
DDATA by alias, stamped with the reading's time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from threading import Event

from simulators.fleet import AssetStream, ReadingsBlock, streams
from simulators.live import live_start
from simulators.mqtt import PublishError, PublishReport, parse_mqtt_url
from simulators.scenario import Scenario, healthy_fleet
from simulators.sparkplug import SparkplugEdgeNode, SpbDevice, SpbMetric

_TEN_YEARS_S = 10 * 365 * 86_400.0


@dataclass
class _Cursor:
    """One asset's position in its stream."""

    stream: AssetStream
    number: int = 0
    block: ReadingsBlock | None = None
    at: int = 0

    def due(self, sim_s: float) -> ReadingsBlock | None:
        """The part of the current block due by ``sim_s`` (None when nothing is)."""
        while self.block is None or self.at >= len(self.block):
            if self.number >= self.stream.blocks:
                return None
            self.block, self.at = self.stream.block(self.number), 0
            self.number += 1
        stop = self.at
        while stop < len(self.block) and self.block.due_s[stop] <= sim_s:
            stop += 1
        if stop == self.at:
            return None
        part = ReadingsBlock(
            self.block.asset,
            self.block.ts_ms[self.at : stop],
            {name: values[self.at : stop] for name, values in self.block.columns.items()},
            self.block.due_s[self.at : stop],
        )
        self.at = stop
        return part


def run_sparkplug_live(
    *,
    mqtt_url: str,
    stop: Event,
    scenario: Scenario | None = None,
    assets: int = 20,
    seed: int = 1,
    speed: float = 1.0,
    reading_interval_s: float = 1.0,
    protocol: str = "5",
    username: str | None = None,
    password: str | None = None,
    ca_file: str | None = None,
    tick_s: float = 0.2,
    connect_timeout_s: float = 15.0,
) -> PublishReport:
    """Publish the scenario in warped real time through one edge node per site until ``stop``."""
    if scenario is None:
        scenario = healthy_fleet(
            assets=assets, interval_s=reading_interval_s, duration_s=reading_interval_s, seed=seed
        )
    address = parse_mqtt_url(mqtt_url, username=username, password=password, ca_file=ca_file)
    real0 = time.time()
    start = live_start(scenario, speed=speed, now_s=real0)
    by_site: dict[str, list[_Cursor]] = {}
    for stream in streams(scenario, seed=seed, start_s=start, end_s=start + _TEN_YEARS_S):
        by_site.setdefault(stream.asset.site, []).append(_Cursor(stream))
    nodes: dict[str, SparkplugEdgeNode] = {}
    for site, cursors in by_site.items():
        devices = []
        for cursor in cursors:
            # The first block names the metrics for the DBIRTH; it is then published as usual.
            cursor.block, cursor.number = cursor.stream.block(0), 1
            asset = cursor.stream.asset
            metrics = [SpbMetric(name) for name in cursor.block.columns]
            devices.append(SpbDevice(asset.id, metrics, asset_type=asset.asset_type))
        nodes[site] = SparkplugEdgeNode(
            address=address, group=site, node=f"{site}-gw", devices=devices, protocol=protocol
        )
    for node in nodes.values():
        node.start()
    try:
        _wait_connected(list(nodes.values()), connect_timeout_s, address.host, address.port)
        readings = 0
        while not stop.is_set():
            wall = time.time()
            sim = min(start + (wall - real0) * speed, wall)
            for site, cursors in by_site.items():
                for cursor in cursors:
                    while (part := cursor.due(sim)) is not None:
                        for reading in part.readings():
                            nodes[site].publish_data(
                                part.asset.id, reading["metrics"], reading["ts"]
                            )
                            readings += 1
            stop.wait(tick_s)
    finally:
        for node in nodes.values():
            node.stop()
    return PublishReport(
        sum(n.sent for n in nodes.values()),
        sum(n.acked for n in nodes.values()),
        time.time() - real0,
        readings_sent=readings,
        extra={"edge_nodes": len(nodes)},
    )


def _wait_connected(nodes: list[SparkplugEdgeNode], timeout_s: float, host: str, port: int) -> None:
    deadline = time.monotonic() + timeout_s
    for node in nodes:
        if not node.connected.wait(max(0.0, deadline - time.monotonic())):
            raise PublishError(f"edge node {node.node} could not connect to {host}:{port}")
