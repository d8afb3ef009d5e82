"""The examples in docs/gateway-contract.md decode to exactly what the document says."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from ingest.decode import Limits, decode_message
from ingest.points import Reading
from ingest.rejections import REASONS, Rejected
from ingest.topics import TopicTemplate

DOC = Path(__file__).resolve().parents[2] / "docs" / "gateway-contract.md"
EXAMPLE = re.compile(
    r"<!-- example: (?P<name>\S+) topic=(?P<topic>\S+)(?: reason=(?P<reason>\w+))? -->\n"
    r"```\w+\n(?P<payload>.*?)```\n"
    r"(?:<!-- expect -->\n```json\n(?P<expect>.*?)```)?",
    re.S,
)
RECEIVED_MS = 1_795_766_400_000 + 60_000
TEMPLATE = TopicTemplate("vigil/{site}/{asset}/telemetry")


def examples() -> list[re.Match[str]]:
    found = list(EXAMPLE.finditer(DOC.read_text()))
    assert len(found) >= 7, "the document's examples were not found: was the format changed?"
    return found


@pytest.mark.parametrize("example", examples(), ids=lambda m: m["name"])
def test_document_example(example: re.Match[str]) -> None:
    names = TEMPLATE.match(example["topic"])
    assert names is not None

    def decode() -> list[Reading]:
        return decode_message(
            site=names["site"],
            asset=names["asset"],
            payload=example["payload"].strip().encode(),
            received_ms=RECEIVED_MS,
            limits=Limits(),
        )

    if example["reason"]:
        with pytest.raises(Rejected) as rejected:
            decode()
        assert rejected.value.reason == example["reason"]
        return
    readings = [
        {
            "site": r.site,
            "asset": r.asset,
            "asset_type": r.asset_type,
            "ts_ms": r.ts_ms,
            "metrics": r.metrics,
        }
        for r in decode()
    ]
    assert readings == orjson.loads(example["expect"])


def test_every_rejection_reason_is_documented() -> None:
    text = DOC.read_text()
    for reason in REASONS:
        assert f"| `{reason}` |" in text, reason
