"""docker-compose.yml and the shipped Mosquitto config are what the docs say they are."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from simulators import publish
from vigil import embedded
from vigil.embedded import ServerUnavailable
from vigil.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def test_compose_has_the_production_services() -> None:
    services = compose()["services"]
    assert {"mosquitto", "influxdb", "postgres", "ingest-1", "ingest-2", "vigil"} <= set(services)
    for name in ("ingest-1", "ingest-2"):
        env = services[name]["environment"]
        assert env["VIGIL_INGEST_GROUP"] == "vigil", "collectors share one subscription"
        assert services[name]["command"] == ["ingest"]
    client_ids = {
        services[n]["environment"]["VIGIL_MQTT_CLIENT_ID"] for n in ("ingest-1", "ingest-2")
    }
    assert len(client_ids) == 2, "each collector needs its own persistent session"
    assert services["influxdb"]["image"].startswith("influxdb:1.")


def test_compose_scrapes_every_collector_on_its_metrics_port() -> None:
    services = compose()["services"]
    config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    targets = {
        t for job in config["scrape_configs"] for s in job["static_configs"] for t in s["targets"]
    }
    collectors = [
        name for name, service in services.items() if service.get("command") == ["ingest"]
    ]
    port = Settings.model_fields["ingest_metrics_port"].default
    assert targets == {f"{name}:{port}" for name in collectors}
    for name in collectors:
        assert services[name]["environment"]["VIGIL_INGEST_METRICS_HOST"] == "0.0.0.0"
    mounted = services["prometheus"]["volumes"][0]
    assert mounted.startswith("./deploy/prometheus/prometheus.yml:")


def test_every_vigil_variable_in_compose_is_a_setting() -> None:
    fields = {f"VIGIL_{name.upper()}" for name in Settings.model_fields}
    for name, service in compose()["services"].items():
        for variable in service.get("environment", {}):
            if variable.startswith("VIGIL_"):
                assert variable in fields, f"{name}: {variable} is not a setting"


@pytest.mark.mosquitto
def test_shipped_acl_keeps_a_gateway_to_its_own_site(tmp_path: Path) -> None:
    deploy = ROOT / "deploy" / "mosquitto"
    extra = f"password_file {deploy / 'passwd'}\nacl_file {deploy / 'acl'}\nallow_anonymous false\n"
    config = (deploy / "mosquitto.conf").read_text()
    for setting in ("max_queued_messages 0", "max_inflight_messages 0", "persistence true"):
        assert setting in config
    try:
        server = embedded.mosquitto(tmp_path, extra_conf=extra)
        # The test listener allows anonymous clients; the shipped config must win.
        server_conf = (
            (tmp_path / "mosquitto.conf").read_text().replace("allow_anonymous true\n", "")
        )
        (tmp_path / "mosquitto.conf").write_text(server_conf)
        server.start()
    except ServerUnavailable as error:
        pytest.fail(str(error))
    received: list[str] = []
    subscribed = threading.Event()
    collector = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="acl-test", protocol=mqtt.MQTTv5)
    collector.username_pw_set("vigil-ingest", "change-me-ingest")
    collector.on_connect = lambda c, *_: c.subscribe("vigil/#", 1)
    collector.on_subscribe = lambda *_: subscribed.set()
    collector.on_message = lambda _c, _u, m: received.append(m.topic)
    collector.connect("127.0.0.1", server.port)
    collector.loop_start()
    try:
        assert subscribed.wait(10)
        gateway = f"mqtt://gw-plant-1:change-me-plant-1@127.0.0.1:{server.port}"
        publish(mqtt_url=gateway, messages=[("vigil/plant-1/p1/telemetry", b"{}")], qos=1)
        # Publishing under another site is refused by the broker (PUBACK "not authorized").
        with contextlib.suppress(Exception):
            publish(
                mqtt_url=gateway,
                messages=[("vigil/tower-a/l1/telemetry", b"{}")],
                qos=1,
                timeout_s=5,
            )
        with pytest.raises(Exception):  # noqa: B017, PT011 (refused at connect: bad password)
            publish(
                mqtt_url=f"mqtt://gw-plant-1:wrong@127.0.0.1:{server.port}",
                messages=[("vigil/plant-1/p1/telemetry", b"{}")],
                qos=1,
                timeout_s=5,
            )
        time.sleep(1.0)
    finally:
        collector.loop_stop()
        collector.disconnect()
        server.stop()
    assert received == ["vigil/plant-1/p1/telemetry"]
