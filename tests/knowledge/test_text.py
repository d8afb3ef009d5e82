"""Normalisation shared by indexing and querying: the cases that broke other projects' search."""

from __future__ import annotations

import pytest

from knowledge.text import Query, index_text, parse_query, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bearing", ["bear"]),
        ("bearings", ["bear"]),
        ("ÉCHANGEUR", ["echangeur"]),  # accents and case folded
        ("the pump and the motor", ["the", "pump", "and", "the", "motor"]),  # stop words kept
        ("E-42", ["e42", "e", "42"]),  # a code: whole and by its parts
        ("SKF 6205-2RS", ["skf", "62052rs", "6205", "2rs"]),
        ("mm/s", ["mm", "s"]),  # no digit: not a code
        ("温度过高", ["温", "度", "过", "高"]),
        ("", []),
        ("\"'()*:^-", []),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bearing noise", Query(("bear", "nois"))),
        ('"', Query(())),  # a lone quote is a plain character, not an error
        ("E-42", Query(("e42",))),  # not a column filter
        ("seal NOT leak", Query(("seal",), ("leak",))),
        ("seal -leak", Query(("seal",), ("leak",))),
        ("- seal", Query(("seal",))),  # a lone dash excludes nothing
        ("bearing bearings", Query(("bear",))),
        ("NOT", Query(())),
    ],
)
def test_parse_query(query: str, expected: Query) -> None:
    assert parse_query(query) == expected


def test_index_text_joins_parts_and_skips_empty() -> None:
    assert index_text("Seal leak", None, "", "E-42") == "seal leak e42 e 42"
