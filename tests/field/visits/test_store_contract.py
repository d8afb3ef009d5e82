"""The upload store's contract, held by both stores: the local directory and the S3-compatible
bucket (against moto's standalone server over real HTTP). Names are generated, forged names and
missing objects read as not found (404); an S3 store that cannot be reached, or has no such
bucket, says so with a 503 instead of failing with a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from field.visits.s3store import open_s3_store
from field.visits.s3url import S3Location, parse_s3_url
from field.visits.uploads import LocalStore, UploadRefused, UploadStore, UploadStoreUnavailable
from tests.field.visits.builders import JPEG, png
from tests.field.visits.s3server import dead_endpoint, moto_s3, s3_client

BUCKET = "vigil-uploads"
PREFIX = "site-a/photos"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_s3() as url:
        s3_client(url).create_bucket(Bucket=BUCKET)
        yield url


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> UploadStore:
    if request.param == "local":
        return LocalStore(tmp_path / "store")
    url: str = request.getfixturevalue("endpoint")
    return open_s3_store(f"s3://{BUCKET}/{PREFIX}", endpoint_url=url)


def test_put_generates_names_and_get_reads_the_bytes_back(store: UploadStore) -> None:
    photo = store.put(JPEG, extension="jpg")
    signature = store.put(png(), extension="png")
    assert photo != signature
    assert len(photo) == 36
    assert photo.endswith(".jpg")
    assert signature.endswith(".png")
    assert store.get(photo) == JPEG
    assert store.get(signature) == png()


def test_forged_and_unknown_names_read_as_not_found(store: UploadStore) -> None:
    for forged in (
        "../secret.jpg",
        "x.jpg",
        "/etc/passwd",
        "a" * 32 + ".jpg/../../x",
        "A" * 32 + ".jpg",
    ):
        with pytest.raises(UploadRefused) as refused:
            store.get(forged)
        assert refused.value.status == 404
    never_stored = "0" * 32 + ".jpg"
    with pytest.raises(UploadRefused, match="missing") as refused:
        store.get(never_stored)
    assert refused.value.status == 404


def test_a_deleted_file_is_gone_and_deleting_again_is_no_error(store: UploadStore) -> None:
    name = store.put(JPEG, extension="jpg")
    store.delete(name)
    with pytest.raises(UploadRefused, match="missing") as refused:
        store.get(name)
    assert refused.value.status == 404
    store.delete(name)


def test_s3_keys_are_the_generated_names_under_the_prefix(endpoint: str) -> None:
    store = open_s3_store(f"s3://{BUCKET}/{PREFIX}/", endpoint_url=endpoint)
    name = store.put(JPEG, extension="jpg")
    client = s3_client(endpoint)
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/{name}")
    assert [item["Key"] for item in listed["Contents"]] == [f"{PREFIX}/{name}"]
    assert client.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{name}")["Body"].read() == JPEG
    at_top = open_s3_store(f"s3://{BUCKET}", endpoint_url=endpoint, region="eu-central-1")
    top = at_top.put(png(), extension="png")
    assert client.head_object(Bucket=BUCKET, Key=top)["ContentLength"] == len(png())


def test_an_unreachable_store_or_missing_bucket_is_a_503_with_a_message(endpoint: str) -> None:
    dead = open_s3_store(f"s3://{BUCKET}/x", endpoint_url=dead_endpoint())
    for call in (
        lambda: dead.put(JPEG, extension="jpg"),
        lambda: dead.get("0" * 32 + ".jpg"),
        lambda: dead.delete("0" * 32 + ".jpg"),
    ):
        with pytest.raises(
            UploadStoreUnavailable, match="s3://vigil-uploads/x cannot be reached"
        ) as error:
            call()
        assert error.value.status == 503
    nowhere = open_s3_store("s3://no-such-bucket", endpoint_url=endpoint)
    with pytest.raises(UploadStoreUnavailable, match="NoSuchBucket") as error:
        nowhere.put(JPEG, extension="jpg")
    assert error.value.status == 503


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("s3://vigil", S3Location("vigil", "")),
        ("s3://vigil/", S3Location("vigil", "")),
        (
            "s3://vigil.uploads/plant-north/photos/",
            S3Location("vigil.uploads", "plant-north/photos"),
        ),
    ],
)
def test_s3_urls(url: str, location: S3Location) -> None:
    assert parse_s3_url(url) == location


@pytest.mark.parametrize(
    "url", ["vigil", "s3://", "s3://ab", "s3://Vigil", "s3://v..x", "s3://vigil:9000/x",
            "s3://vigil/a//b", "s3://vigil/a b", "s3://vigil/x?acl=1", "https://vigil/x"],
)  # fmt: skip
def test_malformed_s3_urls_say_what_to_write(url: str) -> None:
    with pytest.raises(ValueError, match=r"s3://bucket or s3://bucket/prefix"):
        parse_s3_url(url)
