"""The one module that touches paho: connection settings from a URL and a fast QoS 1 publisher.

``publish`` drives paho's network loop itself from the calling thread (no ``loop_start``): each
``publish()`` then writes straight to the socket and acknowledgements are read in bulk, which is
several times faster than handing every message to paho's background thread.
"""

from __future__ import annotations

import select
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties


class PublishError(RuntimeError):
    """Publishing failed: cannot connect, refused, or acknowledgements stopped coming."""


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None
    ca_file: str | None = None  # CA certificates for mqtts:// (default: the system's)


def parse_mqtt_url(
    url: str,
    *,
    username: str | None = None,
    password: str | None = None,
    ca_file: str | None = None,
) -> BrokerAddress:
    """``mqtt://user:pass@host:1883`` or ``mqtts://...``; explicit credentials win over the URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
        raise PublishError(f"expected mqtt://[user:pass@]host[:port] or mqtts://..., got {url!r}")
    tls = parts.scheme in ("mqtts", "ssl")
    try:
        port = parts.port or (8883 if tls else 1883)
    except ValueError as error:
        raise PublishError(f"bad port in MQTT URL {url!r}: {error}") from None
    user = (
        username if username is not None else (unquote(parts.username) if parts.username else None)
    )
    secret = (
        password if password is not None else (unquote(parts.password) if parts.password else None)
    )
    return BrokerAddress(parts.hostname, port, tls, user, secret, ca_file)


def make_client(
    *, address: BrokerAddress, client_id: str, protocol: str, will: tuple[str, bytes] | None = None
) -> paho.Client:
    """A paho client configured for a gateway: its id, credentials, TLS and Last Will."""
    if protocol not in ("5", "3.1.1"):
        raise PublishError(f"protocol must be '5' or '3.1.1', got {protocol!r}")
    version = paho.MQTTv5 if protocol == "5" else paho.MQTTv311
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=version)
    if address.username is not None:
        client.username_pw_set(address.username, address.password)
    if address.tls:
        client.tls_set(ca_certs=address.ca_file, cert_reqs=ssl.CERT_REQUIRED)
    if will is not None:
        client.will_set(will[0], will[1], qos=1, retain=True)
    # The broker's queue, not paho's, bounds what is in flight: publish() counts for itself.
    client.max_inflight_messages_set(0)
    client.max_queued_messages_set(0)
    return client


@dataclass
class PublishReport:
    messages_sent: int
    messages_acked: int
    seconds: float
    readings_sent: int = 0
    reconnects: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def messages_per_s(self) -> float:
        return self.messages_acked / self.seconds if self.seconds > 0 else 0.0

    @property
    def readings_per_s(self) -> float:
        return self.readings_sent / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "published": self.messages_sent,
            "acknowledged": self.messages_acked,
            "readings": self.readings_sent,
            "seconds": round(self.seconds, 3),
            "messages_per_s": round(self.messages_per_s, 1),
            "readings_per_s": round(self.readings_per_s, 1),
            "reconnects": self.reconnects,
            **self.extra,
        }


class _Session:
    """State the paho callbacks update; read by the publishing loop in the same thread."""

    def __init__(self) -> None:
        self.connected = False
        self.refused: str | None = None
        self.acked = 0
        self.failed_acks = 0
        self.receive_maximum: int | None = None
        self.disconnects = 0

    def on_connect(
        self, _c: paho.Client, _u: object, _f: object, reason: Any, props: Properties | None
    ) -> None:
        if reason.is_failure:
            self.refused = str(reason)
            return
        self.connected = True
        limit = getattr(props, "ReceiveMaximum", None) if props is not None else None
        self.receive_maximum = int(limit) if limit else None

    def on_disconnect(self, *_args: object) -> None:
        self.connected = False
        self.disconnects += 1

    def on_publish(self, _c: paho.Client, _u: object, _mid: int, reason: Any, _p: object) -> None:
        self.acked += 1
        if getattr(reason, "is_failure", False):
            self.failed_acks += 1


def _pump(client: paho.Client, wait_s: float) -> None:
    """Read whatever the broker sent (acks), flush pending writes, keep the connection alive."""
    sock = client.socket()
    if sock is None:
        return
    wlist = [sock] if client.want_write() else []
    readable, writable, _ = select.select([sock], wlist, [], max(wait_s, 0.0))
    if readable:
        client.loop_read()
    if writable or client.want_write():
        client.loop_write()
    client.loop_misc()


def _connect(
    client: paho.Client, session: _Session, address: BrokerAddress, timeout_s: float
) -> None:
    try:
        client.connect(address.host, address.port, keepalive=30)
    except (OSError, ssl.SSLError) as error:
        raise PublishError(
            f"cannot connect to MQTT broker {address.host}:{address.port}: {error}"
        ) from None
    deadline = time.monotonic() + timeout_s
    while not session.connected:
        if session.refused is not None:
            raise PublishError(
                f"MQTT broker {address.host}:{address.port} refused: {session.refused}"
            )
        if time.monotonic() > deadline:
            raise PublishError(f"no CONNACK from {address.host}:{address.port} in {timeout_s:.0f}s")
        _pump(client, 0.05)


def publish(
    *,
    mqtt_url: str,
    messages: Iterable[tuple[str, bytes]],
    qos: int = 1,
    max_inflight: int = 1000,
    rate: float | None = None,
    client_id: str | None = None,
    protocol: str = "5",
    progress: bool = False,
    stop: threading.Event | None = None,
    timeout_s: float = 120.0,
    username: str | None = None,
    password: str | None = None,
    ca_file: str | None = None,
    total: int | None = None,
    readings_in: Callable[[bytes], int] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> PublishReport:
    """Publish every message with bounded in-flight QoS 1 and return once all are acknowledged.

    ``rate`` caps messages per second (None: as fast as the broker acknowledges). ``stop`` ends
    early (what was sent is still awaited). Raises PublishError when the broker cannot be reached,
    refuses, or acknowledgements stop for ``timeout_s``. ``readings_in`` counts readings per
    payload for the report; ``total`` sizes the progress bar when ``messages`` has no length.
    """
    if qos not in (0, 1, 2):
        raise PublishError(f"qos must be 0, 1 or 2, got {qos}")
    if max_inflight < 1:
        raise PublishError("max_inflight must be >= 1")
    address = parse_mqtt_url(mqtt_url, username=username, password=password, ca_file=ca_file)
    session = _Session()
    client = make_client(
        address=address,
        client_id=client_id or f"vigil-sim-{uuid.uuid4().hex[:8]}",
        protocol=protocol,
    )
    client.on_connect = session.on_connect
    client.on_disconnect = session.on_disconnect
    client.on_publish = session.on_publish
    if total is None and isinstance(messages, Sized):
        total = len(messages)
    bar = _ProgressBar(total) if progress else None
    started = time.monotonic()
    sent = readings = reconnects = 0
    try:
        _connect(client, session, address, timeout_s)
        window = min(max_inflight, session.receive_maximum or max_inflight)
        last_ack, last_ack_at = 0, time.monotonic()
        for topic, payload in messages:
            if stop is not None and stop.is_set():
                break
            while True:
                if not session.connected:
                    reconnects += 1
                    _reconnect(client, session, address, timeout_s)
                inflight = sent - session.acked if qos else 0
                if inflight < window:
                    break
                _pump(client, 0.01)
                last_ack, last_ack_at = _check_progress(session, last_ack, last_ack_at, timeout_s)
            client.publish(topic, payload, qos=qos)
            sent += 1
            if readings_in is not None:
                readings += readings_in(payload)
            if sent % 64 == 0:
                _pump(client, 0.0)
                if bar is not None:
                    bar.update(sent)
                if on_progress is not None:
                    on_progress(sent)
            if rate is not None:
                # Acks wake the pump early: keep waiting until this message's slot has come.
                while (ahead := started + sent / rate - time.monotonic()) > 0:
                    _pump(client, ahead)
        while qos and session.acked < sent:
            if not session.connected:
                reconnects += 1
                _reconnect(client, session, address, timeout_s)
            _pump(client, 0.05)
            last_ack, last_ack_at = _check_progress(session, last_ack, last_ack_at, timeout_s)
        seconds = time.monotonic() - started
    finally:
        if bar is not None:
            bar.close(sent)
        client.disconnect()
    acked = session.acked if qos else sent
    return PublishReport(
        sent,
        acked,
        seconds,
        readings_sent=readings,
        reconnects=reconnects,
        extra={"failed_acks": session.failed_acks} if session.failed_acks else {},
    )


def _check_progress(
    session: _Session, last_ack: int, last_at: float, timeout_s: float
) -> tuple[int, float]:
    now = time.monotonic()
    if session.acked != last_ack:
        return session.acked, now
    if now - last_at > timeout_s:
        raise PublishError(
            f"no acknowledgement from the broker for {timeout_s:.0f}s "
            f"({session.acked} acknowledged so far)"
        )
    return last_ack, last_at


def _reconnect(
    client: paho.Client, session: _Session, address: BrokerAddress, timeout_s: float
) -> None:
    """Reconnect with backoff; paho re-sends the unacknowledged messages itself."""
    delay, deadline = 0.1, time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            client.reconnect()
        except OSError:
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
            continue
        _connect_wait(client, session, deadline)
        if session.connected:
            return
        if session.refused is not None:
            raise PublishError(
                f"MQTT broker {address.host}:{address.port} refused: {session.refused}"
            )
        time.sleep(delay)  # connected and dropped at once: do not hammer the broker
        delay = min(delay * 2, 5.0)
    raise PublishError(
        f"lost the MQTT broker {address.host}:{address.port} "
        f"and could not reconnect in {timeout_s:.0f}s"
    )


def _connect_wait(client: paho.Client, session: _Session, deadline: float) -> None:
    """Until connected, refused, or the new connection drops too (then the caller retries)."""
    dropped = session.disconnects
    while (
        not session.connected
        and session.refused is None
        and session.disconnects == dropped
        and client.socket() is not None
        and time.monotonic() < deadline
    ):
        _pump(client, 0.05)


class _ProgressBar:
    """A rich progress bar on stderr, updated from the publishing loop."""

    def __init__(self, total: int | None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("publishing"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task = self._progress.add_task("publish", total=total)
        self._progress.start()
        self._last = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now - self._last > 0.2:
            self._last = now
            self._progress.update(self._task, completed=done)

    def close(self, done: int) -> None:
        # The total may have been an estimate (episodes drop readings): end the bar full.
        self._progress.update(self._task, total=done, completed=done)
        self._progress.stop()
