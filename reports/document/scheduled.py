"""The month's report, made on the 1st and mailed to the service managers exactly once.

Each run of the job (``vigil serve`` runs it every few minutes):

1. From ``hour`` UTC on the 1st, and for the rest of the month, the month just finished is due.
   The decision is the insert of its ``report_runs`` row under the unique key
   ``monthly:YYYY-MM``, committed on its own: a second scheduler, or this one restarted, finds
   the row and decides nothing.
2. Every row not yet mailed is claimed with a lease (a guarded UPDATE, committed), its report
   made (again, if the files are gone or an earlier run died before writing them), then mailed
   after the commit with the Message-ID ``<report-monthly-YYYY-MM@vigil>``, then marked sent.
   A crash between sending and marking sends it once more after the lease, with the same
   Message-ID, which a mail system drops as a duplicate; it is never lost.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from customers.db import claim_lease, in_transaction
from notify.mail import Attachment, Mail, Mailer, MailError
from reports.document.models import ReportRun
from reports.document.render import HTML_NAME, SUMMARY_NAME, Written
from reports.kpis import Period, month_period, parse_period

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=15)
RETRY = timedelta(minutes=10)
ATTEMPTS = 20
NO_ADDRESS = "no service manager address: set VIGIL_SERVICE_MANAGER_EMAILS"

# Makes the report of a period into a directory: (period, directory, now) -> what it wrote.
MakeReport = Callable[[Period, Path, datetime], Written]


def due_month(now: datetime, *, hour: int) -> Period | None:
    """The month just finished, from ``hour`` UTC on the 1st on; None before that.

    >>> due_month(datetime(2026, 12, 1, 5, 59, tzinfo=UTC), hour=6) is None
    True
    >>> due_month(datetime(2026, 12, 1, 6, 0, tzinfo=UTC), hour=6).label
    '2026-11'
    >>> due_month(datetime(2027, 1, 17, tzinfo=UTC), hour=6).label
    '2026-12'
    """
    now = now.astimezone(UTC)
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if now < first + timedelta(hours=hour):
        return None
    return month_period(first.year - (first.month == 1), (first.month - 2) % 12 + 1)


def run_key(period: Period) -> str:
    return f"monthly:{period.label}" if period.kind == "month" else f"{period.kind}:{period.label}"


def message_id(key: str) -> str:
    return f"<report-{key.replace(':', '-')}@vigil>"


def run(
    *,
    session_factory: sessionmaker[Session],
    now: datetime,
    hour: int,
    directory: Path,
    make: MakeReport,
    mailer: Mailer,
    sender: str,
    addresses: tuple[str, ...],
) -> int:
    """One tick: decide the due month, then make and mail what waits; how many mails went out."""
    period = due_month(now, hour=hour)
    if period is not None:
        decide(session_factory=session_factory, period=period, now=now)
    return deliver(
        session_factory=session_factory,
        now=now,
        directory=directory,
        make=make,
        mailer=mailer,
        sender=sender,
        addresses=addresses,
    )


def decide(*, session_factory: sessionmaker[Session], period: Period, now: datetime) -> bool:
    """Record that the period's report is to be made and mailed; False if it already was."""
    key = run_key(period)

    def insert(session: Session) -> bool:
        if session.scalar(sa.select(ReportRun.id).where(ReportRun.key == key)) is not None:
            return False
        session.add(
            ReportRun(
                key=key,
                period=period.label,
                decided_at=now,
                message_id=message_id(key),
                next_attempt_at=now,
            )
        )
        return True

    try:
        made = in_transaction(session_factory, insert)
    except sa.exc.IntegrityError:
        return False  # another scheduler inserted it between our read and our insert
    if made:
        log.info("monthly report %s is due", period.label)
    return made


