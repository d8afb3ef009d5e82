"""A Sparkplug B edge node built on Eclipse Tahu's reference helpers (``tahutils.tahu``).

One edge node (a gateway) with devices (the assets behind it). It does what the Sparkplug
specification asks of an edge node and what Tahu's own example edge node does: the NDEATH with
its ``bdSeq`` as the MQTT Last Will, NBIRTH then one DBIRTH per device on every connection,
DDATA by alias only, sequence numbers 0..255 across all its messages, and a new NBIRTH and
DBIRTHs when a host sends ``Node Control/Rebirth`` on NCMD.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.reasoncodes import ReasonCode
from tahutils.tahu import sparkplug_b as tahu

from simulators.mqtt import BrokerAddress, make_client

NAMESPACE = "spBv1.0"
REBIRTH = "Node Control/Rebirth"


@dataclass(frozen=True)
class SpbMetric:
    name: str
    unit: str | None = None
    datatype: int = tahu.MetricDataType.Double


@dataclass
class SpbDevice:
    device_id: str
    metrics: list[SpbMetric]
    asset_type: str | None = None


class SparkplugEdgeNode:
    def __init__(
        self,
        *,
        address: BrokerAddress,
        group: str,
        node: str,
        devices: list[SpbDevice],
        protocol: str = "5",
    ) -> None:
        self.group, self.node, self.devices = group, node, devices
        self.address = address
        self._lock = threading.Lock()
        self._acks = threading.Lock()
        # Aliases: unique across the node's metrics and all its devices, as the spec asks.
        self.aliases: dict[tuple[str, str], int] = {}
        for device in devices:
            for metric in device.metrics:
                self.aliases[(device.device_id, metric.name)] = len(self.aliases) + 1
        self.values: dict[tuple[str, str], float] = {}
        self.births = 0
        self.sent = self.acked = 0
        self.rebirth_requests = 0
        self.connected = threading.Event()
        self.client = make_client(
            address=address, client_id=f"spb-{group}-{node}", protocol=protocol
        )
        # Tahu's order: the NDEATH (taking the next bdSeq) first, as the Will; the NBIRTH then
        # carries the same bdSeq. Tahu keeps seq and bdSeq in module globals, one edge node per
        # process; each node here keeps its own, so several can share a process.
        death = tahu.getNodeDeathPayload()
        self._bd_seq = int(death.metrics[0].long_value)
        self._seq = 0
        self._death = death.SerializeToString()
        self.client.will_set(self.topic("NDEATH"), self._death, qos=1, retain=False)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish

    def topic(self, kind: str, device: str | None = None) -> str:
        base = f"{NAMESPACE}/{self.group}/{kind}/{self.node}"
        return f"{base}/{device}" if device else base

    def start(self) -> None:
        self.client.connect_async(self.address.host, self.address.port, keepalive=5)
        self.client.loop_start()

    def stop(self) -> None:
        """A clean shutdown: the NDEATH is sent by the node itself, then it disconnects."""
        if self.client.is_connected():
            self.sent += 1
            self.client.publish(self.topic("NDEATH"), self._death, qos=1).wait_for_publish(5)
            self.client.disconnect()
        self.client.loop_stop()

    # -- births ---------------------------------------------------------------------------------

    def publish_births(self) -> None:
        with self._lock:
            birth = tahu.getNodeBirthPayload()
            birth.metrics[0].long_value = self._bd_seq
            self._seq = 0
            tahu.addMetric(birth, REBIRTH, None, tahu.MetricDataType.Boolean, False)
            self._send(self.topic("NBIRTH"), birth)
            for device in self.devices:
                payload = tahu.getDeviceBirthPayload()
                if device.asset_type:
                    tahu.addMetric(
                        payload, "asset_type", None, tahu.MetricDataType.String, device.asset_type
                    )
                for metric in device.metrics:
                    value = self.values.get((device.device_id, metric.name))
                    alias = self.aliases[(device.device_id, metric.name)]
                    if value is None:  # nothing measured yet: null, not a made-up zero
                        added = tahu.addNullMetric(payload, metric.name, alias, metric.datatype)
                    else:
                        added = tahu.addMetric(
                            payload, metric.name, alias, metric.datatype, _typed(metric, value)
                        )
                    if metric.unit:
                        added.properties.keys.append("engUnit")
                        unit = added.properties.values.add()
                        unit.type = tahu.ParameterDataType.String
                        unit.string_value = metric.unit
                self._send(self.topic("DBIRTH", device.device_id), payload)
            self.births += 1

    # -- data -----------------------------------------------------------------------------------

    def publish_data(
        self, device: str, values: Mapping[str, float], ts_ms: int | None = None
    ) -> None:
        """One DDATA with these metrics by alias only (their names were in the DBIRTH)."""
        spec = {m.name: m for d in self.devices if d.device_id == device for m in d.metrics}
        with self._lock:
            payload = tahu.getDdataPayload()
            for name, value in values.items():
                self.values[(device, name)] = value
                tahu.addMetric(
                    payload,
                    None,
                    self.aliases[(device, name)],
                    spec[name].datatype,
                    _typed(spec[name], value),
                    ts_ms,
                )
            self._send(self.topic("DDATA", device), payload)

    def publish_device_death(self, device: str) -> None:
        with self._lock:
            self._send(self.topic("DDEATH", device), tahu.getDdataPayload())

    def skip_sequence_number(self) -> None:
        """Lose one message on purpose, as a network or a broker can: the host sees a gap."""
        with self._lock:
            self._seq = (self._seq + 1) % 256

    def _send(self, topic: str, payload: Any) -> None:
        """Publish with this node's next sequence number (called with the lock held)."""
        payload.seq = self._seq
        self._seq = (self._seq + 1) % 256
        self.client.publish(topic, payload.SerializeToString(), qos=1)
        self.sent += 1

    # -- paho callbacks -------------------------------------------------------------------------

    def _on_connect(
        self, client: paho.Client, _u: object, _f: object, reason: ReasonCode, _p: object
    ) -> None:
        if reason.is_failure:
            return
        client.subscribe(self.topic("NCMD"), qos=1)
        self.publish_births()
        self.connected.set()

    def _on_publish(self, *_args: object) -> None:
        with self._acks:
            self.acked += 1

    def _on_message(self, _c: paho.Client, _u: object, message: paho.MQTTMessage) -> None:
        payload = tahu.Payload()
        payload.ParseFromString(message.payload)
        if any(m.name == REBIRTH and m.boolean_value for m in payload.metrics):
            self.rebirth_requests += 1
            self.publish_births()


def _typed(metric: SpbMetric, value: float) -> float | int | bool:
    if metric.datatype == tahu.MetricDataType.Boolean:
        return bool(value)
    if metric.datatype in (tahu.MetricDataType.Float, tahu.MetricDataType.Double):
        return float(value)
    return int(value)
