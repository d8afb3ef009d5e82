"""Asset records (site, model, serial number, install date, criticality), by id.

``/assets`` is the health view by asset name; these are the records behind it. The collector
creates a record on first sight; an import or a service manager completes it here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, status

from api.deps import CustomerScope, PathId, QueryId, RecordsKey, SessionDep
from customers import assets
from customers.schemas import AssetCreate, AssetRead, AssetUpdate

router = APIRouter(prefix="/asset-records", tags=["asset records"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such asset (or not yours)"},
    409: {"description": "The serial number or the name at that site is taken"},
}


@router.get("", response_model=list[AssetRead], summary="Asset records by site and name")
def list_assets(
    session: SessionDep, scope: CustomerScope, site_id: QueryId = None
) -> list[AssetRead]:
    rows = assets.list_assets(session=session, customer_id=scope, site_id=site_id)
    return [AssetRead.model_validate(r) for r in rows]


@router.post(
    "",
    response_model=AssetRead,
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    summary="Register an asset before its gateway reports",
)
def create_asset(body: AssetCreate, session: SessionDep, key: RecordsKey) -> AssetRead:
    row = assets.create_asset(
        session=session,
        site_id=body.site_id,
        asset=body.asset,
        asset_type=body.asset_type,
        data=assets.AssetData(
            model=body.model,
            serial_number=body.serial_number,
            install_date=body.install_date,
            purchased_on=body.purchased_on,
            purchase_value=body.purchase_value,
            criticality=body.criticality,
        ),
        now=datetime.now(UTC),
    )
    return AssetRead.model_validate(row)


@router.get("/{asset_id}", response_model=AssetRead, responses=_ERRORS, summary="One asset record")
def get_asset(asset_id: PathId, session: SessionDep, scope: CustomerScope) -> AssetRead:
    return AssetRead.model_validate(
        assets.get_asset(session=session, asset_id=asset_id, customer_id=scope)
    )


@router.patch(
    "/{asset_id}",
    response_model=AssetRead,
    responses=_ERRORS,
    summary="Complete or change an asset record (absent fields stay as they are)",
)
def update_asset(
    asset_id: PathId, body: AssetUpdate, session: SessionDep, key: RecordsKey
) -> AssetRead:
    row = assets.update_asset(
        session=session,
        asset_id=asset_id,
        data=assets.AssetData(
            site_id=body.site_id,
            asset_type=body.asset_type,
            model=body.model,
            serial_number=body.serial_number,
            install_date=body.install_date,
            purchased_on=body.purchased_on,
            purchase_value=body.purchase_value,
            criticality=body.criticality,
            clear=tuple(body.clear),
        ),
    )
    return AssetRead.model_validate(row)
