"""Spare parts: the catalogue, warehouses, stock levels, and parts for a work order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from api.deps import CurrentKey, CurrentWorkOrder, SessionDep, StockKey, actor
from field.stock import catalogue, ledger, priority, queries, service
from field.stock.models import (
    LevelRead,
    MoveRead,
    Part,
    PartCreate,
    PartRead,
    Warehouse,
    WarehouseCreate,
    WarehouseRead,
)
from field.stock.suggest import suggest_parts

router = APIRouter(tags=["spare parts"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such part, warehouse or work order"},
    409: {"description": "Not enough free stock: the message says how many are free"},
    422: {"description": "Invalid input"},
}


@contextmanager
def _clear_errors() -> Iterator[None]:
    try:
        yield
    except catalogue.NotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None
    except ledger.OutOfStock as error:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(error)) from None
    except ledger.StockError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None


class Movement(BaseModel):
    warehouse: str = Field(max_length=64, examples=["van-ana"])
    part: str = Field(max_length=64, description="Part number or barcode", examples=["SKF-6205"])
    quantity: int = Field(ge=1, le=100_000, examples=[1])
    note: str | None = Field(default=None, max_length=500)


class Adjustment(BaseModel):
    warehouse: str = Field(max_length=64)
    part: str = Field(max_length=64)
    delta: int = Field(ge=-100_000, le=100_000, description="Counted minus recorded")
    note: str = Field(min_length=3, max_length=500, examples=["stock-take 2026-11"])


class MinLevel(BaseModel):
    warehouse: str = Field(max_length=64)
    part: str = Field(max_length=64)
    min_level: int = Field(ge=0, le=100_000)


def _lookup(session: SessionDep, move: Movement | Adjustment | MinLevel) -> tuple[Warehouse, Part]:
    with _clear_errors():
        return (
            catalogue.find_warehouse(session=session, code=move.warehouse),
            catalogue.find_part(session=session, code=move.part),
        )


@router.get("/parts", response_model=list[PartRead], summary="The parts catalogue")
def list_parts(
    session: SessionDep,
    key: CurrentKey,
    asset_type: Annotated[str | None, Query(max_length=100)] = None,
) -> list[PartRead]:
    parts = session.query(Part).order_by(Part.part_number).all()
    if asset_type is not None:
        parts = [p for p in parts if asset_type in p.asset_types]
    return [PartRead.model_validate(p) for p in parts]


@router.post(
    "/parts", response_model=PartRead, status_code=201, responses=_ERRORS, summary="Add a part"
)
def add_part(body: PartCreate, session: SessionDep, key: StockKey) -> PartRead:
    with _clear_errors():
        return PartRead.model_validate(catalogue.add_part(session=session, data=body))


@router.get(
    "/parts/{code}",
    response_model=PartRead,
    responses=_ERRORS,
    summary="A part by its number or barcode (what a scanner types)",
)
def get_part(code: str, session: SessionDep, key: CurrentKey) -> PartRead:
    with _clear_errors():
        return PartRead.model_validate(catalogue.find_part(session=session, code=code))


@router.get("/warehouses", response_model=list[WarehouseRead], summary="Stores and vans")
def list_warehouses(session: SessionDep, key: CurrentKey) -> list[WarehouseRead]:
    rows = session.query(Warehouse).order_by(Warehouse.code).all()
    return [WarehouseRead.model_validate(w) for w in rows]


@router.post(
    "/warehouses",
    response_model=WarehouseRead,
    status_code=201,
    responses=_ERRORS,
    summary="Add a store or an engineer's van",
)
def add_warehouse(body: WarehouseCreate, session: SessionDep, key: StockKey) -> WarehouseRead:
    with _clear_errors():
        return WarehouseRead.model_validate(catalogue.add_warehouse(session=session, data=body))


@router.get(
    "/stock",
    response_model=list[LevelRead],
    summary="Stock per warehouse and part; `low=true` lists those at or below their minimum",
)
def stock_levels(
    session: SessionDep,
    key: CurrentKey,
    warehouse: Annotated[str | None, Query(max_length=64)] = None,
    low: bool = False,
) -> list[LevelRead]:
    rows = queries.levels(session=session, warehouse=warehouse, low_only=low)
    return [LevelRead.model_validate(vars(r)) for r in rows]


@router.post("/stock/receipts", status_code=204, responses=_ERRORS, summary="Parts received")
def receive(body: Movement, session: SessionDep, key: StockKey) -> None:
    warehouse, part = _lookup(session, body)
    with _clear_errors():
        service.receive(
            session=session,
            warehouse=warehouse,
            part=part,
            quantity=body.quantity,
            actor=actor(key),
            now=datetime.now(UTC),
            note=body.note,
        )


@router.post(
    "/stock/adjustments", status_code=204, responses=_ERRORS, summary="Correct a count by hand"
)
def adjust(body: Adjustment, session: SessionDep, key: StockKey) -> None:
    warehouse, part = _lookup(session, body)
    with _clear_errors():
        service.adjust(
            session=session,
            warehouse=warehouse,
            part=part,
            delta=body.delta,
            actor=actor(key),
            now=datetime.now(UTC),
            note=body.note,
        )


@router.put("/stock/min-levels", status_code=204, responses=_ERRORS, summary="Low-stock level")
def set_min_level(body: MinLevel, session: SessionDep, key: StockKey) -> None:
    warehouse, part = _lookup(session, body)
    with _clear_errors():
        catalogue.set_min_level(
            session=session, warehouse=warehouse, part=part, min_level=body.min_level
        )


def _moves(rows: Any) -> list[MoveRead]:
    return [
        MoveRead(
            at=m.at,
            kind=m.kind,
            part_number=number,
            warehouse=code,
            quantity=m.quantity,
            work_order_id=m.work_order_id,
            actor=m.actor,
            note=m.note,
        )
        for m, number, code in rows
    ]


@router.get(
    "/stock/moves",
    response_model=list[MoveRead],
    summary="The stock ledger, newest first; `asset_id` gives an asset's parts history",
)
def stock_moves(
    session: SessionDep,
    key: CurrentKey,
    asset_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[MoveRead]:
    return _moves(queries.moves(session=session, asset_id=asset_id, limit=limit))


class PartSuggestionRead(BaseModel):
    part: PartRead
    score: float
    reasons: list[str]
    free: int


class WorkOrderParts(BaseModel):
    moves: list[MoveRead]
    suggested: list[PartSuggestionRead]


@router.get(
    "/work-orders/{ref}/parts",
    response_model=WorkOrderParts,
    summary="Parts reserved, used and returned on this work order, and parts suggested for it",
)
def work_order_parts(wo: CurrentWorkOrder, session: SessionDep, key: CurrentKey) -> WorkOrderParts:
    suggested = suggest_parts(
        session=session,
        fault_code=wo.fault_code,
        asset_type=wo.asset.asset_type,
        exclude_work_order=wo.id,
    )
    return WorkOrderParts(
        moves=_moves(queries.moves(session=session, work_order_id=wo.id)),
        suggested=[
            PartSuggestionRead(
                part=PartRead.model_validate(s.part), score=s.score, reasons=s.reasons, free=s.free
            )
            for s in suggested
        ],
    )


@router.post(
    "/work-orders/{ref}/parts/reserve",
    status_code=204,
    responses=_ERRORS,
    summary="Hold parts for this work order (a VIP customer's takes parts held for other "
    "customers' work when stock is short)",
)
def reserve(body: Movement, wo: CurrentWorkOrder, session: SessionDep, key: StockKey) -> None:
    warehouse, part = _lookup(session, body)
    with _clear_errors():
        # A VIP customer's work order takes parts held for other work when stock is short.
        priority.reserve_first(
            session=session,
            work_order_id=wo.id,
            warehouse=warehouse,
            part=part,
            quantity=body.quantity,
            actor=actor(key),
            now=datetime.now(UTC),
        )


@router.post(
    "/work-orders/{ref}/parts/use",
    status_code=204,
    responses=_ERRORS,
    summary="Parts used on this work order (what it holds first, then free stock)",
)
def use(body: Movement, wo: CurrentWorkOrder, session: SessionDep, key: StockKey) -> None:
    warehouse, part = _lookup(session, body)
    with _clear_errors():
        service.consume(
            session=session,
            work_order_id=wo.id,
            asset_id=wo.asset_id,
            warehouse=warehouse,
            part=part,
            quantity=body.quantity,
            actor=actor(key),
            now=datetime.now(UTC),
        )


@router.post(
    "/work-orders/{ref}/parts/return",
    status_code=204,
    responses=_ERRORS,
    summary="Parts taken for this work order and brought back unused",
)
def give_back(body: Movement, wo: CurrentWorkOrder, session: SessionDep, key: StockKey) -> None:
    warehouse, part = _lookup(session, body)
    with _clear_errors():
        service.return_part(
            session=session,
            warehouse=warehouse,
            part=part,
            quantity=body.quantity,
            actor=actor(key),
            now=datetime.now(UTC),
            work_order_id=wo.id,
            note=body.note,
        )
