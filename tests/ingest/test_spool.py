from __future__ import annotations

import struct
import zlib
from pathlib import Path

import orjson
import pytest

from ingest.points import Point, Reading
from ingest.spool import LEGACY_TOPIC, Spool, SpooledMessage, SpoolFull


def batch(n: int, start: int = 0) -> list[SpooledMessage]:
    """One spooled batch of two messages holding n points between them."""
    points = [
        Reading("s", "a", "pump", 1_795_766_400_000 + i, {"v": float(i)}).to_point()
        for i in range(start, start + n)
    ]
    half = n // 2
    return [
        SpooledMessage("vigil/s/a/telemetry", 1, b'{"first": "half"}', points[:half]),
        SpooledMessage("vigil/s/a/telemetry", 2, b"\xff not text", points[half:]),
    ]


def drain(spool: Spool) -> list[Point]:
    out: list[Point] = []
    while (messages := spool.peek()) is not None:
        out.extend(point for message in messages for point in message.points)
        spool.pop()
    return out


def test_replays_in_order_and_empties(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    for k in range(5):
        spool.append(batch(10, k * 10))
    assert not spool.empty
    assert spool.status().bytes > 0
    assert [p.fields["v"] for p in drain(spool)] == [float(i) for i in range(50)]
    assert spool.status().bytes == 0
    assert not list(tmp_path.glob("seg-*.log"))
    spool.append(batch(3))
    assert len(drain(spool)) == 3


def test_survives_restart(tmp_path: Path) -> None:
    Spool(tmp_path).append(batch(7))
    reopened = Spool(tmp_path)
    reopened.append(batch(2, 7))
    assert [p.fields["v"] for p in drain(reopened)] == [float(i) for i in range(9)]


def test_torn_tail_keeps_the_records_before_it(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append(batch(4))
    spool.append(batch(4, 4))
    (segment,) = tmp_path.glob("seg-*.log")
    data = segment.read_bytes()
    segment.write_bytes(data[:-5])  # power loss in the middle of the second record
    reopened = Spool(tmp_path)
    assert [p.fields["v"] for p in drain(reopened)] == [0.0, 1.0, 2.0, 3.0]
    assert reopened.status().corrupt_tails == 1


def test_flipped_bit_is_detected(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append(batch(4))
    spool.append(batch(4, 4))
    (segment,) = tmp_path.glob("seg-*.log")
    data = bytearray(segment.read_bytes())
    data[-3] ^= 0xFF
    segment.write_bytes(bytes(data))
    assert len(drain(Spool(tmp_path))) == 4


def test_full_spool_refuses(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=2_000)
    spool.append(batch(5))
    with pytest.raises(SpoolFull):
        spool.append(batch(100))


def test_messages_come_back_as_they_went_in(tmp_path: Path) -> None:
    Spool(tmp_path).append(batch(5))
    assert Spool(tmp_path).peek() == batch(5)


def test_a_record_of_the_points_only_format_reads_as_one_message(tmp_path: Path) -> None:
    """Spools written before messages were kept: the points come back, the blob is the payload."""
    points = batch(4)[0].points + batch(4)[1].points
    blob = orjson.dumps([[p.measurement, p.tags, p.fields, p.ts_ms] for p in points])
    (tmp_path / "seg-00000001.log").write_bytes(
        struct.pack("<IId", len(blob), zlib.crc32(blob), 1_795_766_400.5) + blob
    )
    (message,) = Spool(tmp_path).peek() or []
    assert message == SpooledMessage(LEGACY_TOPIC, 1_795_766_400_500, blob, points)
