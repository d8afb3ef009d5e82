"""An in-process event bus feeding the dashboard's live feed (server-sent events).

``publish`` may be called from any thread (the scoring job runs in the scheduler's threads);
each subscriber is an asyncio queue drained by one SSE response. A subscriber that falls far
behind loses its oldest events rather than growing without bound; the page reloads its lists
when it reconnects, so nothing is missed for long.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

_QUEUE_SIZE = 256
_CLOSE = "__close__"


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    kind: str  # "alert", "work_order" or "presence"
    data: dict[str, Any]


class EventBus:
    def __init__(self) -> None:
        self._subscribers: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Event]]] = set()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._closed = False

    def close(self) -> None:
        """End every open stream (call before stopping the server: streams never end alone)."""
        self._closed = True
        self.publish(_CLOSE, {})

    def publish(self, kind: str, data: dict[str, Any]) -> Event:
        event = Event(id=next(self._ids), kind=kind, data=data)
        with self._lock:
            subscribers = list(self._subscribers)
        for loop, queue in subscribers:
            try:
                loop.call_soon_threadsafe(_offer, queue, event)
            except RuntimeError:  # that subscriber's loop is closed
                self._discard(loop, queue)
        return event

    def _discard(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[Event]) -> None:
        with self._lock:
            self._subscribers.discard((loop, queue))

    async def subscribe(self, heartbeat_s: float = 15.0) -> AsyncIterator[Event | None]:
        """Events as they come; None every ``heartbeat_s`` of silence (to keep proxies open)."""
        entry = (asyncio.get_running_loop(), asyncio.Queue[Event](maxsize=_QUEUE_SIZE))
        with self._lock:
            self._subscribers.add(entry)
        try:
            while not self._closed:
                try:
                    event = await asyncio.wait_for(entry[1].get(), timeout=heartbeat_s)
                except TimeoutError:
                    yield None
                    continue
                if event.kind == _CLOSE:
                    return
                yield event
        finally:
            self._discard(*entry)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)


def _offer(queue: asyncio.Queue[Event], event: Event) -> None:
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(event)
