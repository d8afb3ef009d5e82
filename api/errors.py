"""Errors of the services underneath, mapped once to HTTP responses (never a 500 for bad input)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ingest.store.base import StoreError, StoreUnavailable
from workorders.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    TransitionNotAllowed,
    WorkOrderError,
)


def _status(error: WorkOrderError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, TransitionNotAllowed | InvalidInput):
        return 422
    return 400


def install(app: FastAPI) -> None:
    @app.exception_handler(StoreError)
    async def _store_error(request: Request, error: StoreError) -> JSONResponse:
        # The store being down is not the client's fault, and not a bug: say so and when to retry.
        status = 503 if isinstance(error, StoreUnavailable) else 502
        return JSONResponse(
            {"detail": f"telemetry store: {error}"},
            status_code=status,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(WorkOrderError)
    async def _work_order_error(request: Request, error: WorkOrderError) -> JSONResponse:
        body: dict[str, object] = {"detail": str(error)}
        if isinstance(error, TransitionNotAllowed):
            body |= {
                "current": error.current,
                "requested": error.requested,
                "allowed": error.allowed,
            }
        if isinstance(error, Conflict) and error.current_version is not None:
            body["current_version"] = error.current_version
        return JSONResponse(body, status_code=_status(error))
