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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session, sessionmaker

from alerts.flows import handle_decisions
from alerts.policy import AlertPolicy
from api.app import create_app
from api.config import ApiConfig
from customers.sites import list_sites
from field.flows import Scoring
from field.geo import straight_line
from field.models import Engineer
from field.scheduled import AutoRule, auto_dispatch, plan_rules
from field.stock.holds import release_finished
from followup.health import store_health
from followup.scheduled import verify_repairs
from followup.service import VerificationPolicy
from followup.surveys import mail as survey_mail
from followup.surveys import scheduled as follow_up_visits
from ingest.presence import PresenceTracker
from models.base import Decision
from models.registry import Registry
from models.scoring import CycleReport, add_scoring_job
from notify.mail import mailer_from
from planning import scheduled as plans
from planning.readings import store_readings
from reports.value.scheduled import add_value_job
from vigil import db
from vigil.reporting import monthly_report_tick, report_config
from vigil.settings import Settings, SettingsError
from vigil.wiring import IngestService, build_ingest, build_quarantine, build_store, wait_for_store
from workorders.connectors.base import TicketConnector
from workorders.connectors.rt import RtConfig, RtConnector
from workorders.connectors.scheduled import sync_status
from workorders.db import in_transaction, make_engine, session_factory
from workorders.notices import outbox as customer_notices
from workorders.presence import OutageWatch
from workorders.sla import escalation
from workorders.sla.flows import resume_due
from workorders.webhooks.scheduled import RetryPolicy, deliver_due

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def build_connectors(settings: Settings, http: httpx.Client) -> dict[str, TicketConnector]:
    """The ticketing connectors whose credentials are set (subscriptions name them)."""
    connectors: dict[str, TicketConnector] = {}
    if settings.rt_configured:
        config = RtConfig(
            user=settings.rt_user,
            password=settings.rt_password,
            token=settings.rt_token,
            queue_by=settings.rt_queue_by,
            queues=settings.rt_queues,
            default_queue=settings.rt_default_queue,
        )
        connectors["rt"] = RtConnector(config, http)
    return connectors


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def every(
    scheduler: BackgroundScheduler,
    job_id: str,
    job: Callable[[], object],
    *,
    at_start: bool = False,
    **interval: float,
) -> None:
    """A recurring job that never runs twice at once and runs once for runs it missed (a busy
    machine or a pause must not queue a burst); ``at_start`` also runs it right away."""
    first = {"next_run_time": _wall_clock()} if at_start else {}
    scheduler.add_job(
        job, "interval", id=job_id, max_instances=1, coalesce=True, **first, **interval
    )


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


def engineer_address(session: Session, assignee: str) -> str | None:
    """The e-mail of the engineer whose code is the assignee (escalations to the assignee)."""
    engineer = session.scalars(sa.select(Engineer).where(Engineer.code == assignee)).first()
    return engineer.email if engineer is not None else None


