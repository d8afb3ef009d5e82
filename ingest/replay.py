"""The collector's replay thread: spooled batches into the store, oldest first.

A batch the store refuses is written again message by message, like a live batch: the messages
it takes are stored, the ones it refuses are quarantined whole, under their own topics.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ingest.quarantine import Quarantine, QuarantineEntry
from ingest.spool import Spool, SpooledMessage
from ingest.store.base import StoreRejected, StoreUnavailable, TelemetryStore

if TYPE_CHECKING:
    from ingest.collector import CollectorStats

log = logging.getLogger(__name__)


class Replayer:
    def __init__(
        self,
        *,
        spool: Spool,
        store: TelemetryStore,
        quarantine: Quarantine,
        stats: CollectorStats,
        stop: threading.Event,
        retry_max_s: float,
        durably: Callable[[Callable[[], None], str], None],
    ) -> None:
        self.spool = spool
        self.store = store
        self.quarantine = quarantine
        self.stats = stats
        self.stop = stop
        self.retry_max_s = retry_max_s
        self.durably = durably

    def run(self) -> None:
        """Until stopped: replay the oldest record, or wait for one (or for the store)."""
        delay = 0.2
        while not self.stop.is_set():
            messages = self.spool.peek()
            if messages is None:
                self.stop.wait(0.2)
                continue
            if not self._replay(messages):
                self.stop.wait(delay)
                delay = min(delay * 2, self.retry_max_s)
                continue
            self.spool.pop()
            delay = 0.2

    def _replay(self, messages: list[SpooledMessage]) -> bool:
        """Store one record; False when the store is unavailable (try it again later)."""
        points = [point for message in messages for point in message.points]
        try:
            self.store.write(points)
        except StoreUnavailable:
            return False
        except StoreRejected as error:
            log.warning(
                "store refused a spooled batch (%s); replaying it message by message", error
            )
            return self._replay_each(messages)
        self.stats.readings_replayed += len(points)
        self.stats.readings_stored += len(points)
        return True

    def _replay_each(self, messages: list[SpooledMessage]) -> bool:
        """Write a spooled batch one message at a time; quarantine the refused ones whole.

        False when the store became unavailable midway: the record stays in the spool and is
        replayed again later (what was written is rewritten, which is harmless), and nothing is
        quarantined twice because quarantine happens only once the whole record went through.
        """
        refused: list[QuarantineEntry] = []
        stored = 0
        for message in messages:
            try:
                self.store.write(message.points)
            except StoreUnavailable:
                return False
            except StoreRejected as error:
                refused.append(
                    QuarantineEntry(
                        message.received_ms,
                        "store_rejected",
                        str(error),
                        message.topic,
                        message.payload,
                    )
                )
            else:
                stored += len(message.points)
        if refused:
            self.durably(functools.partial(self.quarantine.add_many, refused), "quarantine")
            self.stats.quarantined["store_rejected"] += len(refused)
        self.stats.readings_replayed += stored
        self.stats.readings_stored += stored
        return True