def deliver(
    *,
    session_factory: sessionmaker[Session],
    now: datetime,
    directory: Path,
    make: MakeReport,
    mailer: Mailer,
    sender: str,
    addresses: tuple[str, ...],
) -> int:
    with session_factory() as session:
        waiting = session.scalars(
            sa.select(ReportRun.id)
            .where(
                ReportRun.mailed_at.is_(None),
                ReportRun.next_attempt_at <= now,
                ReportRun.attempts < ATTEMPTS,
            )
            .order_by(ReportRun.id)
        ).all()
    sent = 0
    for run_id in waiting:
        claimed = in_transaction(session_factory, partial(_claim, run_id=run_id, now=now))
        if claimed is None:
            continue  # another scheduler has it
        label, made_in = claimed
        target = Path(made_in) if made_in else directory / label
        if not (target / HTML_NAME).is_file():
            try:
                written = make(parse_period(label), target, now)
            except Exception as error:
                # Kept on the row for whoever looks, then raised: the scheduler logs it and the
                # lease brings it back.
                reason = f"making the report: {error}"[:500]
                in_transaction(
                    session_factory, partial(_failed, run_id=run_id, reason=reason, now=now)
                )
                raise
            in_transaction(
                session_factory,
                partial(_made, run_id=run_id, directory=str(written.directory), now=now),
            )
        if not addresses:
            # Not a mail attempt: it waits for an address however long that takes.
            in_transaction(
                session_factory,
                partial(_failed, run_id=run_id, reason=NO_ADDRESS, now=now, attempt=False),
            )
            log.warning("monthly report %s made in %s; %s", label, target, NO_ADDRESS)
            continue
        mail = compose(
            label=label,
            directory=target,
            to=addresses,
            sender=sender,
            message_id=message_id(f"monthly:{label}"),
        )
        try:
            mailer.send(mail)
        except MailError as error:
            reason = str(error)[:500]
            in_transaction(session_factory, partial(_failed, run_id=run_id, reason=reason, now=now))
            log.warning("monthly report %s: %s", label, reason)
            continue
        in_transaction(session_factory, partial(_sent, run_id=run_id, to=list(mail.to), now=now))
        log.info("monthly report %s mailed to %s", label, ", ".join(mail.to))
        sent += 1
    return sent


def compose(
    *, label: str, directory: Path, to: tuple[str, ...], sender: str, message_id: str
) -> Mail:
    """The mail: a short note, the HTML report and its CSV files (zipped) attached."""
    html = (directory / HTML_NAME).read_bytes()
    csvs = sorted(directory.glob("*.csv"))
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in csvs:
            archive.write(path, arcname=path.name)
    summary = directory / SUMMARY_NAME
    body = (
        f"The monthly service report for {label} is attached: open report-{label}.html in a "
        f"browser (it needs no network) or print it; the tables are in the CSV files of "
        f"report-{label}-csv.zip ({len(csvs)} files).\n\n"
        + (summary.read_text(encoding="utf-8") + "\n" if summary.is_file() else "")
        + f"On the Vigil server it is in {directory}.\n"
    )
    return Mail(
        to=to,
        subject=f"Vigil monthly service report {label}",
        body=body,
        sender=sender,
        message_id=message_id,
        headers={"X-Vigil-Report": label},
        attachments=(
            Attachment(f"report-{label}.html", html, "text/html"),
            Attachment(f"report-{label}-csv.zip", packed.getvalue(), "application/zip"),
        ),
    )


def _claim(session: Session, *, run_id: int, now: datetime) -> tuple[str, str | None] | None:
    if not claim_lease(
        session, ReportRun, run_id, waiting=ReportRun.mailed_at.is_(None), now=now, lease=LEASE
    ):
        return None
    row = session.get_one(ReportRun, run_id)
    return row.period, row.directory


def _made(session: Session, *, run_id: int, directory: str, now: datetime) -> None:
    session.execute(
        sa.update(ReportRun).where(ReportRun.id == run_id).values(made_at=now, directory=directory)
    )


def _failed(
    session: Session, *, run_id: int, reason: str, now: datetime, attempt: bool = True
) -> None:
    values: dict[str, Any] = {"last_error": reason, "next_attempt_at": now + RETRY}
    if not attempt:
        values["attempts"] = ReportRun.attempts - 1  # give back what the claim counted
    session.execute(sa.update(ReportRun).where(ReportRun.id == run_id).values(**values))


def _sent(session: Session, *, run_id: int, to: list[str], now: datetime) -> None:
    session.execute(
        sa.update(ReportRun)
        .where(ReportRun.id == run_id)
        .values(mailed_at=now, mailed_to=to, last_error=None)
    )
