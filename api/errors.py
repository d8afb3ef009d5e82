"""Errors every router may raise, mapped once to HTTP responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ingest.store.base import StoreError, StoreUnavailable


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
