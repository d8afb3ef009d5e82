"""The examples of docs/ticketing-integration.md are true."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.workorders.receiver import DOC, docs_block, load_docs_receiver
from vigil.scheduled import build_connectors
from vigil.settings import load_settings
from workorders.connectors import base as connectors_base
from workorders.connectors.rt import STATUS_MAP, RtConnector, queue_for
from workorders.models import Status, WorkOrderDocument
from workorders.service import ALLOWED
from workorders.webhooks.signing import sign, verify

TEXT = DOC.read_text()


def _json_blocks() -> list[Any]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", TEXT, re.S)]


def test_document_example_is_a_valid_document() -> None:
    example = _json_blocks()[0]
    parsed = WorkOrderDocument.model_validate(example)
    # Every field of the schema is shown in the example.
    assert set(example) == set(WorkOrderDocument.model_fields)
    assert parsed.sla.respond_by > parsed.created_at


def test_pull_and_error_examples_parse() -> None:
    blocks = _json_blocks()
    assert any(isinstance(b, dict) and set(b) == {"items", "next_cursor"} for b in blocks)
    error = next(b for b in blocks if isinstance(b, dict) and "allowed" in b)
    assert error["allowed"] == sorted(s.value for s in ALLOWED[Status(error["current"])])


def test_signature_example_recomputes() -> None:
    secret = re.search(r"- secret: `(.+?)`", TEXT)
    timestamp = re.search(r"- `X-Vigil-Timestamp`: `(\d+)`", TEXT)
    body = re.search(r"- body: `(.+?)`\n", TEXT)
    signature = re.search(r"- `X-Vigil-Signature`: `(sha256=[0-9a-f]{64})`", TEXT)
    assert secret
    assert timestamp
    assert body
    assert signature
    assert sign(secret=secret[1], timestamp=timestamp[1], body=body[1].encode()) == signature[1]
    assert verify(
        secret=secret[1],
        timestamp=timestamp[1],
        body=body[1].encode(),
        signature=signature[1],
        now=int(timestamp[1]) + 10,
    )


@pytest.mark.parametrize("age_s", [0, 299])
def test_documented_verify_function_accepts_fresh_signatures(age_s: int) -> None:
    verify_signature = load_docs_receiver("x" * 20)["verify_signature"]
    ts = str(int(time.time()) - age_s)
    body = b'{"a":1}'
    assert verify_signature("x" * 20, ts, body, sign(secret="x" * 20, timestamp=ts, body=body))
    assert not verify_signature("y" * 20, ts, body, sign(secret="x" * 20, timestamp=ts, body=body))
    assert not verify_signature(
        "x" * 20, ts, body + b" ", sign(secret="x" * 20, timestamp=ts, body=body)
    )


def test_documented_verify_function_refuses_old_timestamps() -> None:
    verify_signature = load_docs_receiver("x" * 20)["verify_signature"]
    ts = str(int(time.time()) - 400)
    assert not verify_signature(
        "x" * 20, ts, b"{}", sign(secret="x" * 20, timestamp=ts, body=b"{}")
    )
    assert not verify_signature("x" * 20, "soon", b"{}", "sha256=00")


def _table(header: str) -> str:
    start = TEXT.index(header)
    return TEXT[start : TEXT.index("\n\n", start)]


def test_lifecycle_table_matches_the_code() -> None:
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \|$", _table("| from | allowed to |"), re.M)
    table = {
        Status(name): {Status(s) for s in re.findall(r"`(\w+)`", allowed)}
        for name, allowed in rows
        if name in Status.__members__.values()
    }
    assert table == {status: set(targets) for status, targets in ALLOWED.items()}


def test_rt_settings_example_loads_and_routes_by_site(monkeypatch: pytest.MonkeyPatch) -> None:
    for line in docs_block("rt-settings").splitlines():
        name, value = line.split("=", 1)
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.rt_queue_by == "site"
    with httpx.Client() as client:
        connector = build_connectors(settings, client)["rt"]
    assert isinstance(connector, RtConnector)
    example = WorkOrderDocument.model_validate(_json_blocks()[0])
    assert queue_for(connector.config, example) == "North"
    elsewhere = example.model_copy(update={"asset": example.asset.model_copy(update={"site": "x"})})
    assert queue_for(connector.config, elsewhere) == "General"


def test_documented_connector_interface_is_the_code() -> None:
    source = Path(connectors_base.__file__).read_text()
    assert docs_block("connector-interface") in source


def test_rt_status_table_matches_the_code() -> None:
    table: dict[str, str | None] = {}
    for remote, target in re.findall(r"^\| (.+?) \| (.+?) \|$", _table("| RT status |"), re.M)[1:]:
        for name in re.findall(r"`(\w+)`", remote):
            table[name] = target.strip("`") if target != "none" else None
    assert table == {name: status.value for name, status in STATUS_MAP.items()} | {
        "new": None,
        "stalled": None,
    }
