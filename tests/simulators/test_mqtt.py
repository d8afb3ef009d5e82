"""Publishing through a real mosquitto: counts, QoS 1 acknowledgements, Last Will, the CLI."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import paho.mqtt.client as paho
import pytest
import typer
from paho.mqtt.enums import CallbackAPIVersion
from typer.testing import CliRunner

from simulators import (
    PublishError,
    ScenarioMessages,
    basic_fleet_messages,
    load_scenario,
    publish,
    run_live,
)
from simulators.scenario import QualitySpec, Scenario
from vigil.commands import simulate
from vigil.embedded import ChildServer, free_port

pytestmark = pytest.mark.mosquitto


class Subscriber:
    """A bare paho subscriber that records every message (topic, payload, retain)."""

    def __init__(self, port: int, topic: str, auth: tuple[str, str] | None = None) -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self.lock = threading.Lock()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
        if auth is not None:
            self.client.username_pw_set(*auth)
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.subscribe(topic, qos=1)
        self.client.loop_start()
        time.sleep(0.3)

    def _on_message(self, _c: object, _u: object, message: paho.MQTTMessage) -> None:
        with self.lock:
            self.messages.append((message.topic, bytes(message.payload), message.retain))

    def wait_for(self, count: int, timeout_s: float = 20.0) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def cli() -> typer.Typer:
    """The `simulate` command alone, so these tests do not depend on the other commands."""
    app = typer.Typer()

    @app.callback()
    def _root() -> None: ...

    simulate.register(app)
    return app


@pytest.fixture
def subscriber(mosquitto_server: ChildServer) -> Iterator[Subscriber]:
    sub = Subscriber(mosquitto_server.port, "simtest/#")
    yield sub
    sub.close()


@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
def test_publish_delivers_every_message_and_counts_acks(
    mosquitto_server: ChildServer, subscriber: Subscriber, protocol: str
) -> None:
    messages = list(
        basic_fleet_messages(
            assets=20,
            readings_per_asset=50,
            batch=5,
            seed=1,
            start_ms=1_700_000_000_000,
            topic_template="simtest/{site}/{asset}/telemetry",
        )
    )
    report = publish(
        mqtt_url=f"mqtt://127.0.0.1:{mosquitto_server.port}",
        messages=messages,
        protocol=protocol,
        max_inflight=50,
    )
    assert report.messages_sent == report.messages_acked == 200
    subscriber.wait_for(200)
    assert sorted(p for _, p, _ in subscriber.messages) == sorted(p for _, p in messages)


def test_publish_rate_cap_is_respected(mosquitto_server: ChildServer) -> None:
    messages = basic_fleet_messages(
        assets=2,
        readings_per_asset=50,
        batch=1,
        seed=1,
        start_ms=0,
        topic_template="simtest/{site}/{asset}/rate",
    )
    report = publish(
        mqtt_url=f"mqtt://127.0.0.1:{mosquitto_server.port}", messages=messages, rate=200
    )
    assert report.messages_acked == 100
    assert report.seconds >= 0.45


def test_publish_to_nothing_fails_clearly() -> None:
    with pytest.raises(PublishError, match=r"cannot connect to MQTT broker 127.0.0.1:\d+"):
        publish(mqtt_url=f"mqtt://127.0.0.1:{free_port()}", messages=[("t", b"x")], timeout_s=2)
    with pytest.raises(PublishError, match="expected mqtt://"):
        publish(mqtt_url="http://127.0.0.1", messages=[])


def test_publish_refused_credentials_fail_clearly(start_mosquitto: object) -> None:
    server = start_mosquitto("allow_anonymous false\n")  # type: ignore[operator]
    with pytest.raises(PublishError, match="refused"):
        publish(
            mqtt_url=f"mqtt://nobody:wrong@127.0.0.1:{server.port}",
            messages=[("t", b"x")],
            timeout_s=5,
        )


@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
def test_live_gateways_announce_status_and_last_will_on_outage(
    mosquitto_server: ChildServer, protocol: str
) -> None:
    prefix = f"live{protocol.replace('.', '')}"
    sub = Subscriber(mosquitto_server.port, f"{prefix}/#")
    scenario = replace(
        load_scenario("demo"),
        start=None,
        quality=(QualitySpec("pump-001", "gateway_offline", 3600.0, 1800.0),),
    )
    stop = threading.Event()
    timer = threading.Timer(4.0, stop.set)
    timer.start()
    # 4 s at 2700x covers 3 simulated hours, the outage included.
    report = run_live(
        mqtt_url=f"mqtt://127.0.0.1:{mosquitto_server.port}",
        stop=stop,
        scenario=scenario,
        speed=2700,
        batch=20,
        protocol=protocol,
        topic_template=prefix + "/{site}/{asset}/telemetry",
        status_topic_template=prefix + "/{site}/{asset}/status",
    )
    time.sleep(0.5)
    sub.close()
    assert report.messages_sent == report.messages_acked > 0
    pump = [p for t, p, _ in sub.messages if t == f"{prefix}/waterworks/pump-001/status"]
    # online, the Last Will during the outage, online again, offline at the end.
    assert pump == [b"online", b"offline", b"online", b"offline"]
    statuses = {t for t, _, _ in sub.messages if t.endswith("/status")}
    assert len(statuses) == 12
    readings = [orjson.loads(p) for t, p, _ in sub.messages if t.endswith("/telemetry")]
    assert sum(len(r["readings"]) for r in readings) == report.readings_sent


def test_status_is_retained_for_late_subscribers(mosquitto_server: ChildServer) -> None:
    stop = threading.Event()
    threading.Timer(1.5, stop.set).start()
    scenario = replace(load_scenario("demo"), start=None)
    run_live(
        mqtt_url=f"mqtt://127.0.0.1:{mosquitto_server.port}",
        stop=stop,
        scenario=scenario,
        status_topic_template="retained/{site}/{asset}/status",
        tick_s=0.5,
    )
    late = Subscriber(mosquitto_server.port, "retained/#")
    late.wait_for(12, timeout_s=5)
    late.close()
    # A gateway that stops cleanly leaves `offline` retained, as its Last Will would have.
    assert sorted(late.messages) == sorted(
        (scenario_topic, b"offline", True) for scenario_topic in _status_topics(scenario)
    )


def _status_topics(scenario: Scenario) -> list[str]:
    return [f"retained/{a.site}/{a.id}/status" for a in scenario.assets]


def test_cli_load_generator_reports_json(mosquitto_server: ChildServer) -> None:
    app = cli()
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "--mqtt-url",
            f"mqtt://127.0.0.1:{mosquitto_server.port}",
            "--assets",
            "5",
            "--rate",
            "500",
            "--duration",
            "1",
            "--batch",
            "5",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.output.strip().splitlines()[-1])
    assert report["published"] == report["acknowledged"] > 50
    assert report["readings"] == 5 * report["published"]


def test_cli_backfill_writes_labels(mosquitto_server: ChildServer, tmp_path: object) -> None:
    from pathlib import Path

    app = cli()
    labels = Path(str(tmp_path)) / "labels.json"
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "--mqtt-url",
            f"mqtt://127.0.0.1:{mosquitto_server.port}",
            "--scenario",
            "demo",
            "--backfill",
            "scenario",
            "--start",
            "2026-10-01T00:00:00Z",
            "--batch",
            "100",
            "--labels-out",
            str(labels),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.output.strip().splitlines()[-1])
    assert report["readings"] == 12 * 6 * 360
    assert report["acknowledged"] == report["published"]
    assert orjson.loads(labels.read_bytes())["faults"][0]["onset"] == "2026-10-01T01:30:00Z"


def test_cli_bad_scenario_exits_2(tmp_path: object) -> None:
    app = cli()
    result = CliRunner().invoke(app, ["simulate", "--scenario", "no-such-scenario"])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_publish_survives_a_broker_restart(start_mosquitto: Any) -> None:
    server = start_mosquitto()
    messages = basic_fleet_messages(
        assets=10,
        readings_per_asset=600,
        batch=1,
        seed=1,
        start_ms=0,
        topic_template="restart/{site}/{asset}/t",
    )
    restart = threading.Timer(0.5, server.restart)
    restart.start()
    report = publish(
        mqtt_url=f"mqtt://127.0.0.1:{server.port}", messages=messages, rate=3000, timeout_s=30
    )
    restart.join()
    assert report.reconnects >= 1
    assert report.messages_sent == report.messages_acked == 6000


def test_gateways_buffer_while_the_broker_is_down_and_send_late(start_mosquitto: Any) -> None:
    server = start_mosquitto()
    scenario = replace(load_scenario("demo"), start=None, gateway_buffer=100_000)
    stop = threading.Event()
    received: list[Subscriber] = []

    def outage() -> None:
        server.stop()
        time.sleep(2.0)
        server.start()
        received.append(Subscriber(server.port, "buffered/#"))
        time.sleep(4.0)
        stop.set()

    threading.Timer(1.0, outage).start()
    report = run_live(
        mqtt_url=f"mqtt://127.0.0.1:{server.port}",
        stop=stop,
        scenario=scenario,
        speed=600,
        batch=10,
        topic_template="buffered/{site}/{asset}/telemetry",
        tick_s=0.1,
    )
    (sub,) = received
    sub.close()
    # Readings made while the broker was down arrive after it is back, their timestamps intact.
    assert report.messages_acked == report.messages_sent
    late = [
        r["ts"]
        for t, p, _ in sub.messages
        if t.endswith("/telemetry")
        for r in orjson.loads(p)["readings"]
    ]
    assert len(late) > 12 * 60  # 2 s at 600x is 20 simulated minutes: 120 readings per asset
    assert report.extra["dropped_while_offline"] == 0


def test_each_gateway_uses_its_own_credentials(start_mosquitto: Any, tmp_path: Path) -> None:
    # A broker like the shipped one: no anonymous access, each gateway writes only its own site.
    sites = ("tower", "waterworks", "factory")
    passwd, acl = tmp_path / "passwd", tmp_path / "acl"
    subprocess.run(["mosquitto_passwd", "-b", "-c", passwd, "admin", "admin-pw"], check=True)
    rules = ["user admin", "topic read #"]
    for site in sites:
        subprocess.run(["mosquitto_passwd", "-b", passwd, f"gw-{site}", f"pw-{site}"], check=True)
        rules += [f"user gw-{site}", f"topic readwrite vigil/{site}/#"]
    acl.write_text("\n".join(rules) + "\n")
    # `user root`: a broker started as root would otherwise drop to `mosquitto`, which cannot
    # read the test's private temporary directory.
    server = start_mosquitto(
        f"user root\nallow_anonymous false\npassword_file {passwd}\nacl_file {acl}\n"
    )
    sub = Subscriber(server.port, "vigil/#", auth=("admin", "admin-pw"))
    scenario = replace(
        load_scenario("demo"),
        start=None,
        gateway_username="gw-{site}",
        gateway_password="pw-{site}",
    )
    stop = threading.Event()
    threading.Timer(2.5, stop.set).start()
    report = run_live(
        mqtt_url=f"mqtt://127.0.0.1:{server.port}",
        stop=stop,
        scenario=scenario,
        speed=600,
        batch=10,
    )
    time.sleep(0.3)
    sub.close()
    assert report.messages_sent == report.messages_acked > 0
    telemetry = {t.split("/")[1] for t, _, _ in sub.messages if t.endswith("/telemetry")}
    assert telemetry == set(sites)


def test_live_fails_clearly_when_no_gateway_can_connect(start_mosquitto: Any) -> None:
    server = start_mosquitto("allow_anonymous false\n")
    stop = threading.Event()
    with pytest.raises(PublishError, match=r"no gateway could connect .*refused: Not authorized"):
        run_live(
            mqtt_url=f"mqtt://127.0.0.1:{server.port}",
            stop=stop,
            scenario=load_scenario("demo"),
            connect_timeout_s=3,
        )
    with pytest.raises(PublishError, match="no connection in 1s"):
        run_live(
            mqtt_url=f"mqtt://127.0.0.1:{free_port()}", stop=stop, assets=2, connect_timeout_s=1
        )


def test_live_and_backfill_publish_the_same_payloads(mosquitto_server: ChildServer) -> None:
    scenario = load_scenario("demo")
    start = (time.time() - 3600) // 10 * 10
    template = "same/{site}/{asset}/telemetry"
    sub = Subscriber(mosquitto_server.port, "same/#")
    stop = threading.Event()
    threading.Timer(2.5, stop.set).start()
    # An hour of simulated time in about one second, then real time.
    run_live(
        mqtt_url=f"mqtt://127.0.0.1:{mosquitto_server.port}",
        stop=stop,
        scenario=scenario,
        speed=3600,
        batch=10,
        start_s=start,
        topic_template=template,
    )
    time.sleep(0.3)
    sub.close()
    backfill = ScenarioMessages(
        scenario,
        seed=scenario.seed,
        start_s=start,
        end_s=start + 3000,
        batch=10,
        topic_template=template,
    )
    expected = set(backfill)
    live = {(t, p) for t, p, _ in sub.messages if t.endswith("/telemetry")}
    assert len(expected) == 12 * 30
    assert expected <= live


def test_publish_over_tls(start_mosquitto: Any, tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            key,
            "-out",
            cert,
        ],
        check=True,
        capture_output=True,
    )
    tls_port = free_port()
    server = start_mosquitto(
        f"user root\nlistener {tls_port} 127.0.0.1\ncertfile {cert}\nkeyfile {key}\n"
    )
    assert server.running
    messages = [("tls/s/a/telemetry", b'{"ts": 1, "asset_type": "pump", "metrics": {"x": 1}}')] * 20
    report = publish(mqtt_url=f"mqtts://127.0.0.1:{tls_port}", messages=messages, ca_file=str(cert))
    assert report.messages_acked == 20
    with pytest.raises(PublishError, match="cannot connect"):  # not trusted without the CA
        publish(mqtt_url=f"mqtts://127.0.0.1:{tls_port}", messages=messages, timeout_s=5)


def test_acl_refusals_are_reported(start_mosquitto: Any, tmp_path: Path) -> None:
    passwd, acl = tmp_path / "passwd", tmp_path / "acl"
    subprocess.run(["mosquitto_passwd", "-b", "-c", passwd, "gw-s01", "pw"], check=True)
    acl.write_text("user gw-s01\ntopic write vigil/s01/#\n")
    server = start_mosquitto(
        f"user root\nallow_anonymous false\npassword_file {passwd}\nacl_file {acl}\n"
    )
    messages = basic_fleet_messages(
        assets=4, readings_per_asset=5, batch=5, seed=1, start_ms=0, sites=2
    )
    report = publish(mqtt_url=f"mqtt://gw-s01:pw@127.0.0.1:{server.port}", messages=messages)
    assert report.messages_acked == 4
    assert report.extra == {"failed_acks": 2}  # the two assets of site s02
