"""Server-sent events: new and changed alerts and work orders, and gateway presence changes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from api.deps import CurrentKey
from api.events import EventBus

router = APIRouter(tags=["events"])


async def _stream(request: Request, bus: EventBus) -> AsyncIterator[str]:
    # Tell the browser how soon to reconnect after a dropped connection.
    yield "retry: 3000\n\n"
    async for event in bus.subscribe(heartbeat_s=request.app.state.sse_heartbeat_s):
        if await request.is_disconnected():
            break
        if event is None:
            yield ": keep-alive\n\n"
            continue
        yield f"id: {event.id}\nevent: {event.kind}\ndata: {json.dumps(event.data, default=str)}\n\n"


@router.get(
    "/events",
    summary="Live feed of alert and work-order changes (text/event-stream)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "An endless stream"}},
)
async def events(request: Request, key: CurrentKey) -> StreamingResponse:
    return StreamingResponse(
        _stream(request, request.app.state.events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
