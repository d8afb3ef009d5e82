"""The report's problem sections: the top recurring problems with what fixed them, where problems
cluster (region × fault), and the faults each asset model has most often (feedback to R&D)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from reports.document.charts import bar_chart, heat_map
from reports.document.content import Column, Figure, Section, Table
from reports.document.queries import heat_map as heat_counts
from reports.document.queries import model_faults, recurring_problems
from reports.kpis import Period


def recurring(*, session: Session, period: Period) -> Section:
    problems = recurring_problems(session=session, period=period, top=3)
    rows = [
        [
            rank,
            p.asset_type,
            p.fault_code,
            p.fault_title,
            p.work_orders,
            p.assets,
            p.repeat_assets,
            p.reopened,
            p.first_time_fixes / p.confirmed if p.confirmed else None,
            "; ".join(f"{part} ×{n}" for part, n in p.parts),
            "; ".join(f"{title} (KB-{i}, applied {n}×)" for i, title, n in p.articles),
            " | ".join(p.fixes),
        ]
        for rank, p in enumerate(problems, start=1)
    ]
    table = Table(
        slug="recurring-problems",
        title="Top 3 recurring problems and what fixed them",
        columns=[
            Column("rank", "#", "int"),
            Column("asset_type", "Asset type"),
            Column("fault_code", "Fault"),
            Column("fault_title", "Description"),
            Column("work_orders", "Work orders", "int"),
            Column("assets", "Assets", "int"),
            Column("assets_more_than_once", "Assets hit more than once", "int"),
            Column("reopened", "Reopened", "int"),
            Column("first_time_fix", "Fixed first time", "percent"),
            Column("parts_used", "Parts that fixed it"),
            Column("knowledge_articles", "Knowledge articles applied"),
            Column("resolution_notes", "What the engineers did"),
        ],
        rows=rows,
    )
    chart = bar_chart(
        title="Work orders of the top recurring problems",
        labels=[f"{p.asset_type} / {p.fault_code}" for p in problems],
        series=[
            ("work orders", [float(p.work_orders) for p in problems]),
            ("assets hit more than once", [float(p.repeat_assets) for p in problems]),
        ],
    )
    return Section(
        slug="recurring-problems",
        title="Top recurring problems and what fixed them",
        intro=(
            "The three asset-type and fault pairs with the most equipment work orders created in "
            "the period. What fixed them: the parts used on their confirmed repairs, the "
            "knowledge-base articles engineers applied, and the notes of the latest repairs that "
            "held the first time."
        ),
        figures=[
            Figure(chart, "Work orders per recurring problem, and assets it hit more than once.")
        ],
        tables=[table],
    )


def heat(*, session: Session, period: Period) -> Section:
    counts = heat_counts(session=session, period=period)
    regions = sorted(
        {r for r, _ in counts}, key=lambda r: (-sum(v for (x, _), v in counts.items() if x == r), r)
    )
    faults = sorted(
        {f for _, f in counts}, key=lambda f: (-sum(v for (_, y), v in counts.items() if y == f), f)
    )
    table = Table(
        slug="problem-heat-map",
        title="Equipment work orders by region and fault",
        columns=[
            Column("region", "Region"),
            Column("fault_code", "Fault"),
            Column("work_orders", "Work orders", "int"),
        ],
        rows=[[r, f, counts[(r, f)]] for r in regions for f in faults if (r, f) in counts],
        show_rows=0,
        note="The heat map above shows these counts; the CSV lists every cell.",
    )
    return Section(
        slug="heat-map",
        title="Problem heat map by region and fault",
        intro="Equipment work orders created in the period, per region of the site and fault code.",
        figures=[
            Figure(
                heat_map(
                    title="Work orders by region and fault",
                    rows=regions,
                    columns=faults,
                    values=counts,
                ),
                "Darker cells: more work orders. Regions and faults with the most work first.",
            )
        ],
        tables=[table],
    )


def per_model(*, session: Session, period: Period) -> Section:
    found = model_faults(session=session, period=period)
    table = Table(
        slug="faults-per-asset-model",
        title="High-frequency faults per asset model",
        columns=[
            Column("model", "Asset model"),
            Column("asset_type", "Asset type"),
            Column("fault_code", "Fault"),
            Column("installed_units", "Units installed", "int"),
            Column("confirmed_faults", "Confirmed faults", "int"),
            Column("per_100_units", "Per 100 units", "number"),
            Column("units_affected", "Units affected", "int"),
            Column("work_orders", "Work orders", "int"),
        ],
        rows=[
            [
                f.model,
                f.asset_type,
                f.fault_code,
                f.installed,
                f.confirmed,
                f.per_100_units,
                f.assets,
                f.work_orders,
            ]
            for f in found
        ],
    )
    chart = bar_chart(
        title="Confirmed faults per 100 installed units",
        labels=[f"{f.model} / {f.fault_code}" for f in found[:10]],
        series=[("per 100 units", [f.per_100_units for f in found[:10]])],
    )
    return Section(
        slug="asset-models",
        title="High-frequency faults per asset model",
        intro=(
            "For the product engineers (feedback to R&D): confirmed faults on work orders created "
            "in the period, per asset model and fault, relative to the units of that model in "
            "service. A high rate on a model points at its design or its parts, not at the service."
        ),
        figures=[Figure(chart, "The ten model and fault pairs with the highest rate.")],
        tables=[table],
    )
