"""SLA plans: the default plan, editing, and the targets that apply to a work order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from workorders.errors import Conflict, InvalidInput, NotFound
from workorders.models import Priority, Tier
from workorders.sla.models import (
    LEVELS,
    AutoDispatchRule,
    EscalationRole,
    PlanIn,
    PlanRead,
    SlaPlan,
    SlaTarget,
    TargetIn,
)

DEFAULT_PLAN = "default"
H = 60
DAY = 24 * H
# The default plan (business minutes): (respond, on site, resolve). Respond and on-site are the
# values of the former sla_policies table, which the migration carries over as they were edited.
DEFAULT_TARGETS: dict[tuple[Priority, Tier], tuple[int, int, int]] = {
    (Priority.URGENT, Tier.VIP): (H, 8 * H, DAY),
    (Priority.URGENT, Tier.STANDARD): (2 * H, DAY, 2 * DAY),
    (Priority.URGENT, Tier.BASIC): (4 * H, 2 * DAY, 3 * DAY),
    (Priority.NORMAL, Tier.VIP): (4 * H, 2 * DAY, 3 * DAY),
    (Priority.NORMAL, Tier.STANDARD): (8 * H, 3 * DAY, 5 * DAY),
    (Priority.NORMAL, Tier.BASIC): (DAY, 5 * DAY, 10 * DAY),
    (Priority.SUGGESTION, Tier.VIP): (DAY, 7 * DAY, 14 * DAY),
    (Priority.SUGGESTION, Tier.STANDARD): (2 * DAY, 14 * DAY, 30 * DAY),
    (Priority.SUGGESTION, Tier.BASIC): (3 * DAY, 30 * DAY, 60 * DAY),
}
DEFAULT_AROUND_THE_CLOCK = [Priority.URGENT]


@dataclass(frozen=True, slots=True)
class Targets:
    """What applies to one work order: seconds of business time, and whether 24x7."""

    plan_id: int
    plan_name: str
    respond_s: int
    on_site_s: int
    resolve_s: int
    around_the_clock: bool


def default_plan_in() -> PlanIn:
    return PlanIn(
        name=DEFAULT_PLAN,
        description="Applies to work without a contract naming another plan.",
        around_the_clock=list(DEFAULT_AROUND_THE_CLOCK),
        auto_dispatch={Priority.URGENT: AutoDispatchRule(confirm_within_min=30)},
        targets=[
            TargetIn(priority=p, customer_tier=t, respond_min=r, on_site_min=o, resolve_min=x)
            for (p, t), (r, o, x) in DEFAULT_TARGETS.items()
        ],
    )


def _check(data: PlanIn) -> None:
    cells = [(t.priority, t.customer_tier) for t in data.targets]
    missing = sorted(f"{p.value}/{t.value}" for p in Priority for t in Tier if (p, t) not in cells)
    if missing:
        raise InvalidInput(
            f"plan {data.name!r} needs a target for every priority/tier: missing {', '.join(missing)}"
        )
    if len(set(cells)) != len(cells):
        raise InvalidInput(f"plan {data.name!r} names a priority/tier twice")
    for t in data.targets:
        if not t.respond_min <= t.on_site_min <= t.resolve_min:
            raise InvalidInput(
                f"{t.priority.value}/{t.customer_tier.value}: need respond_min <= on_site_min <= resolve_min"
            )
    levels = {int(k) for k in data.escalation if k.isdecimal()}
    if set(data.escalation) - {str(level) for level in LEVELS} or levels != set(LEVELS):
        raise InvalidInput(
            "escalation needs exactly the levels '50', '75' and '100', each with a list of roles"
        )


def _fill(plan: SlaPlan, data: PlanIn, *, actor: str, now: datetime) -> None:
    plan.name = data.name.strip()
    plan.description = data.description
    plan.around_the_clock = sorted({p.value for p in data.around_the_clock})
    plan.escalation = {k: [r.value for r in roles] for k, roles in data.escalation.items()}
    plan.auto_dispatch = {p.value: rule.model_dump() for p, rule in data.auto_dispatch.items()}
    plan.updated_at = now
    plan.updated_by = actor
    by_cell = {(t.priority, t.customer_tier): t for t in plan.targets}
    for t in data.targets:
        row = by_cell.get((t.priority, t.customer_tier))
        if row is None:
            row = SlaTarget(priority=t.priority, customer_tier=t.customer_tier)
            plan.targets.append(row)
        row.respond_min, row.on_site_min, row.resolve_min = (
            t.respond_min,
            t.on_site_min,
            t.resolve_min,
        )


def create_plan(*, session: Session, data: PlanIn, actor: str, now: datetime) -> SlaPlan:
    _check(data)
    if session.scalars(sa.select(SlaPlan).where(SlaPlan.name == data.name.strip())).first():
        raise Conflict(f"an SLA plan named {data.name!r} exists: edit it, or choose another name")
    plan = SlaPlan(is_default=False, targets=[])
    _fill(plan, data, actor=actor, now=now)
    session.add(plan)
    session.flush()
    return plan


def update_plan(
    *, session: Session, plan_id: int, data: PlanIn, actor: str, now: datetime
) -> SlaPlan:
    """Edit a plan. It applies to running clocks at their next recomputation (pause, resume,
    reclassification) and to every work order started afterwards."""
    _check(data)
    plan = get_plan(session=session, plan_id=plan_id)
    clash = session.scalars(
        sa.select(SlaPlan).where(SlaPlan.name == data.name.strip(), SlaPlan.id != plan_id)
    ).first()
    if clash is not None:
        raise Conflict(f"another SLA plan is named {data.name!r}")
    _fill(plan, data, actor=actor, now=now)
    session.flush()
    return plan


def get_plan(*, session: Session, plan_id: int) -> SlaPlan:
    plan = session.get(SlaPlan, plan_id)
    if plan is None:
        raise NotFound(f"no SLA plan {plan_id}")
    return plan


def list_plans(*, session: Session) -> list[SlaPlan]:
    return list(session.scalars(sa.select(SlaPlan).order_by(SlaPlan.name)))


def default_plan(*, session: Session) -> SlaPlan:
    plan = session.scalars(sa.select(SlaPlan).where(SlaPlan.is_default)).first()
    if plan is None:
        raise NotFound("no default SLA plan: run the database migrations (vigil db upgrade)")
    return plan


def plan_named(*, session: Session, name: str | None) -> SlaPlan:
    """The plan of that name, or the default plan (no name, or a name no plan has)."""
    if name:
        plan = session.scalars(sa.select(SlaPlan).where(SlaPlan.name == name)).first()
        if plan is not None:
            return plan
    return default_plan(session=session)


def targets(*, plan: SlaPlan, priority: Priority, tier: Tier) -> Targets:
    for cell in plan.targets:
        if cell.priority is priority and cell.customer_tier is tier:
            return Targets(
                plan_id=plan.id,
                plan_name=plan.name,
                respond_s=cell.respond_min * 60,
                on_site_s=cell.on_site_min * 60,
                resolve_s=cell.resolve_min * 60,
                around_the_clock=priority.value in plan.around_the_clock,
            )
    raise NotFound(f"SLA plan {plan.name!r} has no target for {priority.value}/{tier.value}")


def roles_at(*, plan: SlaPlan, level: int) -> list[EscalationRole]:
    return [EscalationRole(r) for r in plan.escalation.get(str(level), [])]


def auto_dispatch_rule(*, plan: SlaPlan, priority: Priority) -> AutoDispatchRule | None:
    """The plan's auto-dispatch rule for this priority (None: dispatch by hand)."""
    rule = plan.auto_dispatch.get(priority.value)
    return AutoDispatchRule.model_validate(rule) if rule is not None else None


def read(plan: SlaPlan) -> PlanRead:
    return PlanRead(
        id=plan.id,
        is_default=plan.is_default,
        updated_at=plan.updated_at,
        updated_by=plan.updated_by,
        name=plan.name,
        description=plan.description,
        around_the_clock=[Priority(p) for p in plan.around_the_clock],
        escalation={k: [EscalationRole(r) for r in v] for k, v in plan.escalation.items()},
        auto_dispatch={
            Priority(p): AutoDispatchRule.model_validate(r) for p, r in plan.auto_dispatch.items()
        },
        targets=[
            TargetIn(
                priority=t.priority,
                customer_tier=t.customer_tier,
                respond_min=t.respond_min,
                on_site_min=t.on_site_min,
                resolve_min=t.resolve_min,
            )
            for t in plan.targets
        ],
    )
