"""A bounded, append-only disk spool for readings the store could not take.

Segment files ``seg-<n>.log`` hold records ``[length u32][crc32 u32][appended-at f64][orjson
messages]``: each record is one collector batch, kept message by message (topic, receive time,
payload and the points decoded from it), so that replay can store a batch the store partly
refuses one message at a time and quarantine only the refused messages, whole. (Records written
before messages were kept hold a bare list of points; they read back as one message.) fsync
policy: every append is flushed and fsynced before it returns, so a message acknowledged after
spooling survives a crash or power loss; a batch of up to thousands of readings shares one fsync.
Replay reads records oldest first and deletes a segment once all of it is in the store. The replay
position is kept in memory only: after a crash a segment may be replayed again from its start,
which is harmless because a point written twice overwrites itself.

A torn or corrupt record (power loss mid-write) ends its segment: the records before it are kept
and replayed, the damaged tail is cut off and counted.
"""

from __future__ import annotations

import base64
import logging
import os
import struct
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ingest.points import Point

log = logging.getLogger(__name__)

_HEADER = struct.Struct("<IId")
SEGMENT_BYTES = 64 * 1024 * 1024


class SpoolFull(Exception):
    """The spool reached its size limit: stop acknowledging so the broker holds messages."""


@dataclass(frozen=True)
class SpoolStatus:
    bytes: int
    segments: int
    oldest_age_s: float
    corrupt_tails: int


@dataclass(frozen=True, slots=True)
class SpooledMessage:
    """One MQTT message of a spooled batch, with the points decoded from it."""

    topic: str
    received_ms: int
    payload: bytes
    points: list[Point]


# The topic under which a record of the older, points-only format reads back.
LEGACY_TOPIC = "(spool)"


def _encode(messages: Sequence[SpooledMessage]) -> bytes:
    return orjson.dumps(
        {
            "messages": [
                [
                    m.topic,
                    m.received_ms,
                    base64.b64encode(m.payload).decode(),
                    [[p.measurement, p.tags, p.fields, p.ts_ms] for p in m.points],
                ]
                for m in messages
            ]
        }
    )


def _points(rows: list[list[Any]]) -> list[Point]:
    return [Point(m, tags, fields, ts) for m, tags, fields, ts in rows]


def _decode(blob: bytes, appended_at: float) -> list[SpooledMessage]:
    document = orjson.loads(blob)
    if isinstance(document, list):  # a points-only record: its points are the whole message
        return [SpooledMessage(LEGACY_TOPIC, int(appended_at * 1000), blob, _points(document))]
    return [
        SpooledMessage(topic, received_ms, base64.b64decode(payload), _points(rows))
        for topic, received_ms, payload, rows in document["messages"]
    ]


def _segment_number(path: Path) -> int:
    return int(path.stem.split("-", 1)[1])


class Spool:
    def __init__(self, directory: Path, *, max_bytes: int = 1024**3) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.max_bytes = max_bytes
        self.corrupt_tails = 0
        self._lock = threading.Lock()
        self._segments = sorted(directory.glob("seg-*.log"), key=_segment_number)
        self._bytes = sum(p.stat().st_size for p in self._segments)
        self._writer: Path | None = None
        self._read_offset = 0  # in the oldest segment

    # -- writing --------------------------------------------------------------------------------

    def append(self, messages: Sequence[SpooledMessage]) -> None:
        """Durably add one batch (fsynced on return) or raise SpoolFull."""
        blob = _encode(messages)
        record = _HEADER.pack(len(blob), zlib.crc32(blob), time.time()) + blob
        with self._lock:
            if self._bytes + len(record) > self.max_bytes:
                raise SpoolFull(
                    f"spool {self.directory} holds {self._bytes} of {self.max_bytes} bytes"
                )
            path = self._writable_segment(len(record))
            with path.open("ab") as handle:
                handle.write(record)
                handle.flush()
                os.fsync(handle.fileno())
            self._bytes += len(record)

    def _writable_segment(self, size: int) -> Path:
        # Never append to a segment that existed before this process: its tail may be torn.
        if self._writer is None or self._writer.stat().st_size + size > SEGMENT_BYTES:
            number = _segment_number(self._segments[-1]) + 1 if self._segments else 1
            self._writer = self.directory / f"seg-{number:08d}.log"
            self._writer.touch()
            self._segments.append(self._writer)
            dir_fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)  # the new file's name must survive a crash too
            finally:
                os.close(dir_fd)
        return self._writer

    # -- reading --------------------------------------------------------------------------------

    @property
    def empty(self) -> bool:
        with self._lock:
            return self._bytes == 0

    def peek(self) -> list[SpooledMessage] | None:
        """The oldest record's messages, or None when the spool is empty."""
        with self._lock:
            while self._segments:
                oldest = self._segments[0]
                with oldest.open("rb") as handle:
                    handle.seek(self._read_offset)
                    header = handle.read(_HEADER.size)
                    if len(header) == _HEADER.size:
                        length, crc, appended_at = _HEADER.unpack(header)
                        blob = handle.read(length)
                        if len(blob) == length and zlib.crc32(blob) == crc:
                            return _decode(blob, appended_at)
                        self._cut_tail(oldest)
                    elif header:
                        self._cut_tail(oldest)
                if oldest == self._writer:
                    return None  # the live segment holds nothing more yet
                self._drop_oldest()
            return None

    def pop(self) -> None:
        """Mark the record returned by ``peek`` as stored."""
        with self._lock:
            oldest = self._segments[0]
            with oldest.open("rb") as handle:
                handle.seek(self._read_offset)
                length, _, _ = _HEADER.unpack(handle.read(_HEADER.size))
            self._read_offset += _HEADER.size + length
            if oldest != self._writer and self._read_offset >= oldest.stat().st_size:
                self._drop_oldest()
            elif oldest == self._writer and self._read_offset >= oldest.stat().st_size:
                # The live segment is fully replayed: start over in a fresh file.
                self._drop_oldest()
                self._writer = None

    def _cut_tail(self, segment: Path) -> None:
        size = segment.stat().st_size
        log.error(
            "spool segment %s: damaged record at byte %d of %d; keeping what precedes it",
            segment.name,
            self._read_offset,
            size,
        )
        self.corrupt_tails += 1
        with segment.open("r+b") as handle:
            handle.truncate(self._read_offset)
            os.fsync(handle.fileno())
        self._bytes -= size - self._read_offset

    def _drop_oldest(self) -> None:
        oldest = self._segments.pop(0)
        self._bytes -= oldest.stat().st_size
        oldest.unlink()
        self._read_offset = 0

    def status(self) -> SpoolStatus:
        with self._lock:
            age = 0.0
            if self._segments and self._bytes:
                with self._segments[0].open("rb") as handle:
                    handle.seek(self._read_offset)
                    header = handle.read(_HEADER.size)
                if len(header) == _HEADER.size:
                    age = max(0.0, time.time() - _HEADER.unpack(header)[2])
            return SpoolStatus(self._bytes, len(self._segments), age, self.corrupt_tails)
