"""InfluxDB 2.x and Cloud: writes through ``influxdb-client`` (token, org, bucket), reads through
the v1-compatible InfluxQL endpoint that 2.x serves for a bucket mapped to a database name.

Writes are synchronous on purpose: the batching ``WriteApi`` cannot tell which messages a batch
held and drops data after its retries, and an MQTT ack here must mean "stored".
"""

from __future__ import annotations

from collections.abc import Sequence

from influxdb_client.client.influxdb_client import InfluxDBClient
from influxdb_client.client.write_api import SYNCHRONOUS
from influxdb_client.domain.write_precision import WritePrecision
from influxdb_client.rest import ApiException
from urllib3.exceptions import HTTPError as Urllib3Error

from ingest.lineprotocol import format_points
from ingest.points import Point
from ingest.store.base import ReadsFrom, StoreRejected, StoreUnavailable
from ingest.store.influx_v1 import WRITE_CHUNK, InfluxV1Store


class InfluxV2Store(ReadsFrom):
    def __init__(
        self, url: str, *, token: str, org: str, bucket: str, timeout: float = 10.0
    ) -> None:
        self.url = url.rstrip("/")
        self.org = org
        self.bucket = bucket
        self._client = InfluxDBClient(
            url=self.url, token=token, org=org, timeout=int(timeout * 1000)
        )
        self._writer = self._client.write_api(write_options=SYNCHRONOUS)
        super().__init__(InfluxV1Store(self.url, bucket, token=token, timeout=timeout))

    def write(self, points: Sequence[Point]) -> None:
        for start in range(0, len(points), WRITE_CHUNK):
            body = format_points(points[start : start + WRITE_CHUNK])
            try:
                self._writer.write(
                    bucket=self.bucket,
                    org=self.org,
                    record=body,
                    write_precision=WritePrecision.MS,  # type: ignore[arg-type]  # the constant is a str, the annotation says the class
                )
            except ApiException as error:
                if (
                    error.status is not None
                    and 400 <= error.status < 500
                    and error.status
                    not in (
                        401,
                        403,
                        404,
                        429,
                    )
                ):
                    raise StoreRejected(f"InfluxDB refused the points: {error.body}") from error
                raise StoreUnavailable(
                    f"InfluxDB at {self.url}: HTTP {error.status} {error.body}"
                ) from error
            except (Urllib3Error, OSError) as error:
                raise StoreUnavailable(f"InfluxDB at {self.url}: {error}") from error

    def close(self) -> None:
        self._writer.close()  # type: ignore[no-untyped-call]
        self._client.close()  # type: ignore[no-untyped-call]
        self.reads.close()
