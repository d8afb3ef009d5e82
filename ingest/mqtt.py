"""The one place that touches paho-mqtt callbacks: a subscriber with manual, in-order acks.

Persistent session (clean_start=False plus a session expiry, or clean_session=False on 3.1.1) so
the broker keeps QoS 1 messages for the collector across restarts; subscribe in on_connect so a
reconnect re-subscribes; ``on_message`` only hands the message off.

Acknowledgements are coalesced: ``ack`` only queues the message id, and a small thread hands
everything queued so far to paho as one write of back-to-back PUBACK packets. ``Client.ack`` per
message would instead wake paho's network thread once per message (a byte on its wake-up socket
pair, and a ``send`` per PUBACK), passing the GIL back and forth thousands of times per batch.
"""

from __future__ import annotations

import logging
import queue
import ssl
import struct
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

log = logging.getLogger(__name__)

# PUBACK, fixed header and remaining length 2, then the packet id: the same 4 bytes in MQTT 3.1.1
# and 5 (reason code "success" and no properties may be omitted in 5), so one 32-bit word each.
_PUBACK = 0x40
_PUBACK_WORD = 0x4002_0000
_STOP_ACKS = -1


@dataclass(frozen=True)
class MqttConfig:
    url: str
    client_id: str
    subscriptions: Sequence[str]
    protocol: str = "5"
    session_expiry_s: int = 7 * 24 * 3600
    ca_file: Path | None = None
    # How many unacknowledged QoS 1 messages the broker may send us (MQTT 5 Receive Maximum):
    # the bound on what the collector holds in memory while a batch is being stored.
    receive_maximum: int = 20_000
    keepalive_s: int = 30
    # (topic, online payload, offline payload): announced retained at each connection, the
    # offline one as the Last Will and at a clean stop (Sparkplug B's host STATE).
    presence: tuple[str, bytes, bytes] | None = None


@dataclass(slots=True)
class Message:
    topic: str
    payload: bytes
    mid: int
    qos: int
    received_ms: int


def _pubacks(mids: list[int]) -> bytes:
    """Back-to-back PUBACK packets for these message ids, in order."""
    return struct.pack(f"!{len(mids)}I", *[_PUBACK_WORD | mid for mid in mids])


def broker_address(url: str) -> tuple[str, int, str | None, str | None, bool]:
    parts = urlsplit(url)
    tls = parts.scheme in ("mqtts", "ssl")
    port = parts.port or (8883 if tls else 1883)
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return parts.hostname or "127.0.0.1", port, username, password, tls