class Service:
    def __init__(
        self,
        settings: Settings,
        *,
        with_collector: bool,
        scoring_clock: Clock = _wall_clock,
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
        dispatchers, managers, staff = settings.escalation_addresses
        self.directory = escalation.Directory(
            dispatchers=dispatchers,
            service_managers=managers,
            staff=staff,
            lookup=engineer_address,
        )
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
        scheduler = BackgroundScheduler(timezone=UTC)
        index, count = (int(part) for part in self.settings.scoring_shard.split("/"))
        add_scoring_job(
            scheduler,
            store=self.store,
            registry=self.registry,
            on_decisions=self.on_decisions,
            interval_s=self.settings.scoring_interval_s,
            shard=(index, count),
            clock=self.scoring_clock,
            on_report=self._on_report,
            zones=lambda: site_zones(self.sessions),
        )
        http = httpx.Client(timeout=httpx.Timeout(5.0, connect=2.0))
        self._stack.callback(http.close)
        policy = RetryPolicy(max_age_s=self.settings.webhook_max_age_s)
        connectors = build_connectors(self.settings, http)
        every(
            scheduler,
            "vigil-webhooks",
            lambda: deliver_due(
                session_factory=self.sessions,
                http_client=http,
                now=_wall_clock(),
                policy=policy,
                connectors=connectors,
            ),
            seconds=self.settings.webhook_poll_s,
        )
        outages = OutageWatch(
            session_factory=self.sessions,
            tracker=PresenceTracker(self.store, first_lookback=timedelta(days=1)),
            open_after=timedelta(seconds=self.settings.gateway_offline_work_order_after_s),
        )
        every(
            scheduler,
            "vigil-presence",
            lambda: outages.check(_wall_clock()),
            seconds=self.settings.presence_check_s,
        )
        if connectors:
            every(
                scheduler,
                "vigil-ticket-status",
                lambda: sync_status(
                    session_factory=self.sessions, connectors=connectors, now=_wall_clock()
                ),
                seconds=self.settings.rt_poll_s,
            )
        verification = VerificationPolicy(
            period=timedelta(days=self.settings.verification_days),
            settle=timedelta(hours=self.settings.verification_settle_h),
        )
        health = store_health(self.store)
        every(
            scheduler,
            "vigil-follow-up",
            lambda: verify_repairs(
                session_factory=self.sessions, health=health, now=_wall_clock(), policy=verification
            ),
            hours=1,
        )
        fallback = (
            AutoRule(within=timedelta(minutes=self.settings.auto_dispatch_urgent_min))
            if self.settings.auto_dispatch_urgent_min
            else None
        )
        rule_for = plan_rules(urgent_fallback=fallback)
        every(
            scheduler,
            "vigil-auto-dispatch",
            lambda: auto_dispatch(
                session_factory=self.sessions,
                now=_wall_clock(),
                rule_for=rule_for,
                scoring=self.scoring,
            ),
            seconds=self.settings.auto_dispatch_poll_s,
        )
        every(
            scheduler,
            "vigil-escalation",
            self.escalate,
            seconds=self.settings.escalation_poll_s,
            at_start=True,
        )
        every(
            scheduler,
            "vigil-follow-up-visits",
            lambda: follow_up_visits.run(
                session_factory=self.sessions,
                now=_wall_clock(),
                assignee=self.settings.survey_follow_up_person,
            ),
            seconds=self.settings.follow_up_poll_s,
        )
        every(
            scheduler,
            "vigil-survey-escalations",
            lambda: survey_mail.send_escalations(
                session_factory=self.sessions,
                mailer=self.mailer,
                sender=self.settings.mail_from,
                addresses=self.settings.escalation_addresses[1],
                now=_wall_clock(),
            ),
            seconds=self.settings.escalation_poll_s,
        )
        every(
            scheduler,
            "vigil-release-parts",
            lambda: in_transaction(
                self.sessions,
                lambda session: release_finished(session=session, actor="vigil", now=_wall_clock()),
            ),
            seconds=self.settings.auto_dispatch_poll_s,
        )
        every(
            scheduler,
            "vigil-customer-notices",
            lambda: customer_notices.send_waiting(
                session_factory=self.sessions,
                sending=customer_notices.Sending(self.mailer, self.settings.mail_from),
                now=_wall_clock(),
            ),
            seconds=self.settings.notice_poll_s,
            at_start=True,
        )
        if self.settings.monthly_report:
            config = report_config(self.settings)  # a wrong target stops the start, with why
            # Looks often and decides once: a restart on the 1st finds the month's record.
            every(
                scheduler,
                "vigil-monthly-report",
                lambda: monthly_report_tick(
                    settings=self.settings,
                    session_factory=self.sessions,
                    mailer=self.mailer,
                    now=_wall_clock(),
                    config=config,
                ),
                seconds=self.settings.report_poll_s,
                at_start=True,
            )
        add_value_job(
            scheduler,
            session_factory=self.sessions,
            health=health,
            rules=self.settings.rfm_rules,
            clock=_wall_clock,
        )
        readings = store_readings(self.store)
        every(
            scheduler,
            "vigil-preventive-plans",
            lambda: plans.run(session_factory=self.sessions, read=readings, now=_wall_clock()),
            seconds=self.settings.plans_poll_s,
        )
        scheduler.start()
        self._stack.callback(scheduler.shutdown, wait=True)

    def escalate(self) -> None:
        """One escalation round: scheduled resumes, due milestones, then the waiting mails."""
        now = _wall_clock()
        resume_due(session_factory=self.sessions, now=now)
        fired = escalation.tick(
            session_factory=self.sessions,
            now=now,
            directory=self.directory,
            sender=self.settings.mail_from,
            base_url=self.url,
        )
        for f in fired:
            log.info("escalation: %s %s %d%% -> %s", f.number, f.clock.value, f.level, f.told)
        escalation.send_mails(
            session_factory=self.sessions,
            mailer=self.mailer,
            sender=self.settings.mail_from,
            now=now,
        )

    def on_decisions(self, decisions: list[Decision]) -> None:
        handle_decisions(
            session_factory=self.sessions,
            decisions=decisions,
            now=_wall_clock(),
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


def site_zones(sessions: sessionmaker[Session]) -> dict[str, str]:
    """Each site's time zone by its code (the ``site`` of the telemetry): the scorer takes hour
    of day and weekend in local time."""
    with sessions() as session:
        return {site.code: site.timezone for site in list_sites(session=session)}
