"""Asset types of the rich fleet, each a pure seeded model (no MQTT inside)."""

from __future__ import annotations

from simulators.equipment.air_compressor import AirCompressor
from simulators.equipment.base import AssetModel, Block
from simulators.equipment.chiller import Chiller
from simulators.equipment.elevator import Elevator
from simulators.equipment.pump import Pump

ASSET_MODELS: dict[str, AssetModel] = {
    model.asset_type: model for model in (Elevator(), Chiller(), Pump(), AirCompressor())
}

__all__ = ["ASSET_MODELS", "AssetModel", "Block"]
