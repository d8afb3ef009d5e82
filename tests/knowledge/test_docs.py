"""The examples of docs/field-service.md are what the API takes and says."""

from __future__ import annotations

import json
import re
from pathlib import Path

from api.routers.stock import Movement
from knowledge.models import ArticleCreate

DOC = Path(__file__).resolve().parents[2] / "docs" / "field-service.md"


def _blocks() -> list[object]:
    text = DOC.read_text(encoding="utf-8")
    return [json.loads(b) for b in re.findall(r"```json\n(.*?)\n```", text, re.S)]


def test_article_and_movement_examples_are_valid_requests() -> None:
    blocks = [b for b in _blocks() if isinstance(b, dict)]
    article = next(b for b in blocks if "fix_steps" in b)
    assert ArticleCreate.model_validate(article).fault_codes == ["mechanical"]
    movement = next(b for b in blocks if "warehouse" in b)
    assert Movement.model_validate(movement).part == "4006593001234"


def test_out_of_stock_example_is_the_message_the_service_writes() -> None:
    detail = next(b["detail"] for b in _blocks() if isinstance(b, dict) and "detail" in b)
    assert re.fullmatch(r"cannot take \d+ x \S+ \(.+\) from \S+: \d+ free there now", detail)
