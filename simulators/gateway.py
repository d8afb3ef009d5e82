"""A simulated equipment gateway: its own MQTT client id and credentials, a Last Will on its
status topic, reconnects with backoff, and a bounded buffer while the broker is unreachable."""

from __future__ import annotations

import collections
import contextlib
import socket
import threading
import time

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from simulators.mqtt import BrokerAddress, make_client

ONLINE, OFFLINE = b"online", b"offline"


class Gateway:
    def __init__(
        self,
        *,
        address: BrokerAddress,
        client_id: str,
        protocol: str,
        status_topic: str,
        buffer_messages: int,
    ) -> None:
        self.status_topic = status_topic
        self.protocol = protocol
        self.client = make_client(
            address=address, client_id=client_id, protocol=protocol, will=(status_topic, OFFLINE)
        )
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_publish = self._on_publish
        self.address = address
        self.buffer: collections.deque[tuple[str, bytes]] = collections.deque(
            maxlen=max(buffer_messages, 0)
        )
        self.connected = threading.Event()
        self.lock = threading.Lock()
        self.sent = self.acked = self.dropped = 0
        self.offline_on_purpose = False
        self.refused: str | None = None

    def start(self) -> None:
        self.client.connect_async(self.address.host, self.address.port, keepalive=15)
        self.client.loop_start()

    def _on_connect(
        self, client: paho.Client, _u: object, _f: object, reason: ReasonCode, _p: object
    ) -> None:
        if reason.is_failure:
            self.refused = str(reason)
            return
        self._publish(self.status_topic, ONLINE, retain=True)
        self.connected.set()
        self._flush()

    def _on_publish(self, *_args: object) -> None:
        with self.lock:
            self.acked += 1

    def _flush(self) -> None:
        with self.lock:
            pending = list(self.buffer)
            self.buffer.clear()
        for topic, payload in pending:
            self._publish(topic, payload)

    def _publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        # MQTT_ERR_NO_CONN (the connection dropped a moment ago) still leaves the QoS 1 message
        # in paho's session, which sends it on reconnection: it counts as sent, never held twice.
        if info.rc in (paho.MQTT_ERR_SUCCESS, paho.MQTT_ERR_NO_CONN):
            with self.lock:
                self.sent += 1
        else:
            self._hold(topic, payload)

    def _hold(self, topic: str, payload: bytes) -> None:
        with self.lock:
            if self.buffer.maxlen is not None and len(self.buffer) == self.buffer.maxlen:
                self.dropped += 1  # the oldest reading goes, as in a ring buffer
            if self.buffer.maxlen:
                self.buffer.append((topic, payload))
            else:
                self.dropped += 1

    def send(self, topic: str, payload: bytes) -> None:
        if self.offline_on_purpose or not self.client.is_connected():
            self.connected.clear()
            self._hold(topic, payload)
        else:
            self._publish(topic, payload)

    def go_offline(self) -> None:
        """Lose the connection as a gateway does: the broker then publishes the Last Will."""
        self.offline_on_purpose = True
        self.connected.clear()
        if self.protocol == "5":
            # MQTT 5 reason 0x04 "Disconnect with Will Message": the broker sends the will.
            self.client.disconnect(reasoncode=ReasonCode(PacketTypes.DISCONNECT, identifier=4))
            self.client.loop_stop()
        else:
            self.client.loop_stop()
            sock = self.client.socket()
            if isinstance(sock, socket.socket):
                sock.close()  # no DISCONNECT packet: MQTT 3.1.1 brokers send the will

    def go_online(self) -> None:
        self.offline_on_purpose = False
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        with contextlib.suppress(OSError):  # loop_forever then retries with backoff
            self.client.reconnect()
        self.client.loop_start()

    @property
    def unacked(self) -> int:
        with self.lock:
            return self.sent - self.acked

    def stop(self, timeout_s: float = 5.0) -> None:
        """Announce offline (retained) and disconnect once outstanding messages are acked."""
        if self.client.is_connected() and not self.offline_on_purpose:
            self._publish(self.status_topic, OFFLINE, retain=True)
            deadline = time.monotonic() + timeout_s
            while self.unacked > 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            self.client.disconnect()
        self.client.loop_stop()
