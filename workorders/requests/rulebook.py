"""The stored classification rules, read and changed by service managers (API, dashboard).

A change applies to requests received afterwards; work already classified keeps its reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.models import Criticality
from workorders.errors import Conflict, InvalidInput, NotFound
from workorders.models import Priority
from workorders.requests.models import Category, Channel, ClassificationRule, Coverage
from workorders.requests.rules import DEFAULT_RULES


@dataclass(frozen=True, slots=True)
class RuleData:
    name: str
    priority: Priority
    position: int = 100
    enabled: bool = True
    channel: Channel | None = None
    category: Category | None = None
    words: tuple[str, ...] = ()
    criticality: Criticality | None = None
    coverage: Coverage | None = None


def list_rules(*, session: Session) -> list[ClassificationRule]:
    query = sa.select(ClassificationRule).order_by(
        ClassificationRule.position, ClassificationRule.id
    )
    return list(session.scalars(query))


def get_rule(*, session: Session, rule_id: int) -> ClassificationRule:
    row = session.get(ClassificationRule, rule_id)
    if row is None:
        raise NotFound(f"no classification rule {rule_id}")
    return row


def _set(
    session: Session, row: ClassificationRule, data: RuleData, actor: str, now: datetime
) -> None:
    name = data.name.strip()
    if not 0 < len(name) <= 200:
        raise InvalidInput("a rule needs a name of 1 to 200 characters")
    other = session.scalars(
        sa.select(ClassificationRule).where(ClassificationRule.name == name)
    ).first()
    if other is not None and other is not row:
        raise Conflict(f"a rule named {name!r} exists already")
    words = [" ".join(w.split()) for w in data.words if w.strip()]
    if any(len(w) > 100 for w in words) or len(words) > 200:
        raise InvalidInput("at most 200 words of at most 100 characters each")
    if not (data.channel or data.category or words or data.criticality or data.coverage):
        raise InvalidInput(
            f"rule {name!r} has no condition and would match every request: give at least one"
        )
    row.name, row.priority, row.position, row.enabled = (
        name,
        data.priority,
        data.position,
        data.enabled,
    )
    row.channel, row.category, row.words = data.channel, data.category, words
    row.criticality, row.coverage = data.criticality, data.coverage
    row.updated_by, row.updated_at = actor, now


def create_rule(
    *, session: Session, data: RuleData, actor: str, now: datetime
) -> ClassificationRule:
    row = ClassificationRule()
    _set(session, row, data, actor, now)
    session.add(row)
    session.flush()
    return row


def update_rule(
    *, session: Session, rule_id: int, data: RuleData, actor: str, now: datetime
) -> ClassificationRule:
    row = get_rule(session=session, rule_id=rule_id)
    _set(session, row, data, actor, now)
    session.flush()
    return row


def delete_rule(*, session: Session, rule_id: int) -> None:
    session.delete(get_rule(session=session, rule_id=rule_id))
    session.flush()


def reset_rules(*, session: Session, actor: str, now: datetime) -> list[ClassificationRule]:
    """Replace every rule with the defaults (``workorders.requests.rules.DEFAULT_RULES``)."""
    session.execute(sa.delete(ClassificationRule))
    for i, rule in enumerate(DEFAULT_RULES):
        create_rule(
            session=session,
            data=RuleData(
                name=rule.name,
                priority=rule.priority,
                position=(i + 1) * 10,
                channel=rule.channel,
                category=rule.category,
                words=rule.words,
                criticality=rule.criticality,
                coverage=rule.coverage,
            ),
            actor=actor,
            now=now,
        )
    return list_rules(session=session)
