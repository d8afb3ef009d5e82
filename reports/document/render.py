"""Write a report: one self-contained HTML file (styles and charts inside it, nothing fetched) and
one CSV file per table, into an output directory.

Files are written under a temporary name and renamed, so a reader (or a mail being sent) never
sees half a report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from reports.document.content import Report, fmt

HTML_NAME = "report.html"
# The headline figures in plain text (the mail's body quotes them).
SUMMARY_NAME = "summary.txt"


@dataclass(frozen=True, slots=True)
class Written:
    directory: Path
    html: Path
    csvs: list[Path]


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports.document", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["svg"] = Markup  # drawn by reports.document.charts, every text escaped there
    env.filters["fmt"] = fmt
    return env


def render_html(report: Report, *, currency: str) -> str:
    template = _environment().get_template("report.html")
    return template.render(report=report, currency=currency)


def summary(report: Report) -> str:
    """The sections' headline figures, one line each."""
    lines = [f"{report.title} (compared with {report.previous_label})", ""]
    for section in report.sections:
        for label, value, hint in section.cards:
            lines.append(f"- {label}: {value} ({hint})")
    return "\n".join(lines) + "\n"


def csv_name(index: int, slug: str) -> str:
    return f"{index:02d}-{slug}.csv"


def write_report(report: Report, directory: Path, *, currency: str) -> Written:
    directory.mkdir(parents=True, exist_ok=True)
    csvs = []
    for index, table in enumerate(report.tables, start=1):
        path = directory / csv_name(index, table.slug)
        _write(path, table.csv_text())
        csvs.append(path)
    _write(directory / SUMMARY_NAME, summary(report))
    html = directory / HTML_NAME
    _write(html, render_html(report, currency=currency))
    return Written(directory=directory, html=html, csvs=csvs)


def _write(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
