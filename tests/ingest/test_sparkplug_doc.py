"""The Sparkplug B examples in docs/gateway-contract.md, sent in order through the decoder."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import orjson
import pytest
from google.protobuf import json_format
from tahutils.tahu import sparkplug_b_pb2

from ingest.decode import Limits
from ingest.mqtt import Message
from ingest.rejections import Rejected
from ingest.sparkplug.decoder import SparkplugDecoder
from ingest.sparkplug.mapping import load_mapping

DOC = Path(__file__).resolve().parents[2] / "docs" / "gateway-contract.md"
EXAMPLE = re.compile(
    r"<!-- sparkplug: (?P<name>\S+) topic=(?P<topic>\S+)(?: reason=(?P<reason>\w+))? -->\n"
    r"```json\n(?P<payload>.*?)```\n"
    r"(?:<!-- expect -->\n```json\n(?P<expect>.*?)```)?",
    re.S,
)
MAPPING = re.compile(r"<!-- sparkplug-mapping -->\n```toml\n(?P<toml>.*?)```", re.S)
RECEIVED_MS = 1_795_766_400_000 + 60_000


def _encode(text: str) -> bytes:
    document = orjson.loads(text)
    if isinstance(document, str):  # a payload that is not protobuf at all
        return document.encode()
    return bytes(json_format.ParseDict(document, sparkplug_b_pb2.Payload()).SerializeToString())


def test_the_documented_session(tmp_path: Path) -> None:
    text = DOC.read_text()
    mapping_toml = MAPPING.search(text)
    assert mapping_toml is not None
    tomllib.loads(mapping_toml["toml"])
    (tmp_path / "map.toml").write_text(mapping_toml["toml"])
    rebirths: list[tuple[str, str]] = []
    decoder = SparkplugDecoder(
        mapping=load_mapping(tmp_path / "map.toml"),
        limits=Limits(),
        request_rebirth=lambda group, node: rebirths.append((group, node)),
    )
    examples = list(EXAMPLE.finditer(text))
    assert len(examples) >= 10, "the Sparkplug examples were not found: was the format changed?"
    for example in examples:
        message = Message(example["topic"], _encode(example["payload"]), 1, 1, RECEIVED_MS)
        if example["reason"]:
            with pytest.raises(Rejected) as rejected:
                decoder.decode(message)
            assert rejected.value.reason == example["reason"], example["name"]
            continue
        points = [dataclasses.asdict(p) for p in decoder.decode(message)]
        assert points == orjson.loads(example["expect"]), example["name"]
    assert rebirths == [("plant-north", "gw-01")]  # the gap; the message after it is within 2 s
