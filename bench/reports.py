"""Reports and KPIs at fleet scale: the month's report and the KPI API on a year of generated
service history for 10,000 assets (``simulators.history``, loaded by ``vigil.history``).

    .venv/bin/python bench/reports.py            # a table
    .venv/bin/python bench/reports.py --json     # ... and one JSON object as the last line
    .venv/bin/python bench/reports.py --assets 200 --months 3 --runs 10   # a quick small run
    .venv/bin/python bench/reports.py --loaded --database-url URL   # reuse a loaded history

``--loaded`` skips generating and loading: the database must already hold a history ending
today (loaded by an earlier run's code, e.g. ``vigil history load``); the report and the KPI API
are measured on it.

Data: the embedded SQLite work-order database as `vigil demo` runs it (``--database-url`` for
another, e.g. an empty PostgreSQL database). The report is the last full month
of the history (``vigil report``'s code: every section, the HTML and the CSV files); the KPI API
is called over real HTTP (uvicorn), cycling through no breakdown and each breakdown dimension
(the API's default page of groups, 100); the p95 is over those calls. Then, apart, the largest
page (1,000 sites), whose median is printed beside the others.
Raw limits measured in the same run, to read the figures against: the HTTP round trip of the
health route on the same server, and the database's own time to scan the month's work orders.
"""

# ruff: noqa: E402  (the import path is fixed before the imports; see below)
from __future__ import annotations

import sys
from pathlib import Path

# `python bench/reports.py` puts bench/ first on the path, where this file would shadow the
# `reports` package: keep the script's own folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import json
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime

import httpx
import sqlalchemy as sa
import uvicorn
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from api import keys
from api.app import create_app
from api.config import ApiConfig
from api.roles import Role
from customers.models import Asset
from ingest.store.sqlite import SqliteStore
from reports.document.config import ReportConfig
from reports.document.flows import make as make_report
from reports.kpis import Dimension, month_period
from simulators.history import add_months, generate, write
from vigil.db import upgrade
from vigil.embedded import free_port
from vigil.history.loader import load
from workorders.db import make_engine, session_factory
from workorders.models import WorkOrder

REPORT_LIMIT_S = 10.0
KPI_LIMIT_MS = 200.0
BREAKDOWNS: tuple[Dimension | None, ...] = (None, *Dimension)
LARGE_PAGE = "site, limit 1000"


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) > 1 else samples[0]


def prepare(url: str) -> sessionmaker[Session]:
    """A migrated database; an existing one must be empty (the history is loaded once)."""
    engine = make_engine(url)
    tables = sa.inspect(engine).get_table_names()
    engine.dispose()
    if tables:
        sys.exit(f"bench/reports.py: {url} has tables already; give it an empty database")
    upgrade(url)
    return session_factory(make_engine(url))


def scan_ms(factory: sessionmaker[Session], start: datetime, end: datetime, runs: int) -> float:
    """The database alone: one pass over the month's work orders (the floor of any KPI)."""
    query = sa.select(
        sa.func.count(), sa.func.min(WorkOrder.responded_at), sa.func.max(WorkOrder.resolved_at)
    ).where(WorkOrder.created_at >= start, WorkOrder.created_at < end)
    samples = []
    with factory() as session:
        for _ in range(runs):
            started = time.perf_counter()
            session.execute(query).one()
            samples.append((time.perf_counter() - started) * 1000)
    return p95(samples)


