"""The demo's parts started together on embedded defaults, and stopped in reverse order.

The scenario starts ``history`` before now. The simulator publishes that history ``speed`` times
faster than real time until it catches up with the wall clock, then runs in real time, so alerts,
silences and work orders all live on the wall clock. Once the healthy history is in, a model is
trained on it and promoted; from then on the scenario's fault can be caught.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from models.model import ModelConfig
from models.training import run_training
from simulators.live import run_live
from simulators.scenario import Scenario, healthy_fleet, load_scenario
from vigil import embedded
from vigil.demo_desk import DeskKeys, seed_desk
from vigil.demo_field import FieldKeys, seed_field
from vigil.service import RateMeter, Service
from vigil.settings import Settings

log = logging.getLogger(__name__)

BUNDLED_SCENARIO = (
    Path(__file__).resolve().parent.parent / "simulators" / "scenarios" / "demo-live.toml"
)

# Ten-second windows suit the demo's fault, which develops over minutes; production uses hours.
# Every time-based parameter is in windows (the trend looks 72 windows ahead), so nothing else
# needs rescaling. A wider margin than production's 1.2: two hours of history is thin knowledge
# of "normal".
DEMO_MODEL = ModelConfig(every_s=10, warmup_windows=12, margin=1.5)


# Who the demo's staff mails go to when nobody said: written as .eml files like the customers'
# mails, so that escalations, low survey scores and the monthly report show what they send.
DEMO_DISPATCHER = "dispatch@vigil-demo.example"
DEMO_SERVICE_MANAGER = "service.manager@vigil-demo.example"


def demo_addresses(settings: Settings) -> dict[str, str]:
    """The demo's staff addresses for the settings left empty, only while mails go to files:
    through a real relay (``VIGIL_SMTP_URL``) nothing is sent to an address nobody gave."""
    if settings.smtp_url:
        return {}
    chosen = {"dispatcher_emails": DEMO_DISPATCHER, "service_manager_emails": DEMO_SERVICE_MANAGER}
    return {name: address for name, address in chosen.items() if not getattr(settings, name)}


def start_at_local(scenario: Scenario, clock: str, *, now: float) -> datetime:
    """The latest moment, not after ``now``, when the scenario's first site reads ``clock``
    (``HH:MM`` local time): where the demo's ``--start-at`` puts the live part.

    >>> s = healthy_fleet(assets=1, interval_s=10.0, duration_s=60.0, seed=1)
    >>> s.sites[0].climate["utc_offset_h"]
    0.0
    >>> noon = 1_800_000_000 // 86400 * 86400 + 12 * 3600.0
    >>> start_at_local(s, "05:40", now=noon).strftime("%H:%M"), start_at_local(s, "17:40", now=noon).day
    ('05:40', 14)
    """
    try:
        hours, minutes = (int(part) for part in clock.split(":"))
    except ValueError:
        raise ValueError(
            f"--start-at wants HH:MM (local time at the sites), got {clock!r}"
        ) from None
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(f"--start-at wants HH:MM (local time at the sites), got {clock!r}")
    offset_s = (
        float(scenario.sites[0].climate.get("utc_offset_h", 0.0)) * 3600.0
        if scenario.sites
        else 0.0
    )
    local_midnight = (now + offset_s) // 86400 * 86400
    start = local_midnight + hours * 3600 + minutes * 60 - offset_s
    if start > now:
        start -= 86400
    return datetime.fromtimestamp(start, UTC)


def demo_start(options: DemoOptions, clock: str) -> datetime:
    """``--start-at HH:MM`` for the scenario these options run."""
    path = options.scenario or BUNDLED_SCENARIO
    scenario = (
        load_scenario(path)
        if path.exists()
        else healthy_fleet(
            assets=options.assets, interval_s=10.0, duration_s=60.0, seed=options.seed
        )
    )
    return start_at_local(scenario, clock, now=time.time())


@dataclass(frozen=True)
class DemoOptions:
    assets: int = 12
    scenario: Path | None = None
    speed: float = 240.0
    broker: str = "auto"
    seed: int = 1
    # Two hours: the machines' load wanders with a time constant of about 20 minutes, and a model
    # trained on less mistook that wander for faults.
    history: timedelta = timedelta(hours=2)
    # Train on this stretch of the history: the first minutes are the machines warming up from
    # cold, which is not what "healthy" should mean to the model.
    train_from: timedelta = timedelta(minutes=5)
    train_until: timedelta = timedelta(minutes=119)
    # When the live part starts, on the simulated clock (default: now). Earlier than now, the
    # whole demo replays that time of day, running behind the wall clock by the difference;
    # readings are never in the future.
    start_at: datetime | None = None
    # The service organisation's past (``simulators.history``), loaded on the first run: months
    # of work orders, visits, parts and surveys on a fleet of its own (other sites, other
    # regions), so the KPI and report pages have something to show. 0 assets leaves it out.
    past_assets: int = 300
    past_months: int = 6


class Demo:
    def __init__(self, settings: Settings, options: DemoOptions, console: Console) -> None:
        self.settings = settings
        self.options = options
        self.console = console
        self.service: Service | None = None
        self.sign_in_key = ""
        self.desk_keys: DeskKeys | None = None
        self.field_keys: FieldKeys | None = None
        self.model_version: str | None = None
        self._stack = contextlib.ExitStack()
        self._stop = threading.Event()
        self._published = 0
        self._rate = RateMeter(lambda: self.readings_stored)
        self._scenario = self._load_scenario()
        self._real0 = time.time()
        live = options.start_at.timestamp() if options.start_at else self._real0
        if live > self._real0 + 1.0:
            raise ValueError("the demo cannot start in the future: readings would be refused")
        self._behind = self._real0 - live
        interval = self._scenario.interval_s
        self._sim0 = (live - options.history.total_seconds()) // interval * interval

    def _load_scenario(self) -> Scenario:
        path = self.options.scenario or (BUNDLED_SCENARIO if BUNDLED_SCENARIO.exists() else None)
        if path is not None:
            return load_scenario(path)
        return healthy_fleet(
            assets=self.options.assets,
            interval_s=10.0,
            duration_s=6 * 3600.0,
            seed=self.options.seed,
        )

    def sim_now(self) -> datetime:
        """The simulator's clock: never ahead of the wall clock (less ``start_at``'s lag)."""
        wall = time.time() - self._behind
        sim = min(self._sim0 + (time.time() - self._real0) * self.options.speed, wall)
        return datetime.fromtimestamp(sim, UTC)

    def scoring_now(self) -> datetime:
        """Where the scorer reads up to: the end of the training stretch until a model is
        promoted (history before it is never scored), then the simulated clock.

        While history streams in at ``speed`` times real time, readings reach the store up to a
        second of wall time behind the simulated clock, so the scorer stays that far behind.
        """
        trained_until = datetime.fromtimestamp(self._sim0, UTC) + self.options.train_until
        if self.model_version is None:
            return trained_until
        now = self.sim_now()
        catching_up = now.timestamp() < time.time() - self._behind - 1.0
        if catching_up:
            now -= timedelta(seconds=self.options.speed)
        return max(trained_until, now)

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
            update={
                "mqtt_url": url,
                "mqtt_protocol": protocol,
                "mqtt_client_id": "vigil-demo",
                "scoring_interval_s": 2.0,
                "scoring_lateness_s": 3.0,
            }
            | demo_addresses(self.settings)
        )
        self.service = Service(self.settings, with_collector=True, scoring_clock=self.scoring_now)
        self._stack.enter_context(self.service)
        ingest = self.service.ingest
        assert ingest is not None
        if not ingest.subscriber.wait_connected(15):
            raise RuntimeError(f"the collector could not connect to the demo broker at {url}")
        self.model_version = self.service.registry.promoted()
        self.sign_in_key = self._demo_key()
        self.desk_keys = self._desk()
        self._start_thread("simulator", self._simulate, url, protocol)
        if self.model_version is None:
            self._start_thread("trainer", self._train_when_warm)
        self.console.print(
            f"Vigil demo: broker {url} (MQTT {protocol}); data in {data_dir.resolve()}\n"
            f"Dashboard: [bold]{self.service.url}[/bold]  sign-in key: [bold]{self.sign_in_key}[/bold]"
            + (
                f"\n  dispatcher key: [bold]{self.desk_keys.dispatcher}[/bold]"
                f"\n  customer key ({self.desk_keys.customer_name}, the portal): "
                f"[bold]{self.desk_keys.customer}[/bold]"
                if self.desk_keys is not None
                else ""
            )
            + (
                f"\n  engineer key ({self.field_keys.engineer_name}, the phone view "
                f"{self.service.url}/my-work): [bold]{self.field_keys.engineer}[/bold]"
                if self.field_keys is not None
                else ""
            )
            + f"\nE-mails to customers (work-order steps), the dispatcher "
            f"({self.settings.dispatcher_emails or 'none'}) and the service manager "
            f"({self.settings.service_manager_emails or 'none'}: escalations, low survey scores, "
            f"the monthly report): {self.service.mailer.description}"
        )

    def _start_thread(self, name: str, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._stack.callback(thread.join, 10)
        self._stack.callback(self._stop.set)

    def _demo_key(self) -> str:
        from api.keys import create_key
        from api.roles import Role

        assert self.service is not None
        with self.service.sessions() as session:
            created = create_key(session=session, name="demo", role=Role.admin)
            session.commit()
        return created.key

    def _desk(self) -> DeskKeys | None:
        """The service organisation (vigil/demo_desk.py) and the field service
        (vigil/demo_field.py), seeded on the first run."""
        assert self.service is not None
        with self.service.sessions() as session:
            now = datetime.now(UTC)
            keys = seed_desk(session=session, scenario=self._scenario, now=now)
            if keys is not None and self.options.past_assets:
                self._load_past(session)
            if keys is not None:  # the first run: the engineer's phone, van and article too
                self.field_keys = seed_field(session=session, now=now)
            session.commit()
        return keys

    def _load_past(self, session: Session) -> None:
        """Generate and load the service history, ending before the simulated clock starts."""
        from simulators.history import generate, write
        from vigil.history.loader import load

        started = time.perf_counter()
        sim_start = datetime.fromtimestamp(self._sim0, UTC)
        past = generate(
            months=self.options.past_months,
            assets=self.options.past_assets,
            seed=self.options.seed,
            end=sim_start,
        )
        directory = write(past, self.settings.data_dir / "service-history")
        loaded = load(session=session, directory=directory, now=sim_start)
        self.console.print(
            f"Loaded {self.options.past_months} months of service history "
            f"({loaded.counts['work orders and SLA clocks']:,} work orders on "
            f"{self.options.past_assets} assets) in {time.perf_counter() - started:.1f} s"
        )

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

    def _simulate(self, url: str, protocol: str) -> None:
        def count(published: int) -> None:
            self._published = published

        run_live(
            mqtt_url=url,
            stop=self._stop,
            scenario=self._scenario,
            seed=self.options.seed,
            speed=self.options.speed,
            protocol=protocol,
            topic_template=self.settings.topic_template,
            on_progress=count,
            start_s=self._sim0,
            behind_s=self._behind,
        )

    def _train_when_warm(self) -> None:
        """Train on the healthy start of the run, then promote: the scorer reloads it."""
        start = datetime.fromtimestamp(self._sim0, UTC)
        end = start + self.options.train_until
        while not self._stop.wait(1.0):
            if self.sim_now() >= end + timedelta(seconds=self.options.speed):
                break
        else:
            return
        assert self.service is not None
        try:
            version = run_training(
                store=self.service.store,
                registry=self.service.registry,
                start=start + self.options.train_from,
                end=end,
                asset_type=None,
                label_sources=[],
                config=DEMO_MODEL,
            )
        except ValueError as error:
            log.error("demo model training failed: %s", error)
            return
        self.service.registry.promote(version.version)
        self.model_version = version.version
        self.console.print(
            f"Trained and promoted model {version.version} on minutes "
            f"{self.options.train_from.seconds // 60}-{self.options.train_until.seconds // 60} "
            "of the history; scoring from there on."
        )

    # -- what the console shows -----------------------------------------------------------------

    @property
    def readings_stored(self) -> int:
        ingest = self.service.ingest if self.service else None
        return ingest.collector.stats.readings_stored if ingest else 0

    def open_work_orders(self) -> int:
        from workorders.models import WorkOrder

        if self.service is None:
            return 0
        import sqlalchemy as sa

        with self.service.sessions() as session:
            count = session.scalar(sa.select(sa.func.count()).select_from(WorkOrder))
        return int(count or 0)

    def table(self, elapsed: float) -> Table:
        ingest = self.service.ingest if self.service else None
        stats = ingest.collector.stats if ingest else None
        stored = self.readings_stored
        table = Table(title=f"Vigil demo — {elapsed:5.0f} s (Ctrl-C to stop)", min_width=60)
        table.add_column("what")
        table.add_column("value", justify="right")
        table.add_row("simulated time", self.sim_now().strftime("%Y-%m-%d %H:%M UTC"))
        table.add_row("readings published", f"{self._published:,}")
        table.add_row("readings stored", f"{stored:,}")
        table.add_row("readings/s", f"{self._rate():,.0f}")
        table.add_row("quarantined", f"{stats.quarantined_total if stats else 0:,}")
        table.add_row("model", self.model_version or "training after warm-up")
        table.add_row("work orders", f"{self.open_work_orders():,}")
        if self.service is not None:
            table.add_row("dashboard", self.service.url)
        return table
