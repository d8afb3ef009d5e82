"""The upload store for photos and signatures, and the checks every upload passes first.

The type is read from the content (magic bytes), never from the name or the header the client
sent; the size is capped; the client's file name is kept only as a label, and refused when it is
a path or has characters a file name should not have. Files are stored under generated names
(random hex plus the extension of the type found), so nothing the client sends decides where a
file is written, and the store refuses any name that would resolve outside its directory.

``LocalStore`` keeps files under the data directory; ``field.visits.s3store.S3Store`` keeps them
in an S3-compatible bucket (VIGIL_UPLOAD_STORE=s3://bucket/prefix). Both implement the
``UploadStore`` protocol (put, get, delete by generated name) and pass the same contract tests.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from field.visits.models import FileKind


class UploadRefused(ValueError):
    """An upload that is not accepted; ``status`` is the HTTP status that says why."""

    def __init__(self, message: str, *, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class UploadStoreUnavailable(UploadRefused):
    """The store cannot be reached or refuses to work (503): not the client's fault."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=503)


# (content type, extension, test on the first bytes)
_JPEG = ("image/jpeg", "jpg")
_PNG = ("image/png", "png")
_WEBP = ("image/webp", "webp")
ACCEPTED: dict[FileKind, tuple[tuple[str, str], ...]] = {
    FileKind.PHOTO: (_JPEG, _PNG, _WEBP),
    FileKind.SIGNATURE: (_PNG,),
}
_GENERATED = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")
# A label, not a path: letters (any script), digits, space and a few marks; no separators, no
# leading dot, no control characters.
_NAME = re.compile(r"^[\w][\w .()+,-]{0,199}$")


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an image by its first bytes, or None."""
    if data[:3] == b"\xff\xd8\xff":
        return _JPEG
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _WEBP
    return None


def check_name(name: str | None) -> str | None:
    """The client's file name as a label, or refused (400) when it is a path or odd."""
    if name is None or name == "":
        return None
    if "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise UploadRefused(
            f"file name {name!r} is a path: send the file's name only (e.g. 'pump.jpg')",
            status=400,
        )
    if not _NAME.match(name):
        raise UploadRefused(
            f"file name {name!r} has characters a file name may not have here: use letters, "
            "digits, spaces and . _ - ( ) + , (at most 200, not starting with a dot)",
            status=400,
        )
    return name


def check_content(data: bytes, *, kind: FileKind, max_bytes: int) -> tuple[str, str]:
    """(content type, extension) of an acceptable upload; refused with 413 or 415 otherwise."""
    if len(data) > max_bytes:
        raise UploadRefused(
            f"the file has {len(data)} bytes; at most {max_bytes} are accepted", status=413
        )
    if not data:
        raise UploadRefused("the upload is empty: send the file's bytes as the request body")
    found = sniff(data)
    allowed = ACCEPTED[kind]
    if found not in allowed:
        names = ", ".join(ext.upper() for _, ext in allowed)
        what = "not an image this store knows" if found is None else found[0]
        raise UploadRefused(
            f"a {kind.value} must be {names} (read from its content: {what})", status=415
        )
    return found


def new_name(extension: str) -> str:
    """A fresh generated name: 32 random hex digits and the extension of the type found."""
    return stored_name(f"{secrets.token_hex(16)}.{extension}")


def stored_name(name: str) -> str:
    """``name`` when it is one the store generated; anything else reads as not found (404)."""
    if not _GENERATED.match(name):
        raise UploadRefused(f"not a stored file name: {name!r}", status=404)
    return name


class UploadStore(Protocol):
    def put(self, data: bytes, *, extension: str) -> str:
        """Store the bytes under a new generated name and return it."""
        ...

    def get(self, name: str) -> bytes:
        """The bytes stored under ``name``; 404 when there are none, 503 when unreachable."""
        ...

    def delete(self, name: str) -> None:
        """Remove ``name``; a name already gone is no error."""
        ...


@dataclass(frozen=True, slots=True)
class LocalStore:
    """Files in one directory (under the data directory), written atomically."""

    root: Path

    def _path(self, name: str) -> Path:
        root = self.root.resolve()
        path = (root / stored_name(name)[:2] / name).resolve()
        if not path.is_relative_to(root):  # cannot happen with a generated name; kept as a guard
            raise UploadRefused(f"not a stored file name: {name!r}", status=404)
        return path

    def put(self, data: bytes, *, extension: str) -> str:
        name = new_name(extension)
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".part")
        with open(temporary, "xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
        return name

    def get(self, name: str) -> bytes:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            raise UploadRefused(f"stored file {name} is missing", status=404) from None

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)
