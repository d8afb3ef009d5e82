"""The running service: database, stores, scheduler jobs, API server and optionally the collector.

``vigil serve`` and ``vigil demo`` both build one of these; the demo adds its broker and
simulator around it. Parts start in dependency order and stop in reverse.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from apscheduler.schedulers.background import BackgroundScheduler

from alerts.flows import handle_decisions
from alerts.policy import AlertPolicy
from api.app import create_app
from api.config import ApiConfig
from field.flows import Scoring
from field.geo import straight_line
from models.base import Decision
from models.registry import Registry
from models.scoring import CycleReport
from notify.mail import mailer_from
from vigil import db
from vigil.scheduled import Clock, add_jobs, escalate, escalation_directory, wall_clock
from vigil.settings import Settings, SettingsError
from vigil.wiring import IngestService, build_ingest, build_quarantine, build_store, wait_for_store
from workorders.db import make_engine, session_factory

log = logging.getLogger(__name__)


def session_secret(settings: Settings) -> str:
    """The cookie-signing secret: required in production, generated once and kept for the demo."""
    if settings.session_secret:
        return settings.session_secret
    if not settings.demo:
        raise SettingsError(
            "VIGIL_SESSION_SECRET: required by vigil serve, at least 32 random characters "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    path = settings.data_dir / "session_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass
class RateMeter:
    """Readings per second between two reads of a growing counter."""

    read: Callable[[], int]
    _last: tuple[float, int] = (0.0, 0)
    _rate: float = 0.0

    def __call__(self) -> float:
        now, value = time.monotonic(), self.read()
        then, before = self._last
        if then and now - then >= 1.0:
            self._rate = (value - before) / (now - then)
        if not then or now - then >= 1.0:
            self._last = (now, value)
        return self._rate


class Service:
    def __init__(
        self,
        settings: Settings,
        *,
        with_collector: bool,
        scoring_clock: Clock = wall_clock,
        alert_policy: AlertPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.with_collector = with_collector
        self.alert_policy = alert_policy
        lateness = timedelta(seconds=settings.scoring_lateness_s)
        self.scoring_clock: Clock = lambda: scoring_clock() - lateness
        self.stop_event = threading.Event()
        self.ingest: IngestService | None = None
        self.last_cycle: CycleReport | None = None
        self.port = 0
        self._stack = contextlib.ExitStack()
        self._server: uvicorn.Server | None = None

    def __enter__(self) -> Service:
        try:
            self.start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.stop_event.set()
        self._stack.close()

    # -- parts ----------------------------------------------------------------------------------

    def start(self) -> None:
        settings = self.settings
        secret = session_secret(settings)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        url = settings.resolved_database_url
        db.upgrade(url)
        # pre_ping: a database restart must cost one retried checkout, not a failed job run.
        self.engine = make_engine(url, pool_pre_ping=True)
        self._stack.callback(self.engine.dispose)
        self.sessions = session_factory(self.engine)
        self.store = build_store(settings)
        self._stack.callback(self.store.close)
        if not wait_for_store(self.store, self.stop_event):
            raise RuntimeError("stopped while waiting for the telemetry store")
        self.quarantine = build_quarantine(settings)
        self._stack.callback(self.quarantine.close)
        self.registry = Registry(settings.data_dir / "models")
        self.scoring = Scoring(travel_time=straight_line(settings.travel_speed_kmh))
        self.mailer = mailer_from(settings.smtp_url, outbox_dir=self.mail_dir)
        self.directory = escalation_directory(settings)
        log.info("e-mails (customer notices, escalations) go to %s", self.mailer.description)
        if self.with_collector:
            self.ingest = build_ingest(settings, self.store, self.quarantine)
            stats = self.ingest.collector.stats
            self.readings_per_s = RateMeter(lambda: stats.readings_stored)
            self.ingest.start()
            self._stack.callback(self.ingest.stop)
        self._start_scheduler()
        self._start_api(secret)

    def _start_scheduler(self) -> None:
        http = httpx.Client(timeout=httpx.Timeout(5.0, connect=2.0))
        self._stack.callback(http.close)
        scheduler = BackgroundScheduler(timezone=UTC)
        add_jobs(
            scheduler,
            settings=self.settings,
            sessions=self.sessions,
            store=self.store,
            registry=self.registry,
            scoring=self.scoring,
            mailer=self.mailer,
            http=http,
            scoring_clock=self.scoring_clock,
            on_decisions=self.on_decisions,
            on_report=self._on_report,
            escalate=self.escalate,
        )
        scheduler.start()
        self._stack.callback(scheduler.shutdown, wait=True)

    def escalate(self) -> None:
        """One escalation round (the link in its mails needs the API's port, known later)."""
        escalate(
            sessions=self.sessions,
            directory=self.directory,
            mailer=self.mailer,
            sender=self.settings.mail_from,
            base_url=self.url,
        )

    def on_decisions(self, decisions: list[Decision]) -> None:
        handle_decisions(
            session_factory=self.sessions,
            decisions=decisions,
            now=wall_clock(),
            policy=self.alert_policy,
        )

    def _on_report(self, report: CycleReport) -> None:
        self.last_cycle = report
        if report.decisions:
            log.debug("scoring: %s", report)

    def stats(self) -> Mapping[str, float]:
        figures: dict[str, float] = {}
        if self.ingest is not None:
            stats = self.ingest.collector.stats
            figures["readings_per_s"] = self.readings_per_s()
            figures["ingest_lag_s"] = stats.lag_ms / 1000
            figures["readings_stored_total"] = stats.readings_stored
            spool = self.ingest.collector.spool
            if spool is not None:
                status = spool.status()
                figures["spool_bytes"] = status.bytes
                figures["spool_oldest_age_s"] = status.oldest_age_s
        if self.last_cycle is not None:
            figures["scoring_duration_s"] = self.last_cycle.seconds
        return figures

    def _start_api(self, secret: str) -> None:
        settings = self.settings
        probes: dict[str, Any] = {}
        if self.ingest is not None:
            subscriber = self.ingest.subscriber

            def broker() -> None:
                if not subscriber.connected.is_set():
                    raise RuntimeError(subscriber.last_error or "not connected to the broker")

            probes["broker"] = broker
        app = create_app(
            config=ApiConfig(
                session_secret=secret,
                data_dir=settings.data_dir,
                cookie_secure=not settings.demo,
                demo=settings.demo,
                survey_follow_up_person=settings.survey_follow_up_person,
                service_manager=settings.service_manager,
                upload_dir=settings.upload_dir,
                upload_max_bytes=settings.upload_max_bytes,
                upload_store=settings.upload_store,
                s3_endpoint_url=settings.s3_endpoint_url,
                s3_region=settings.s3_region,
                scorecard_weights=settings.weights,
            ),
            session_factory=self.sessions,
            store=self.store,
            quarantine=self.quarantine,
            registry=self.registry,
            probes=probes,
            stats=[self.stats],
            scoring=self.scoring,
        )
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((settings.api_host, settings.api_port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        self._server = server
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="api", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not server.started:
            raise RuntimeError(f"the API did not start on {settings.api_host}:{self.port}")

        def stop_api() -> None:
            # Open dashboards hold event streams that never end by themselves.
            app.state.events.close()
            server.should_exit = True
            thread.join(10)
            sock.close()

        self._stack.callback(stop_api)

    @property
    def mail_dir(self) -> Path:
        """Where mails are written when no SMTP relay is configured."""
        return self.settings.data_dir / "mail"

    @property
    def url(self) -> str:
        host = self.settings.api_host
        return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{self.port}"
