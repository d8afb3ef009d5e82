"""The visit API with VIGIL_UPLOAD_STORE=s3://...: a photo uploaded through the API lands in the
bucket under the prefix (moto's standalone server over real HTTP), nothing in the data
directory, and is read back by those who may see it; an object gone from the bucket is a 404 and
a store that cannot be reached a 503 with a message, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from field.visits.s3store import open_s3_store
from tests.api.builders import auth
from tests.api.conftest import build_world
from tests.api.test_visits_api import visit_keys
from tests.field.visits.builders import JPEG
from tests.field.visits.s3server import dead_endpoint, moto_s3, s3_client

BUCKET = "vigil-api"
PREFIX = "plant-north/uploads"


@dataclass
class S3Site:
    client: TestClient
    app: Any
    tmp: Path
    endpoint: str
    number: str
    keys: dict[str, str]


@pytest.fixture
def s3_site(tmp_path: Path, database: sessionmaker[Session]) -> Iterator[S3Site]:
    with moto_s3() as endpoint:
        s3_client(endpoint).create_bucket(Bucket=BUCKET)
        app, parts = build_world(
            tmp_path / "app",
            factory=database,
            upload_store=f"s3://{BUCKET}/{PREFIX}",
            s3_endpoint_url=endpoint,
        )
        with database() as session:
            number, made = visit_keys(session)
        with TestClient(app) as client:
            yield S3Site(client, app, tmp_path, endpoint, number, made)
        parts["store"].close()  # type: ignore[attr-defined]
        parts["quarantine"].close()  # type: ignore[attr-defined]


def test_a_photo_goes_to_the_bucket_and_is_read_back_with_the_right_role(s3_site: S3Site) -> None:
    base = f"/api/v1/work-orders/{s3_site.number}/visit"
    photo = s3_site.client.post(
        f"{base}/photos?filename=IMG_2041.jpg", content=JPEG, headers=auth(s3_site.keys["ana"])
    )
    assert photo.status_code == 201, photo.text
    url = photo.json()["url"]
    bucket = s3_client(s3_site.endpoint)
    keys_in_bucket = [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert len(keys_in_bucket) == 1
    key = keys_in_bucket[0]
    assert key.startswith(f"{PREFIX}/")
    assert "IMG_2041" not in key
    assert not (s3_site.tmp / "app" / "uploads").exists()  # nothing in the data directory
    for who, status in (
        ("ana", 200),
        ("operator", 200),
        ("acme", 200),
        ("ben", 404),
        ("beta", 404),
    ):
        got = s3_site.client.get(url, headers=auth(s3_site.keys[who]))
        assert got.status_code == status, (who, got.text)
        if status == 200:
            assert got.content == JPEG
            assert got.headers["content-type"] == "image/jpeg"
    assert s3_site.client.get(url).status_code == 401

    bucket.delete_object(Bucket=BUCKET, Key=key)  # gone from the bucket behind Vigil's back
    gone = s3_site.client.get(url, headers=auth(s3_site.keys["ana"]))
    assert gone.status_code == 404
    assert "missing" in gone.json()["detail"]

    s3_site.app.state.uploads = open_s3_store(
        f"s3://{BUCKET}/{PREFIX}", endpoint_url=dead_endpoint()
    )
    down = s3_site.client.post(
        f"{base}/photos?filename=pump.jpg", content=JPEG, headers=auth(s3_site.keys["ana"])
    )
    assert down.status_code == 503, down.text
    assert f"s3://{BUCKET}/{PREFIX} cannot be reached" in down.json()["detail"]
    sheet = s3_site.client.get(base, headers=auth(s3_site.keys["ana"])).json()
    assert len(sheet["files"]) == 1  # the refused upload left no record
