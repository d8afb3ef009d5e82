"""A fresh broker, InfluxDB and collector processes per fault test, so each may kill any of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.faults.helpers import IngestProcess
from vigil.embedded import ChildServer

DATABASE = "vigil"


@dataclass
class Stack:
    mosquitto: ChildServer
    influxd: ChildServer
    workdir: Path
    collectors: list[IngestProcess] = field(default_factory=list)

    @property
    def influx_url(self) -> str:
        return f"http://127.0.0.1:{self.influxd.port}"

    @property
    def mqtt_url(self) -> str:
        return f"mqtt://127.0.0.1:{self.mosquitto.port}"

    def collector(
        self, client_id: str = "vigil-ingest-1", *, group: str | None = None, **env: str
    ) -> IngestProcess:
        """A collector process (not started) with its own data dir (spool, quarantine)."""
        process = IngestProcess(
            mqtt_port=self.mosquitto.port,
            influx_url=self.influx_url,
            database=DATABASE,
            data_dir=self.workdir / client_id,
            client_id=client_id,
            group=group,
            extra_env=env,
        )
        self.collectors.append(process)
        return process


@pytest.fixture
def make_stack(
    start_mosquitto: Callable[..., ChildServer],
    start_influxd: Callable[[], ChildServer],
    tmp_path: Path,
) -> Iterator[Callable[..., Stack]]:
    stacks: list[Stack] = []

    def make(mosquitto_conf: str = "") -> Stack:
        stack = Stack(start_mosquitto(mosquitto_conf), start_influxd(), tmp_path)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        for collector in stack.collectors:
            if collector.alive:
                collector.kill()