def call_api(
    factory: sessionmaker[Session], root: Path, period: str, runs: int
) -> tuple[dict[str, list[float]], list[float], list[float]]:
    """Samples of the KPI API by breakdown (each in turn), of this process's CPU time during
    those calls (server and client both run here; on PostgreSQL the database server's CPU is
    not in it) and of the health route (ms)."""
    with factory() as session:
        key = keys.create_key(session=session, name="bench", role=Role.service_manager).key
        session.commit()
    app = create_app(
        config=ApiConfig(session_secret="b" * 32, data_dir=root, fleet_refresh_s=60.0),
        session_factory=factory,
        store=SqliteStore(root / "telemetry.db"),
    )
    server = uvicorn.Server(uvicorn.Config(app, port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{server.config.port}"
    kpi: dict[str, list[float]] = {}
    cpu: list[float] = []
    health: list[float] = []
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=120) as client:
        client.get(f"{base}/api/v1/kpis", params={"period": period}).raise_for_status()
        for i in range(runs):
            dimension = BREAKDOWNS[i % len(BREAKDOWNS)]
            params = {"period": period} | ({"breakdown": dimension.value} if dimension else {})
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(f"{base}/api/v1/kpis", params=params)
            label = dimension.value if dimension else "none"
            kpi.setdefault(label, []).append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            response.raise_for_status()
            started = time.perf_counter()
            client.get(f"{base}/healthz").raise_for_status()
            health.append((time.perf_counter() - started) * 1000)
        # Not in the p95: the largest page the API gives (1,000 groups), for the size of the
        # answer a client that wants every site pays (two such pages for 1,250 sites).
        for _ in range(max(3, runs // 10)):
            params = {"period": period, "breakdown": "site", "limit": "1000"}
            started = time.perf_counter()
            response = client.get(f"{base}/api/v1/kpis", params=params)
            kpi.setdefault(LARGE_PAGE, []).append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
    server.should_exit = True
    thread.join(timeout=10)
    return kpi, cpu, health


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=60, help="KPI API calls")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--loaded",
        action="store_true",
        help="the database at --database-url already holds the history: measure only",
    )
    args = parser.parse_args()
    console = Console(stderr=True)
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    month = add_months(end, -1)
    period = month_period(month.year, month.month)

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        if args.loaded:
            if not args.database_url:
                sys.exit("bench/reports.py: --loaded needs --database-url")
            factory = session_factory(make_engine(args.database_url))
            generate_s = generate_cpu = load_s = load_cpu = 0.0
        else:
            factory = prepare(args.database_url or f"sqlite:///{root / 'vigil.db'}")
            started, cpu = time.perf_counter(), time.process_time()
            history = generate(months=args.months, assets=args.assets, seed=args.seed, end=end)
            directory = write(history, root / "history")
            generate_s, generate_cpu = time.perf_counter() - started, time.process_time() - cpu
            console.print(f"generated in {generate_s:.1f} s: {history.counts()}")
            started, cpu = time.perf_counter(), time.process_time()
            with factory() as session:
                load(session=session, directory=directory, now=end)
                session.commit()
            load_s, load_cpu = time.perf_counter() - started, time.process_time() - cpu
            console.print(f"loaded in {load_s:.1f} s")
        with factory() as session:
            work_orders = int(
                session.scalar(sa.select(sa.func.count()).select_from(WorkOrder)) or 0
            )
            assets = int(session.scalar(sa.select(sa.func.count()).select_from(Asset)) or 0)

        started, cpu = time.perf_counter(), time.process_time()
        written = make_report(
            session_factory=factory,
            period=period,
            directory=root / "report",
            now=end,
            config=ReportConfig(),
        )
        report_s, report_cpu = time.perf_counter() - started, time.process_time() - cpu
        console.print(f"report {period.label} in {report_s:.1f} s: {written.html.name}")
        by_breakdown, kpi_cpu, health = call_api(factory, root, period.label, args.runs)
        kpi = [ms for name, samples in by_breakdown.items() if name != LARGE_PAGE for ms in samples]
        scan = scan_ms(factory, period.start, period.end, max(5, args.runs // 4))

    table = Table(
        title=f"Reports and KPIs: {assets:,} assets, {args.months} months, "
        f"{work_orders:,} work orders, month {period.label}"
    )
    # Wall time, and this process's CPU time beside it: on a shared machine the wall time
    # carries the other processes' load; the CPU time is what the work itself took.
    for column in ("what", "measured (CPU)", "limit", "raw limit, same run"):
        table.add_column(column)
    if not args.loaded:
        table.add_row("generate the history", f"{generate_s:.1f} s ({generate_cpu:.1f})", "", "")
        table.add_row("load it (vigil history load)", f"{load_s:.1f} s ({load_cpu:.1f})", "", "")
    table.add_row(
        "the month's report (HTML + CSV)",
        f"{report_s:.2f} s ({report_cpu:.2f})",
        f"{REPORT_LIMIT_S:.0f} s",
        "",
    )
    table.add_row(
        f"GET /api/v1/kpis p95 ({len(kpi)} calls, every breakdown, default page)",
        f"{p95(kpi):.0f} ms (p50 {statistics.median(kpi):.0f}; CPU p95 {p95(kpi_cpu):.0f})",
        f"{KPI_LIMIT_MS:.0f} ms",
        f"GET /healthz p95 {p95(health):.1f} ms; month's work orders scanned {scan:.1f} ms",
    )
    Console().print(table)
    medians = ", ".join(
        f"{name} {statistics.median(samples):.0f}" for name, samples in by_breakdown.items()
    )
    Console().print(f"KPI API median ms by breakdown: {medians}")
    if args.json:
        print(
            json.dumps(
                {
                    "assets": assets,
                    "work_orders": work_orders,
                    "report_s": round(report_s, 2),
                    "kpi_p95_ms": round(p95(kpi), 1),
                }
            )
        )


if __name__ == "__main__":
    main()
