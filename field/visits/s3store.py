"""Photos and signatures in an S3-compatible bucket (AWS S3, MinIO, Ceph, ...).

Chosen by ``VIGIL_UPLOAD_STORE=s3://bucket/prefix``; ``VIGIL_S3_ENDPOINT_URL`` points at a store
other than AWS, ``VIGIL_S3_REGION`` is optional. Credentials come from the standard AWS chain
(``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, ~/.aws, an instance role), so no
secret sits in Vigil's settings. Object keys are ``<prefix>/<generated name>``: a name the store
made, never one the client sent. A missing object reads as not found (404); a store that cannot
be reached, refuses the credentials or has no such bucket is ``UploadStoreUnavailable`` (503).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from field.visits.s3url import S3Location, parse_s3_url
from field.visits.uploads import UploadRefused, UploadStoreUnavailable, new_name

_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


def _unavailable(location: S3Location, error: Exception) -> UploadStoreUnavailable:
    where = f"s3://{location.bucket}/{location.prefix}".rstrip("/")
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "?")
        message = error.response.get("Error", {}).get("Message", "")
        what = f"refused the request ({code}{': ' + message if message else ''})"
    else:
        what = f"cannot be reached ({error})"
    return UploadStoreUnavailable(f"the upload store {where} {what}; try again later")


@dataclass(frozen=True, slots=True)
class S3Store:
    """An ``UploadStore`` over one bucket and prefix, through a boto3 S3 client."""

    location: S3Location
    client: Any  # botocore's S3 client (boto3 ships no types)

    def put(self, data: bytes, *, extension: str) -> str:
        name = new_name(extension)
        try:
            self.client.put_object(
                Bucket=self.location.bucket, Key=self.location.key(name), Body=data
            )
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(self.location, error) from error
        return name

    def get(self, name: str) -> bytes:
        key = self.location.key(name)
        try:
            answer = self.client.get_object(Bucket=self.location.bucket, Key=key)
            data: bytes = answer["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                raise UploadRefused(f"stored file {name} is missing", status=404) from None
            raise _unavailable(self.location, error) from error
        except BotoCoreError as error:
            raise _unavailable(self.location, error) from error
        return data

    def delete(self, name: str) -> None:
        try:  # S3 answers a delete of a missing key with success
            self.client.delete_object(Bucket=self.location.bucket, Key=self.location.key(name))
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(self.location, error) from error


def open_s3_store(
    url: str, *, endpoint_url: str | None = None, region: str | None = None
) -> S3Store:
    """The store for ``s3://bucket/prefix``; the credentials from the standard AWS chain. Short
    timeouts and few retries: an unreachable store answers 503 within seconds, not minutes."""
    config = Config(
        connect_timeout=5,
        read_timeout=30,
        retries={"max_attempts": 2, "mode": "standard"},
        s3={"addressing_style": "path" if endpoint_url else "auto"},
    )
    client = boto3.session.Session().client(
        "s3", endpoint_url=endpoint_url, region_name=region, config=config
    )
    return S3Store(location=parse_s3_url(url), client=client)
