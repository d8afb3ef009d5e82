"""What each metric of an asset is: unit, and for Sparkplug B its name and datatype there."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from api import readmodels
from api.deps import ConfigDep, CurrentKey, FleetDep, SessionDep
from ingest.metrics import CANONICAL_METRICS
from ingest.sparkplug.catalog import CATALOG_FILE, MetricCatalog

router = APIRouter(prefix="/assets", tags=["assets"])


class AssetMetric(BaseModel):
    metric: str
    unit: str | None = Field(
        description="From the Sparkplug BIRTH, else the contract's canonical unit"
    )
    source: str = Field(description="'sparkplug' (declared in a BIRTH) or 'contract'")
    sparkplug_name: str | None = None
    sparkplug_datatype: str | None = None


@router.get(
    "/{asset}/metrics",
    response_model=list[AssetMetric],
    responses={404: {"description": "No such asset"}},
    summary="The asset's metrics with their units (and Sparkplug B names and datatypes)",
)
def asset_metrics(
    asset: str, fleet: FleetDep, config: ConfigDep, session: SessionDep, key: CurrentKey
) -> list[AssetMetric]:
    path = config.data_dir / CATALOG_FILE
    declared = []
    if path.exists():
        catalog = MetricCatalog(path)
        try:
            declared = catalog.for_asset(asset)
        finally:
            catalog.close()
    snapshot = fleet.get(asset)
    if not declared and snapshot is None and readmodels.asset_record(session, asset=asset) is None:
        raise HTTPException(404, detail=f"no asset {asset!r} is known")
    out = [
        AssetMetric(
            metric=e.metric,
            unit=e.unit,
            source="sparkplug",
            sparkplug_name=e.sparkplug_name,
            sparkplug_datatype=e.datatype,
        )
        for e in declared
    ]
    seen = {e.metric for e in declared}
    for name in sorted(snapshot.metrics if snapshot is not None else {}):
        if name not in seen:
            canonical = CANONICAL_METRICS.get(name)
            out.append(
                AssetMetric(metric=name, unit=canonical and canonical.unit, source="contract")
            )
    return out
