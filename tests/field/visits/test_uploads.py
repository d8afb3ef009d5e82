"""The upload store: type by content, size cap, names that are labels and never paths, and
nothing written outside the store's directory whatever the client sends."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from field.visits.models import FileKind
from field.visits.uploads import LocalStore, UploadRefused, check_content, check_name, sniff
from tests.field.visits.builders import JPEG, png

WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32


def test_the_type_is_read_from_the_content() -> None:
    assert sniff(JPEG) == ("image/jpeg", "jpg")
    assert sniff(png()) == ("image/png", "png")
    assert sniff(WEBP) == ("image/webp", "webp")
    assert sniff(b"GIF89a....") is None
    assert sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert check_content(WEBP, kind=FileKind.PHOTO, max_bytes=100) == ("image/webp", "webp")
    with pytest.raises(UploadRefused, match="signature must be PNG") as refused:
        check_content(JPEG, kind=FileKind.SIGNATURE, max_bytes=1000)
    assert refused.value.status == 415
    with pytest.raises(UploadRefused, match="at most 10 are accepted") as refused:
        check_content(JPEG, kind=FileKind.PHOTO, max_bytes=10)
    assert refused.value.status == 413
    with pytest.raises(UploadRefused, match="empty"):
        check_content(b"", kind=FileKind.PHOTO, max_bytes=10)


@pytest.mark.parametrize(
    "name",
    ["../x.jpg", "a/b.jpg", "..\\..\\x.jpg", "/etc/passwd", "x\x00.jpg", ".hidden.jpg", "a\nb.jpg",
     "x<script>.jpg", "C:evil.jpg", "~root.jpg", "a" * 201],
)  # fmt: skip
def test_paths_and_odd_names_are_refused_with_400(name: str) -> None:
    with pytest.raises(UploadRefused) as refused:
        check_name(name)
    assert refused.value.status == 400


@pytest.mark.parametrize("name", ["IMG_2041.jpg", "pompe (1).jpeg", "泵-轴承.png", "a+b,c.webp"])
def test_ordinary_names_are_kept_as_labels(name: str) -> None:
    assert check_name(name) == name


def test_stored_names_are_generated_and_read_back(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    name = store.put(JPEG, extension="jpg")
    assert name.endswith(".jpg")
    assert len(name) == 36
    assert store.get(name) == JPEG
    assert (tmp_path / "store" / name[:2] / name).is_file()
    for forged in ("../secret.jpg", name[:-4] + "/../../x.jpg", "x.jpg", "/etc/passwd"):
        with pytest.raises(UploadRefused) as refused:
            store.get(forged)
        assert refused.value.status == 404
    store.delete(name)
    with pytest.raises(UploadRefused, match="missing"):
        store.get(name)


@settings(max_examples=300, deadline=None)
@given(name=st.text(max_size=60), data=st.sampled_from([JPEG, png(), WEBP, b"\x00junk"]))
def test_whatever_the_name_nothing_lands_outside_the_store(
    tmp_path_factory: pytest.TempPathFactory, name: str, data: bytes
) -> None:
    root = tmp_path_factory.mktemp("uploads")
    store = LocalStore(root / "store")
    refused: UploadRefused | None = None
    stored = ""
    try:
        check_name(name)
        _, extension = check_content(data, kind=FileKind.PHOTO, max_bytes=10_000)
        stored = store.put(data, extension=extension)
    except UploadRefused as error:
        refused = error
    written = [p for p in root.rglob("*") if p.is_file()]
    if refused is not None:
        assert refused.status in (400, 413, 415, 422)
        assert written == []
    else:
        assert written == [(root / "store" / stored[:2] / stored)]
