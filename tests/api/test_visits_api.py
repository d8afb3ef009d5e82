"""The visit API against a real app on SQLite and PostgreSQL: uploads refused with a clear 4xx
(wrong type, too large, a path or odd characters in the name) without writing anything outside
the store, photos and signatures served back only to those who may see them, and no repair
resolved without the customer's acceptance or a reason."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api import keys
from api.roles import Role
from tests.api.builders import auth
from tests.api.conftest import build_world
from tests.field.visits.builders import JPEG, build_visit_world, png

LIMIT = 4096


@dataclass
class Site:
    client: TestClient
    tmp: Path
    number: str
    keys: dict[str, str]

    def url(self, path: str = "") -> str:
        return f"/api/v1/work-orders/{self.number}/visit{path}"

    def post(self, who: str, path: str, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.client.post(
            self.url(path), headers=auth(self.keys[who]), **kwargs
        )
        return response


def visit_keys(session: Session) -> tuple[str, dict[str, str]]:
    """The visit world's work order and a key in clear for each of its people: the assigned
    engineer (ana), another (ben), the asset's customer (acme), another (beta), staff."""
    world = build_visit_world(session)
    made = {
        "ana": keys.create_key(
            session=session, name="Ana", role=Role.engineer, engineer_id=world.engineer_id
        ),
        "ben": keys.create_key(
            session=session, name="Ben", role=Role.engineer, engineer_id=world.other_engineer_id
        ),
        "acme": keys.create_key(
            session=session, name="ACME", role=Role.customer, customer_id=world.customer_id
        ),
        "beta": keys.create_key(
            session=session,
            name="Beta",
            role=Role.customer,
            customer_id=world.other_customer_id,
        ),
        "viewer": keys.create_key(session=session, name="Vi", role=Role.viewer),
        "operator": keys.create_key(session=session, name="Op", role=Role.operator),
    }
    session.commit()
    return world.work_order, {k: v.key for k, v in made.items()}


@pytest.fixture
def site(tmp_path: Path, database: sessionmaker[Session]) -> Iterator[Site]:
    app, parts = build_world(tmp_path / "app", factory=database, upload_max_bytes=LIMIT)
    with database() as session:
        number, made = visit_keys(session)
    with TestClient(app) as client:
        yield Site(client, tmp_path, number, made)
    parts["store"].close()  # type: ignore[attr-defined]
    parts["quarantine"].close()  # type: ignore[attr-defined]


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_uploads_are_checked_and_nothing_lands_outside_the_store(site: Site) -> None:
    before = _files(site.tmp)
    refusals = [
        ("/photos?filename=x.gif", b"GIF89a" + b"\x00" * 40, 415, "must be JPG, PNG, WEBP"),
        ("/photos?filename=x.jpg", b"<svg onload=alert(1)>", 415, "not an image"),
        ("/photos?filename=big.jpg", JPEG * 60, 413, f"at most {LIMIT}"),
        ("/photos?filename=../../../evil.jpg", JPEG, 400, "is a path"),
        ("/photos?filename=..%2F..%2Fevil.jpg", JPEG, 400, "is a path"),
        ("/photos?filename=%2Fetc%2Fcron.d%2Fx", JPEG, 400, "is a path"),
        ("/photos?filename=a%0Ab.jpg", JPEG, 400, "characters"),
        ("/photos?filename=.htaccess", JPEG, 400, "characters"),
        ("/photos?filename=ok.jpg", b"", 422, "empty"),
        ("/signature?signer=Ada", JPEG, 415, "signature must be PNG"),
    ]
    for path, body, status, words in refusals:
        response = site.client.post(
            site.url(path),
            content=body,
            headers=auth(site.keys["ana"]) | {"Content-Type": "image/jpeg"},
        )
        assert response.status_code == status, (path, response.text)
        assert words in response.json()["detail"], (path, response.text)
    assert _files(site.tmp) == before  # nothing written anywhere
    sheet = site.client.get(site.url(), headers=auth(site.keys["ana"])).json()
    assert sheet["files"] == []
    assert sheet["accepted_by"] is None


def test_photos_and_signatures_are_served_only_to_who_may_see_them(site: Site) -> None:
    photo = site.client.post(
        site.url("/photos?filename=IMG_2041.jpg"), content=JPEG, headers=auth(site.keys["ana"])
    )
    assert photo.status_code == 201, photo.text
    signature = site.client.post(
        site.url("/signature?signer=Ada Meier"), content=png(), headers=auth(site.keys["ana"])
    )
    assert signature.status_code == 201, signature.text
    stored = _files(site.tmp / "app" / "uploads")
    assert len(stored) == 2
    assert all(p.name not in ("IMG_2041.jpg", "signature.png") for p in stored)
    for made, body, kind in (
        (photo.json(), JPEG, "image/jpeg"),
        (signature.json(), png(), "image/png"),
    ):
        for who, status in (
            ("ana", 200),  # the assigned engineer
            ("operator", 200),  # staff
            ("viewer", 200),
            ("acme", 200),  # the asset's customer
            ("ben", 404),  # another engineer: as if it did not exist
            ("beta", 404),  # another customer
        ):
            got = site.client.get(made["url"], headers=auth(site.keys[who]))
            assert got.status_code == status, (who, made["url"], got.text)
            if status == 200:
                assert got.content == body
                assert got.headers["content-type"] == kind
                assert got.headers["x-content-type-options"] == "nosniff"
        assert site.client.get(made["url"]).status_code == 401
    # Others cannot add to it either.
    assert site.post("ben", "/photos?filename=x.jpg", content=JPEG).status_code == 404
    assert site.post("acme", "/photos?filename=x.jpg", content=JPEG).status_code == 403
    assert site.post("viewer", "/check-in", json={}).status_code == 403
    sheet = site.client.get(site.url(), headers=auth(site.keys["acme"])).json()
    assert sheet["accepted_by"] == "Ada Meier"


def test_a_repair_is_not_resolved_without_acceptance_or_a_reason(site: Site) -> None:
    wo = f"/api/v1/work-orders/{site.number}"
    refused = site.client.put(
        f"{wo}/resolution", json={"code": "confirmed_fault"}, headers=auth(site.keys["operator"])
    )
    assert refused.status_code == 422
    assert "without the customer's acceptance" in refused.json()["detail"]
    on_phone = site.post("ana", "/resolve", json={"code": "confirmed_fault"})
    assert on_phone.status_code == 422
    resolved = site.post(
        "ana", "/resolve", json={"code": "confirmed_fault", "no_acceptance_reason": "site closed"}
    )
    assert resolved.status_code == 200, resolved.text
    document = resolved.json()
    assert document["status"] == "resolved"
    assert document["resolution"]["no_acceptance_reason"] == "site closed"
    assert document["resolution"]["accepted_by"] is None
