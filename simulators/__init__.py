"""A seeded equipment fleet that talks to Vigil only through MQTT, like real gateways.

Nothing here imports the rest of Vigil: the gateway contract is spoken, not shared.
"""

from simulators.basic import basic_fleet_messages
from simulators.mqtt import PublishError, PublishReport, parse_mqtt_url, publish

__all__ = [
    "PublishError",
    "PublishReport",
    "basic_fleet_messages",
    "parse_mqtt_url",
    "publish",
]
