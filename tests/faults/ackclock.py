"""A QoS 1 publisher that records *when* each message's PUBACK arrived.

The broker-crash test needs it: Mosquitto acknowledges a PUBLISH before it saves it to disk, so
what a SIGKILL may lose is exactly what was acknowledged after the last completed save. Knowing
each acknowledgement's wall-clock time lets the test compare it with the persistence file's mtime.
``simulators.publish`` only counts acknowledgements, hence this small test-only publisher.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion


class AckClock:
    def __init__(self, *, port: int, client_id: str, max_inflight: int = 1000) -> None:
        # paho keeps unacknowledged messages and re-sends them after it reconnects.
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5
        )
        self.client.max_inflight_messages_set(max_inflight)
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(min_delay=1, max_delay=1)
        self.client.on_publish = self._on_publish
        # By message id; no lock shared with publish(): paho calls on_publish holding its own
        # message lock, which publish() takes too. Single dict operations are atomic.
        self._acked_at_mid: dict[int, float] = {}
        self._mid_of_index: list[int] = []
        self._port = port

    def _on_publish(self, _c: Any, _u: Any, mid: int, _reason: Any, _props: Any) -> None:
        self._acked_at_mid.setdefault(mid, time.time())

    def start(self) -> None:
        self.client.connect("127.0.0.1", self._port)
        self.client.loop_start()

    def publish(
        self, messages: Sequence[tuple[str, bytes]], *, rate: float, stop: threading.Event
    ) -> int:
        """Queue every message at about ``rate`` per second; returns how many were queued."""
        if len(messages) >= 65_000:
            raise ValueError("MQTT message ids would wrap: publish fewer than 65,000 messages")
        began = time.monotonic()
        for index, (topic, payload) in enumerate(messages):
            if stop.is_set():
                return index
            self._mid_of_index.append(self.client.publish(topic, payload, qos=1).mid)
            ahead = began + (index + 1) / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        return len(messages)

    @property
    def acked(self) -> int:
        return len(self._acked_at_mid)

    def acked_at(self) -> dict[int, float]:
        """Message index -> time.time() when its PUBACK arrived, for acknowledged messages."""
        return {
            index: self._acked_at_mid[mid]
            for index, mid in enumerate(self._mid_of_index)
            if mid in self._acked_at_mid
        }

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
