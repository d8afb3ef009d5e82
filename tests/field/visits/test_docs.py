"""The visit API's examples in docs/field-service.md are bodies the API takes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from field.visits.models import NotesIn, PartUse, Position, ResolveIn, StepTick
from vigil.demo_field import PARTS

DOC = Path(__file__).resolve().parents[3] / "docs" / "field-service.md"


def test_the_visit_api_examples_are_valid_bodies() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("**The visit API**") : text.index("**Uploads.**")]
    bodies = [json.loads(b) for b in re.findall(r"\| `(\{.*?\})`", section)]
    assert len(bodies) == 5
    position, tick, part, notes, resolve = bodies
    assert Position.model_validate(position).accuracy_m == 12
    assert StepTick.model_validate(tick).done
    assert PartUse.model_validate(part).code == "4006593062051"
    NotesIn.model_validate(notes)
    assert ResolveIn.model_validate(resolve).code == "confirmed_fault"
    # The demo's van holds the part the docs scan.
    assert ("SKF-6205-2RS", "4006593062051") in {(p[0], p[2]) for p in PARTS}
