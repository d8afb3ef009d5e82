"""Live mode: gateways publish a scenario in (warped) real time until stopped.

Timestamps never run ahead of the wall clock (the collector rejects readings from the future).
A scenario without a fixed start is placed so that, at ``speed``, simulated time catches up with
the wall clock exactly when the scenario ends: ``start = now - duration * (1 - 1/speed)``. After
that the fleet keeps running in real time, faults staying as they are.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from threading import Event

from simulators.basic import DEFAULT_TOPIC_TEMPLATE
from simulators.fleet import AssetStream, ReadingsBlock, block_messages, streams
from simulators.gateway import Gateway
from simulators.mqtt import BrokerAddress, PublishError, PublishReport, parse_mqtt_url
from simulators.scenario import Scenario, healthy_fleet

DEFAULT_STATUS_TEMPLATE = "vigil/{site}/{asset}/status"
_TEN_YEARS_S = 10 * 365 * 86_400.0


def live_start(scenario: Scenario, *, speed: float, now_s: float) -> float:
    """Where simulated time starts so it never runs ahead of ``now_s`` (see module doc)."""
    if scenario.start is not None:
        return scenario.start.timestamp()
    lead = scenario.duration_s * (1.0 - 1.0 / speed) if speed > 1.0 else 0.0
    return (now_s - lead) // scenario.interval_s * scenario.interval_s


@dataclass
class _Feed:
    """One asset's position in its stream: the loaded block and the next reading to send."""

    stream: AssetStream
    gateway: Gateway
    number: int = 0
    block: ReadingsBlock | None = None
    cursor: int = 0
    offline: list[tuple[float, float]] = field(default_factory=list)
    readings: int = 0

    def due(self, sim_s: float, batch: int, template: str) -> list[tuple[str, bytes]]:
        """Messages whose readings are all due by ``sim_s``.

        Like a batching gateway, it sends only full batches (and a block's tail), cut at the
        same places as a backfill: live and backfilled payloads are byte-identical.
        """
        messages: list[tuple[str, bytes]] = []
        while True:
            if self.block is None or self.cursor >= len(self.block):
                if self.number >= self.stream.blocks:
                    return messages
                self.block, self.cursor = self.stream.block(self.number), 0
                self.number += 1
                continue
            stop = self.cursor
            while stop < len(self.block) and self.block.due_s[stop] <= sim_s:
                stop += 1
            if stop < len(self.block):
                stop = self.cursor + (stop - self.cursor) // batch * batch
            if stop == self.cursor:
                return messages
            messages += block_messages(
                self.block, batch=batch, topic_template=template, first=self.cursor, stop=stop
            )
            self.readings += stop - self.cursor
            self.cursor = stop