class MqttSubscriber:
    def __init__(self, config: MqttConfig, on_message: Callable[[Message], None]) -> None:
        self.config = config
        self.connected = threading.Event()
        self.session_present: bool | None = None
        self.last_error: str | None = None
        self._deliver = on_message
        # (mid << 2) | qos of messages to acknowledge, in the order ack() was called.
        self._acks: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._acker: threading.Thread | None = None
        self._coalesce = True
        v5 = config.protocol == "5"
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=config.client_id,
            protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
            clean_session=None if v5 else False,
            manual_ack=True,
        )
        host, port, username, password, tls = broker_address(config.url)
        self._host, self._port = host, port
        if username:
            self._client.username_pw_set(username, password)
        if tls:
            self._client.tls_set(
                ca_certs=str(config.ca_file) if config.ca_file else None,
                cert_reqs=ssl.CERT_REQUIRED,
            )
        if config.presence is not None:
            topic, _, offline = config.presence
            self._client.will_set(topic, offline, qos=1, retain=True)
        self._client.reconnect_delay_set(min_delay=1, max_delay=30)
        self._client.max_queued_messages_set(0)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message

    def start(self) -> None:
        properties = None
        kwargs: dict[str, Any] = {}
        if self.config.protocol == "5":
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            properties.SessionExpiryInterval = self.config.session_expiry_s
            properties.ReceiveMaximum = self.config.receive_maximum
            kwargs["clean_start"] = False
        self._client.connect_async(
            self._host,
            self._port,
            keepalive=self.config.keepalive_s,
            properties=properties,
            **kwargs,
        )
        self._client.loop_start()
        self._acker = threading.Thread(target=self._send_acks, name="mqtt-acks", daemon=True)
        self._acker.start()

    def wait_connected(self, timeout: float) -> bool:
        return self.connected.wait(timeout)

    def ack(self, mid: int, qos: int) -> None:
        """Acknowledge a message; acks reach the broker in the order of these calls."""
        if qos > 0:
            if self._acker is None:
                self._client.ack(mid, qos)
            else:
                self._acks.put(mid << 2 | qos)

    def publish(self, topic: str, payload: bytes, qos: int = 0) -> None:
        """Send a message from the collector's own session (Sparkplug's Rebirth commands)."""
        self._client.publish(topic, payload, qos=qos)

    def stop(self) -> None:
        """Send the acks queued so far, then disconnect (after them: paho writes in order)."""
        if self._acker is not None:
            self._acks.put(_STOP_ACKS)
            self._acker.join(10)
            self._acker = None
        if self.config.presence is not None and self._client.is_connected():
            topic, _, offline = self.config.presence
            self._client.publish(topic, offline, qos=1, retain=True)
        self._client.disconnect()
        self._client.loop_stop()

    def _send_acks(self) -> None:
        while True:
            items = [self._acks.get()]
            try:
                while True:
                    items.append(self._acks.get_nowait())
            except queue.Empty:
                pass
            stop = _STOP_ACKS in items
            pending = [item for item in items if item != _STOP_ACKS] if stop else items
            try:
                self._send_ack_items(pending)
            except Exception:
                # A paho whose internal packet queue has another signature must not kill this
                # thread: every later ack would be lost and ingest would stall at Receive Maximum.
                if not self._coalesce:
                    raise
                log.exception("coalesced acks failed; acknowledging one message at a time")
                self._coalesce = False
                self._send_ack_items(pending)
            if stop:
                return

    def _send_ack_items(self, items: list[int]) -> None:
        # paho has no public call for several acks; its internal packet queue is what Client.ack
        # ends in. Without it (another paho version), fall back to one Client.ack per message.
        packet_queue = getattr(self._client, "_packet_queue", None) if self._coalesce else None
        if packet_queue is None:
            for item in items:
                self._client.ack(item >> 2, item & 3)
            return
        mids: list[int] = []
        for item in items:
            if item & 3 == 1:
                mids.append(item >> 2)
                continue
            if mids:
                packet_queue(_PUBACK, _pubacks(mids), 0, 1)
                mids = []
            self._client.ack(item >> 2, item & 3)
        if mids:
            packet_queue(_PUBACK, _pubacks(mids), 0, 1)

    # -- paho callbacks (network thread) --------------------------------------------------------

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if reason.is_failure:
            self.last_error = f"broker refused the connection: {reason}"
            log.error("MQTT %s:%s %s", self._host, self._port, self.last_error)
            return
        self.session_present = bool(flags.session_present)
        log.info(
            "MQTT connected to %s:%s as %s (session present: %s)",
            self._host,
            self._port,
            self.config.client_id,
            self.session_present,
        )
        client.subscribe([(topic, 1) for topic in self.config.subscriptions])
        if self.config.presence is not None:
            topic, online, _ = self.config.presence
            client.publish(topic, online, qos=1, retain=True)
        self.last_error = None

    def _on_subscribe(
        self, client: mqtt.Client, userdata: Any, mid: int, reasons: Any, properties: Any
    ) -> None:
        # "Connected" means subscribed: a message published between CONNACK and the broker
        # taking the SUBSCRIBE matches no subscription of a new session and is not delivered.
        # The likely cause of tests/ingest/test_malformed.py timing out waiting for its messages
        # (2 of about 60 runs), which publishes as soon as the collector says it is connected.
        refused = [str(reason) for reason in reasons if reason.is_failure]
        if refused:
            self.last_error = f"broker refused the subscription: {', '.join(refused)}"
            log.error("MQTT %s:%s %s", self._host, self._port, self.last_error)
            return
        self.connected.set()

    def _on_disconnect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        self.connected.clear()
        if reason.is_failure:
            self.last_error = f"disconnected: {reason}"
            log.warning("MQTT %s:%s %s; reconnecting", self._host, self._port, self.last_error)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        # Brokers refuse non-UTF-8 topics, but a decoding error here would kill paho's thread.
        topic = bytes(message._topic).decode("utf-8", errors="replace")
        self._deliver(
            Message(
                topic, bytes(message.payload), message.mid, message.qos, int(time.time() * 1000)
            )
        )
