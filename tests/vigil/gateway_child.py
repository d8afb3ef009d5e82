"""A gateway in a process of its own, for tests that kill it with SIGKILL.

``python -m tests.vigil.gateway_child status URL SITE ASSET``: a JSON gateway with its Last Will
on the status topic, which sends one reading. ``... sparkplug URL GROUP NODE``: a Sparkplug B
edge node with the devices ``dev-a`` and ``dev-b``, its NDEATH as the Will. Prints ``ready`` once
connected, then waits to be killed (or told to drop its connection: see below).
"""

from __future__ import annotations

import sys
import time

import orjson

from simulators.gateway import Gateway
from simulators.mqtt import parse_mqtt_url
from simulators.sparkplug import SparkplugEdgeNode, SpbDevice, SpbMetric


def main() -> None:
    mode, url, site, asset = sys.argv[1:5]
    address = parse_mqtt_url(url)
    if mode == "status":
        gateway = Gateway(
            address=address,
            client_id=f"gw-{site}-{asset}",
            protocol="5",
            status_topic=f"vigil/{site}/{asset}/status",
            buffer_messages=10,
        )
        gateway.start()
        if not gateway.connected.wait(15):
            sys.exit("no connection")
        reading = {"asset_type": "pump", "metrics": {"vibration_rms": 1.5}}
        gateway.send(f"vigil/{site}/{asset}/telemetry", orjson.dumps(reading))
    else:
        devices = [SpbDevice(name, [SpbMetric("flow", "m3/h")]) for name in ("dev-a", "dev-b")]
        node = SparkplugEdgeNode(address=address, group=site, node=asset, devices=devices)
        node.start()
        if not node.connected.wait(15):
            sys.exit("no connection")
    print("ready", flush=True)
    # "storm N" on stdin: drop the connection N times (the broker sends the Will each time) and
    # reconnect at once, as a gateway on a flaky link does.
    for line in sys.stdin:
        if mode == "status" and line.startswith("storm"):
            for _ in range(int(line.split()[1])):
                gateway.go_offline()
                time.sleep(0.2)
                gateway.go_online()
                if not gateway.connected.wait(15):
                    sys.exit("no reconnection")
            print("stormed", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
