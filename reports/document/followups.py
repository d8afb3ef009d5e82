"""The report's follow-up section: coverage and completion (KPI module) and the follow-up tasks
still overdue at the end of the period, oldest first."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.orm import Session

from reports.document.charts import bar_chart
from reports.document.content import Column, Figure, Section, Table, fmt
from reports.document.queries import overdue_follow_ups
from reports.kpis import KpiReport

SHOWN = 12


def section(*, session: Session, current: KpiReport, as_of: datetime) -> Section:
    overdue = overdue_follow_ups(session=session, as_of=as_of)
    listing = Table(
        slug="overdue-follow-ups",
        title=f"Follow-ups overdue on {as_of:%Y-%m-%d %H:%M} UTC",
        columns=[
            Column("due_at", "Due", "datetime"),
            Column("days_overdue", "Days overdue", "number"),
            Column("kind", "Kind"),
            Column("customer", "Customer"),
            Column("site", "Site"),
            Column("asset", "Asset"),
            Column("assignee", "Assignee"),
            Column("title", "Task", shown=False),
        ],
        rows=[
            [o.due_at, o.days_overdue, o.kind, o.customer, o.site, o.asset, o.assignee, o.title]
            for o in overdue
        ],
        show_rows=SHOWN,
        note=(
            f"The {SHOWN} oldest of {len(overdue):,} are shown; the CSV lists them all."
            if len(overdue) > SHOWN
            else None
        ),
    )
    by_assignee = Counter(o.assignee or "(not assigned)" for o in overdue)
    top = by_assignee.most_common(10)
    coverage = current.total.get("followup_coverage")
    completion = current.total.get("followup_completion")
    return Section(
        slug="follow-ups",
        title="Overdue follow-ups",
        intro=(
            "Follow-up tasks (after a repair, after an installation, periodic visits, survey "
            "calls and reviews) due before the end of the period and not done by then."
        ),
        cards=[
            ("Overdue", f"{len(overdue):,}", "follow-up tasks not done by their due time"),
            (
                "Follow-up coverage",
                fmt(coverage.value if coverage else None, "percent"),
                "of confirmed repairs with an after-repair follow-up",
            ),
            (
                "Follow-up completion",
                fmt(completion.value if completion else None, "percent"),
                "of the tasks due in the period done",
            ),
        ],
        figures=[
            Figure(
                bar_chart(
                    title="Overdue follow-ups per assignee",
                    labels=[name for name, _ in top],
                    series=[("overdue", [float(n) for _, n in top])],
                ),
                "Who holds the overdue follow-ups (the ten with the most).",
            )
        ],
        tables=[listing],
    )
