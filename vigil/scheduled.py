"""The running service's periodic jobs: what runs, how often, and on which parts.

``vigil.service`` opens the parts (database, store, registry, mailer) and hands them here; every
job is one call into a domain's ``scheduled`` or ``flows`` module with the current time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session, sessionmaker

from customers.sites import list_sites
from field.flows import Scoring
from field.models import Engineer
from field.scheduled import AutoRule, auto_dispatch, plan_rules
from field.stock.holds import release_finished
from followup.health import store_health
from followup.scheduled import verify_repairs
from followup.service import VerificationPolicy
from followup.surveys import mail as survey_mail
from followup.surveys import scheduled as follow_up_visits
from ingest.presence import PresenceTracker
from ingest.store import TelemetryStore
from models.base import Decision
from models.registry import Registry
from models.scoring import CycleReport, add_scoring_job
from notify.mail import Mailer
from planning import scheduled as plans
from planning.readings import store_readings
from reports.value.scheduled import add_value_job
from vigil.reporting import monthly_report_tick, report_config
from vigil.settings import Settings
from workorders.connectors.base import TicketConnector
from workorders.connectors.rt import RtConfig, RtConnector
from workorders.connectors.scheduled import sync_status
from workorders.db import in_transaction
from workorders.notices import outbox as customer_notices
from workorders.presence import OutageWatch
from workorders.sla import escalation
from workorders.sla.flows import resume_due
from workorders.webhooks.scheduled import RetryPolicy, deliver_due

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(UTC)


class SkippedRunsAtDebug(logging.Filter):
    """APScheduler's "skipped: maximum number of running instances reached" at DEBUG.

    Every job here is made by ``every()`` never to overlap and to run once for the runs it
    missed, so a run skipped on a busy machine is the design working, not something an operator
    can act on; at WARNING it filled the demo's console whenever the machine was loaded.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if "maximum number of running instances reached" not in record.getMessage():
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def quiet_skipped_runs() -> None:
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, SkippedRunsAtDebug) for f in scheduler_log.filters):
        scheduler_log.addFilter(SkippedRunsAtDebug())


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
    first = {"next_run_time": wall_clock()} if at_start else {}
    scheduler.add_job(
        job, "interval", id=job_id, max_instances=1, coalesce=True, **first, **interval
    )


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


def engineer_address(session: Session, assignee: str) -> str | None:
    """The e-mail of the engineer whose code is the assignee (escalations to the assignee)."""
    engineer = session.scalars(sa.select(Engineer).where(Engineer.code == assignee)).first()
    return engineer.email if engineer is not None else None


def escalation_directory(settings: Settings) -> escalation.Directory:
    dispatchers, managers, staff = settings.escalation_addresses
    return escalation.Directory(
        dispatchers=dispatchers,
        service_managers=managers,
        staff=staff,
        lookup=engineer_address,
    )


def site_zones(sessions: sessionmaker[Session]) -> dict[str, str]:
    """Each site's time zone by its code (the ``site`` of the telemetry): the scorer takes hour
    of day and weekend in local time."""
    with sessions() as session:
        return {site.code: site.timezone for site in list_sites(session=session)}


def escalate(
    *,
    sessions: sessionmaker[Session],
    directory: escalation.Directory,
    mailer: Mailer,
    sender: str,
    base_url: str,
) -> None:
    """One escalation round: scheduled resumes, due milestones, then the waiting mails."""
    now = wall_clock()
    resume_due(session_factory=sessions, now=now)
    fired = escalation.tick(
        session_factory=sessions,
        now=now,
        directory=directory,
        sender=sender,
        base_url=base_url,
    )
    for f in fired:
        log.info("escalation: %s %s %d%% -> %s", f.number, f.clock.value, f.level, f.told)
    escalation.send_mails(session_factory=sessions, mailer=mailer, sender=sender, now=now)


