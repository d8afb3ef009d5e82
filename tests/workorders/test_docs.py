"""The examples of docs/ticketing-integration.md are true."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from tests.workorders.receiver import DOC, load_docs_receiver
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


def test_lifecycle_table_matches_the_code() -> None:
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \|$", TEXT, re.M)
    table = {
        Status(name): {Status(s) for s in re.findall(r"`(\w+)`", allowed)}
        for name, allowed in rows
        if name in Status.__members__.values()
    }
    assert table == {status: set(targets) for status, targets in ALLOWED.items()}