def run_live(
    *,
    mqtt_url: str,
    stop: Event,
    scenario: Scenario | None = None,
    assets: int = 20,
    seed: int = 1,
    speed: float = 1.0,
    reading_interval_s: float = 1.0,
    batch: int = 1,
    topic_template: str = DEFAULT_TOPIC_TEMPLATE,
    status_topic_template: str = DEFAULT_STATUS_TEMPLATE,
    protocol: str = "5",
    on_progress: Callable[[int], None] | None = None,
    username: str | None = None,
    password: str | None = None,
    ca_file: str | None = None,
    tick_s: float = 0.2,
    start_s: float | None = None,
    connect_timeout_s: float = 15.0,
    behind_s: float = 0.0,
) -> PublishReport:
    """Publish readings in warped real time through one gateway per asset until ``stop``.

    Without a scenario a healthy mixed fleet of ``assets`` assets runs in real time.
    ``on_progress`` is called every tick with the number of readings handed to the gateways.
    ``behind_s``: once caught up, simulated time runs that far behind the wall clock (a replay
    of an earlier hour of the day). Returns what was published and acknowledged.
    """
    if speed <= 0 or batch < 1:
        raise ValueError("speed must be > 0 and batch >= 1")
    if scenario is None:
        scenario = healthy_fleet(
            assets=assets, interval_s=reading_interval_s, duration_s=reading_interval_s, seed=seed
        )
    address = parse_mqtt_url(mqtt_url, username=username, password=password, ca_file=ca_file)
    real0 = time.time()
    start = live_start(scenario, speed=speed, now_s=real0) if start_s is None else start_s
    feeds = []
    for stream in streams(scenario, seed=seed, start_s=start, end_s=start + _TEN_YEARS_S):
        site, asset = stream.asset.site, stream.asset.id
        gateway_address = _gateway_address(address, scenario, site=site, asset=asset)
        gateway = Gateway(
            address=gateway_address,
            client_id=f"vigil-gw-{site}-{asset}",
            protocol=protocol,
            status_topic=status_topic_template.format(site=site, asset=asset),
            buffer_messages=max(1, scenario.gateway_buffer // batch),
        )
        offline = [(e.start_s, e.end_s) for e in stream.episodes if e.kind == "gateway_offline"]
        feeds.append(_Feed(stream, gateway, offline=offline))
    for feed in feeds:
        feed.gateway.start()
    _first_connection(feeds, address, stop, connect_timeout_s)
    published = 0
    try:
        while not stop.is_set():
            wall = time.time()
            sim = min(start + (wall - real0) * speed, wall - behind_s)
            for feed in feeds:
                _follow_outages(feed, sim)
                for topic, payload in feed.due(sim, batch, topic_template):
                    feed.gateway.send(topic, payload)
                    published += 1
            if on_progress is not None:
                on_progress(sum(feed.readings for feed in feeds))
            stop.wait(tick_s)
    finally:
        _stop_all(feeds)
    sent = sum(f.gateway.sent for f in feeds)
    acked = sum(f.gateway.acked for f in feeds)
    dropped = sum(f.gateway.dropped for f in feeds)
    return PublishReport(
        sent,
        acked,
        time.time() - real0,
        readings_sent=sum(f.readings for f in feeds),
        extra={"dropped_while_offline": dropped, "messages_generated": published},
    )


def _stop_all(feeds: list[_Feed]) -> None:
    """Stop the gateways side by side: each may wait for acks or sleep in a reconnect backoff."""
    with ThreadPoolExecutor(max_workers=min(32, len(feeds) or 1)) as pool:
        list(pool.map(lambda feed: feed.gateway.stop(), feeds))


def _first_connection(
    feeds: list[_Feed], address: BrokerAddress, stop: Event, timeout_s: float
) -> None:
    """Fail clearly when no gateway can reach the broker at all (wrong URL or credentials).

    Once running, a lost broker is a gateway's everyday life: it buffers and reconnects.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not stop.is_set():
        if any(f.gateway.connected.is_set() for f in feeds):
            return
        if all(f.gateway.refused for f in feeds):
            break
        time.sleep(0.05)
    if stop.is_set():
        return
    _stop_all(feeds)
    refused = next((f.gateway.refused for f in feeds if f.gateway.refused), None)
    why = f"refused: {refused}" if refused else f"no connection in {timeout_s:.0f}s"
    raise PublishError(
        f"no gateway could connect to MQTT broker {address.host}:{address.port} ({why})"
    )


def _follow_outages(feed: _Feed, sim_s: float) -> None:
    inside = any(begin <= sim_s < end for begin, end in feed.offline)
    if inside and not feed.gateway.offline_on_purpose:
        feed.gateway.go_offline()
    elif not inside and feed.gateway.offline_on_purpose:
        feed.gateway.go_online()


def _gateway_address(
    address: BrokerAddress, scenario: Scenario, *, site: str, asset: str
) -> BrokerAddress:
    """Per-gateway credentials from the scenario's templates, else the URL's."""
    if scenario.gateway_username is None:
        return address
    return replace(
        address,
        username=scenario.gateway_username.format(site=site, asset=asset),
        password=(scenario.gateway_password or "").format(site=site, asset=asset) or None,
    )