def add_jobs(
    scheduler: BackgroundScheduler,
    *,
    settings: Settings,
    sessions: sessionmaker[Session],
    store: TelemetryStore,
    registry: Registry,
    scoring: Scoring,
    mailer: Mailer,
    http: httpx.Client,
    scoring_clock: Clock,
    on_decisions: Callable[[list[Decision]], None],
    on_report: Callable[[CycleReport], None],
    escalate: Callable[[], None],
) -> None:
    """Every periodic job of ``vigil serve`` (and the demo), on the parts the service opened."""
    quiet_skipped_runs()
    index, count = (int(part) for part in settings.scoring_shard.split("/"))
    add_scoring_job(
        scheduler,
        store=store,
        registry=registry,
        on_decisions=on_decisions,
        interval_s=settings.scoring_interval_s,
        shard=(index, count),
        clock=scoring_clock,
        on_report=on_report,
        zones=lambda: site_zones(sessions),
    )
    policy = RetryPolicy(max_age_s=settings.webhook_max_age_s)
    connectors = build_connectors(settings, http)
    every(
        scheduler,
        "vigil-webhooks",
        lambda: deliver_due(
            session_factory=sessions,
            http_client=http,
            now=wall_clock(),
            policy=policy,
            connectors=connectors,
        ),
        seconds=settings.webhook_poll_s,
    )
    outages = OutageWatch(
        session_factory=sessions,
        tracker=PresenceTracker(store, first_lookback=timedelta(days=1)),
        open_after=timedelta(seconds=settings.gateway_offline_work_order_after_s),
    )
    every(
        scheduler,
        "vigil-presence",
        lambda: outages.check(wall_clock()),
        seconds=settings.presence_check_s,
    )
    if connectors:
        every(
            scheduler,
            "vigil-ticket-status",
            lambda: sync_status(session_factory=sessions, connectors=connectors, now=wall_clock()),
            seconds=settings.rt_poll_s,
        )
    verification = VerificationPolicy(
        period=timedelta(days=settings.verification_days),
        settle=timedelta(hours=settings.verification_settle_h),
    )
    health = store_health(store)
    every(
        scheduler,
        "vigil-follow-up",
        lambda: verify_repairs(
            session_factory=sessions, health=health, now=wall_clock(), policy=verification
        ),
        hours=1,
    )
    fallback = (
        AutoRule(within=timedelta(minutes=settings.auto_dispatch_urgent_min))
        if settings.auto_dispatch_urgent_min
        else None
    )
    rule_for = plan_rules(urgent_fallback=fallback)
    every(
        scheduler,
        "vigil-auto-dispatch",
        lambda: auto_dispatch(
            session_factory=sessions, now=wall_clock(), rule_for=rule_for, scoring=scoring
        ),
        seconds=settings.auto_dispatch_poll_s,
    )
    every(
        scheduler,
        "vigil-escalation",
        escalate,
        seconds=settings.escalation_poll_s,
        at_start=True,
    )
    every(
        scheduler,
        "vigil-follow-up-visits",
        lambda: follow_up_visits.run(
            session_factory=sessions,
            now=wall_clock(),
            assignee=settings.survey_follow_up_person,
        ),
        seconds=settings.follow_up_poll_s,
    )
    every(
        scheduler,
        "vigil-survey-escalations",
        lambda: survey_mail.send_escalations(
            session_factory=sessions,
            mailer=mailer,
            sender=settings.mail_from,
            addresses=settings.escalation_addresses[1],
            now=wall_clock(),
        ),
        seconds=settings.escalation_poll_s,
    )
    every(
        scheduler,
        "vigil-release-parts",
        lambda: in_transaction(
            sessions,
            lambda session: release_finished(session=session, actor="vigil", now=wall_clock()),
        ),
        seconds=settings.auto_dispatch_poll_s,
    )
    every(
        scheduler,
        "vigil-customer-notices",
        lambda: customer_notices.send_waiting(
            session_factory=sessions,
            sending=customer_notices.Sending(mailer, settings.mail_from),
            now=wall_clock(),
        ),
        seconds=settings.notice_poll_s,
        at_start=True,
    )
    if settings.monthly_report:
        config = report_config(settings)  # a wrong target stops the start, with why
        # Looks often and decides once: a restart on the 1st finds the month's record.
        every(
            scheduler,
            "vigil-monthly-report",
            lambda: monthly_report_tick(
                settings=settings,
                session_factory=sessions,
                mailer=mailer,
                now=wall_clock(),
                config=config,
            ),
            seconds=settings.report_poll_s,
            at_start=True,
        )
    add_value_job(
        scheduler,
        session_factory=sessions,
        health=health,
        rules=settings.rfm_rules,
        clock=wall_clock,
    )
    readings = store_readings(store)
    every(
        scheduler,
        "vigil-preventive-plans",
        lambda: plans.run(session_factory=sessions, read=readings, now=wall_clock()),
        seconds=settings.plans_poll_s,
    )
