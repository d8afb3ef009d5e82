"""The demo's parts started together on embedded defaults, and stopped in reverse order."""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.table import Table

from vigil import embedded
from vigil.service import Service
from vigil.settings import Settings

BUNDLED_SCENARIO = Path(__file__).resolve().parent.parent / "simulators" / "scenarios" / "demo.toml"


@dataclass(frozen=True)
class DemoOptions:
    assets: int = 12
    scenario: Path | None = None
    speed: float = 60.0
    broker: str = "auto"
    seed: int = 1


class Demo:
    def __init__(self, settings: Settings, options: DemoOptions, console: Console) -> None:
        self.settings = settings
        self.options = options
        self.console = console
        self._stack = contextlib.ExitStack()
        self._stop = threading.Event()
        self._published = 0
        self.service: Service | None = None
        self.sign_in_key = ""
        self._last = (time.monotonic(), 0)
        self._rate = 0.0

    # -- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> Demo:
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._stack.close()

    def _start(self) -> None:
        data_dir = self.settings.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        url, protocol = self._start_broker(data_dir)
        self.settings = self.settings.model_copy(
            update={"mqtt_url": url, "mqtt_protocol": protocol, "mqtt_client_id": "vigil-demo"}
        )
        self.service = Service(self.settings, with_collector=True)
        self._stack.enter_context(self.service)
        ingest = self.service.ingest
        assert ingest is not None
        if not ingest.subscriber.wait_connected(15):
            raise RuntimeError(f"the collector could not connect to the demo broker at {url}")
        self.sign_in_key = self._demo_key()
        self._start_simulator(url, protocol)
        self.console.print(
            f"Vigil demo: broker {url} (MQTT {protocol}); data in {data_dir.resolve()}\n"
            f"Dashboard: [bold]{self.service.url}[/bold]  sign-in key: [bold]{self.sign_in_key}[/bold]"
        )

    def _demo_key(self) -> str:
        from api.keys import create_key
        from api.roles import Role

        assert self.service is not None
        with self.service.sessions() as session:
            created = create_key(session=session, name="demo", role=Role.admin)
            session.commit()
        return created.key

    def _start_broker(self, data_dir: Path) -> tuple[str, str]:
        choice = self.options.broker
        if choice == "mosquitto" or (choice == "auto" and shutil.which("mosquitto")):
            server = embedded.mosquitto(data_dir / "mosquitto").start()
            self._stack.callback(server.stop)
            return f"mqtt://127.0.0.1:{server.port}", "5"
        amqtt = embedded.AmqttBroker().start()
        self._stack.callback(amqtt.stop)
        # amqtt speaks MQTT 3.1.1 only.
        return f"mqtt://127.0.0.1:{amqtt.port}", "3.1.1"

    def _start_simulator(self, url: str, protocol: str) -> None:
        from simulators.live import run_live

        scenario: Any = None
        path = self.options.scenario or (BUNDLED_SCENARIO if BUNDLED_SCENARIO.exists() else None)
        if path is not None:
            from simulators.scenario import load_scenario

            scenario = load_scenario(path)

        def count(published: int) -> None:
            self._published = published

        thread = threading.Thread(
            target=run_live,
            kwargs={
                "mqtt_url": url,
                "stop": self._stop,
                "scenario": scenario,
                "assets": self.options.assets,
                "seed": self.options.seed,
                "speed": self.options.speed,
                "protocol": protocol,
                "topic_template": self.settings.topic_template,
                "on_progress": count,
            },
            name="simulator",
            daemon=True,
        )
        thread.start()
        self._stack.callback(thread.join, 10)
        self._stack.callback(self._stop.set)

    # -- what the console shows -----------------------------------------------------------------

    @property
    def readings_stored(self) -> int:
        ingest = self.service.ingest if self.service else None
        return ingest.collector.stats.readings_stored if ingest else 0

    def table(self, elapsed: float) -> Table:
        ingest = self.service.ingest if self.service else None
        stats = ingest.collector.stats if ingest else None
        now = time.monotonic()
        stored = self.readings_stored
        then, before = self._last
        if now - then >= 1.0:
            self._rate = (stored - before) / (now - then)
            self._last = (now, stored)
        table = Table(title=f"Vigil demo — {elapsed:5.0f} s (Ctrl-C to stop)", min_width=60)
        table.add_column("what")
        table.add_column("value", justify="right")
        table.add_row("readings published", f"{self._published:,}")
        table.add_row("readings stored", f"{stored:,}")
        table.add_row("readings/s", f"{self._rate:,.0f}")
        table.add_row("quarantined", f"{stats.quarantined_total if stats else 0:,}")
        table.add_row("ingest lag", f"{(stats.lag_ms if stats else 0) / 1000:.1f} s")
        return table
