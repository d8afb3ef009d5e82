"""Health checks (no key needed) and Prometheus metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import anyio
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import CurrentKey
from api.ports import Probe
from api.schemas import Readiness

router = APIRouter(tags=["health"])
PROBE_TIMEOUT_S = 3.0


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _check(probe: Probe) -> str:
    try:
        with anyio.fail_after(PROBE_TIMEOUT_S):
            await anyio.to_thread.run_sync(probe, abandon_on_cancel=True)
    except TimeoutError:
        return f"unreachable: no answer within {PROBE_TIMEOUT_S:g} s"
    except Exception as error:  # any failure of a probe means "not ready", with its reason
        return f"unreachable: {error}"
    return "ok"


@router.get(
    "/readyz",
    summary="Broker, store and database are reachable",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Something is unreachable; see checks"}},
)
async def readyz(request: Request) -> JSONResponse:
    probes: Mapping[str, Probe] = request.app.state.probes
    results = await asyncio.gather(*(_check(probe) for probe in probes.values()))
    checks = dict(zip(probes, results, strict=True))
    ready = all(result == "ok" for result in results)
    body = Readiness(ready=ready, checks=checks).model_dump()
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request, key: CurrentKey) -> Response:
    body = generate_latest(request.app.state.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
