"""Where the S3-compatible upload store keeps files: ``s3://bucket[/prefix]``, checked.

Apart from ``s3store`` so that the settings check a URL without importing boto3 (the settings are
loaded by ``vigil ingest`` too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from field.visits.uploads import stored_name

_EXAMPLE = "s3://bucket or s3://bucket/prefix (e.g. s3://vigil-uploads/photos)"
# S3's bucket naming rules: 3 to 63 lower-case letters, digits, dots and hyphens.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_PREFIX = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")


@dataclass(frozen=True, slots=True)
class S3Location:
    bucket: str
    prefix: str  # no leading or trailing slash; "" for the bucket's top

    def key(self, name: str) -> str:
        name = stored_name(name)
        return f"{self.prefix}/{name}" if self.prefix else name


def parse_s3_url(url: str) -> S3Location:
    """``s3://bucket[/prefix]``, or ValueError saying what to write."""
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise ValueError(f"expected {_EXAMPLE}, got {url!r}")
    if parts.query or parts.fragment or parts.username or parts.password or parts.port:
        raise ValueError(
            f"expected {_EXAMPLE} with no credentials, port or query (credentials come from "
            f"the AWS environment, the endpoint from VIGIL_S3_ENDPOINT_URL), got {url!r}"
        )
    bucket = parts.netloc
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise ValueError(
            f"bucket {bucket!r} is not an S3 bucket name (3 to 63 lower-case letters, digits, "
            f"dots and hyphens): expected {_EXAMPLE}, got {url!r}"
        )
    prefix = parts.path.strip("/")
    if prefix and (not _PREFIX.match(prefix) or any(p in (".", "..") for p in prefix.split("/"))):
        raise ValueError(
            f"prefix {prefix!r} may hold only letters, digits, . _ - and / between parts: "
            f"expected {_EXAMPLE}, got {url!r}"
        )
    return S3Location(bucket=bucket, prefix=prefix)
