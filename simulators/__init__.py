"""A seeded equipment fleet that talks to Vigil only through MQTT, like real gateways.

Nothing here imports the rest of Vigil: the gateway contract is spoken, not shared.
"""

from simulators.basic import basic_fleet_messages
from simulators.fleet import AssetStream, ScenarioMessages, asset_frame, streams
from simulators.labels import FaultWindow, Labels, QualityEpisode, build_labels, load_labels
from simulators.live import run_live
from simulators.mqtt import PublishError, PublishReport, parse_mqtt_url, publish
from simulators.scenario import Scenario, ScenarioError, healthy_fleet, load_scenario

__all__ = [
    "AssetStream",
    "FaultWindow",
    "Labels",
    "PublishError",
    "PublishReport",
    "QualityEpisode",
    "Scenario",
    "ScenarioError",
    "ScenarioMessages",
    "asset_frame",
    "basic_fleet_messages",
    "build_labels",
    "healthy_fleet",
    "load_labels",
    "load_scenario",
    "parse_mqtt_url",
    "publish",
    "run_live",
    "streams",
]
