"""Sites with their position, time zone and business calendar (weekly hours and holidays)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Response, status
from sqlalchemy.orm import Session

from api.deps import CustomerScope, PathId, QueryId, RecordsKey, SessionDep, actor
from api.models import ApiKey
from customers import sites
from customers.schemas import HolidayIn, HolidayRead, SiteCreate, SiteIn, SiteRead
from workorders.sla import flows

router = APIRouter(prefix="/sites", tags=["sites"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such site (or not yours)"},
    409: {"description": "The code is taken, or the site still has assets"},
    422: {"description": "Bad coordinates, time zone or business hours (the message says which)"},
}


def _calendar_edited(session: Session, site_id: int, key: ApiKey) -> None:
    """The site's open work counts in its calendar: recompute those SLA clocks now."""
    flows.site_calendar_edited(
        session=session, site_id=site_id, actor=actor(key), now=datetime.now(UTC)
    )


def _data(body: SiteIn) -> sites.SiteData:
    fields = body.model_dump()
    return sites.SiteData(**{k: v for k, v in fields.items() if k != "customer_id"})


@router.get("", response_model=list[SiteRead], summary="Sites by code")
def list_sites(
    session: SessionDep, scope: CustomerScope, customer_id: QueryId = None
) -> list[SiteRead]:
    if scope is not None and customer_id not in (None, scope):
        return []
    rows = sites.list_sites(session=session, customer_id=scope or customer_id)
    return [SiteRead.model_validate(r) for r in rows]


@router.post(
    "",
    response_model=SiteRead,
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    summary="Create a site; assets already seen under its code are linked to it",
)
def create_site(body: SiteCreate, session: SessionDep, key: RecordsKey) -> SiteRead:
    row = sites.create_site(session=session, customer_id=body.customer_id, data=_data(body))
    return SiteRead.model_validate(row)


@router.get("/{site_id}", response_model=SiteRead, responses=_ERRORS, summary="One site")
def get_site(site_id: PathId, session: SessionDep, scope: CustomerScope) -> SiteRead:
    return SiteRead.model_validate(
        sites.get_site(session=session, site_id=site_id, customer_id=scope)
    )


@router.put(
    "/{site_id}", response_model=SiteRead, responses=_ERRORS, summary="Change a site (not its code)"
)
def update_site(site_id: PathId, body: SiteIn, session: SessionDep, key: RecordsKey) -> SiteRead:
    row = sites.update_site(session=session, site_id=site_id, data=_data(body))
    _calendar_edited(session, site_id, key)
    return SiteRead.model_validate(row)


@router.delete(
    "/{site_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_ERRORS,
    summary="Delete a site without assets",
)
def delete_site(site_id: PathId, session: SessionDep, key: RecordsKey) -> Response:
    sites.delete_site(session=session, site_id=site_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/{site_id}/holidays",
    response_model=HolidayRead,
    responses=_ERRORS,
    summary="Add a holiday, or rename / switch off the one on that day",
)
def set_holiday(
    site_id: PathId, body: HolidayIn, session: SessionDep, key: RecordsKey
) -> HolidayRead:
    row = sites.set_holiday(
        session=session, site_id=site_id, day=body.day, name=body.name, active=body.active
    )
    _calendar_edited(session, site_id, key)
    return HolidayRead.model_validate(row)


@router.delete(
    "/{site_id}/holidays/{day}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_ERRORS,
    summary="Remove a holiday",
)
def delete_holiday(site_id: PathId, day: date, session: SessionDep, key: RecordsKey) -> Response:
    sites.delete_holiday(session=session, site_id=site_id, day=day)
    _calendar_edited(session, site_id, key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
