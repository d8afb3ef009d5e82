"""Classification of requested work: urgent, normal or suggestion, by explicit rules.

Every rule names conditions (channel, category, words in the description, the asset's
criticality, what covers it) and the priority the work gets at least when they all hold. Every
enabled rule is checked; the highest priority among those that match wins, and each match is a
reason. Nothing matching: normal, and the reason says so. Pure functions: the stored rules are
passed in, so a test or the documentation can run them without a database.

>>> rules = [Rule("safety words", priority=Priority.URGENT, words=("smoke", "trapped"))]
>>> decision = classify(rules, request=Facts(category=Category.CONSULTATION,
...     text="Smoke from the motor room", criticality=Criticality.LOW))
>>> decision.priority.value, decision.reasons
('urgent', ["rule 'safety words' (words: smoke) -> urgent"])
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from customers.models import Criticality
from workorders.models import Priority
from workorders.requests.models import Category, Channel, Coverage

_ORDER = (Priority.SUGGESTION, Priority.NORMAL, Priority.URGENT)
DEFAULT_PRIORITY = Priority.NORMAL

# Words that mean someone may be hurt or the site may be damaged now.
SAFETY_WORDS = (
    "trapped",
    "stuck between floors",
    "smoke",
    "fire",
    "burning",
    "sparks",
    "leak",
    "flood",
    "injur",
    "electric shock",
    "gas smell",
)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    priority: Priority
    channel: Channel | None = None
    category: Category | None = None
    words: tuple[str, ...] = ()
    criticality: Criticality | None = None
    coverage: Coverage | None = None
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules look at in one request."""

    category: Category
    text: str
    criticality: Criticality
    channel: Channel = Channel.HOTLINE
    coverage: Coverage = Coverage.NONE


@dataclass(frozen=True, slots=True)
class Classification:
    priority: Priority
    reasons: list[str] = field(default_factory=list)


# Seeded by the migration; service managers change them through the API and the dashboard.
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("safety words", Priority.URGENT, words=SAFETY_WORDS),
    Rule("emergency repair", Priority.URGENT, category=Category.EMERGENCY_REPAIR),
    Rule(
        "fault on a critical asset",
        Priority.URGENT,
        category=Category.TROUBLESHOOTING,
        criticality=Criticality.HIGH,
    ),
    Rule("troubleshooting", Priority.NORMAL, category=Category.TROUBLESHOOTING),
    Rule("parts replacement", Priority.NORMAL, category=Category.PARTS_REPLACEMENT),
    Rule("critical asset", Priority.NORMAL, criticality=Criticality.HIGH),
    # The maker owes a warranty repair: it is not left in the suggestion pile.
    Rule("under warranty", Priority.NORMAL, coverage=Coverage.WARRANTY),
    Rule("preventive maintenance", Priority.SUGGESTION, category=Category.PREVENTIVE_MAINTENANCE),
    Rule("consultation", Priority.SUGGESTION, category=Category.CONSULTATION),
)


def found_words(words: Iterable[str], text: str) -> list[str]:
    """The words (or phrases) that start a word of ``text``, case-insensitively: ``leak`` finds
    "leaking", ``fire`` does not find "campfire"."""
    folded = " ".join(text.casefold().split())
    return [
        w for w in words if re.search(r"\b" + re.escape(" ".join(w.casefold().split())), folded)
    ]


def _matches(rule: Rule, facts: Facts) -> list[str] | None:
    """What made the rule match (for the reason), or None when a condition fails."""
    why: list[str] = []
    for name, wanted, actual in (
        ("channel", rule.channel, facts.channel),
        ("category", rule.category, facts.category),
        ("criticality", rule.criticality, facts.criticality),
        ("coverage", rule.coverage, facts.coverage),
    ):
        if wanted is not None:
            if wanted != actual:
                return None
            why.append(f"{name} {wanted.value}")
    if rule.words:
        hits = found_words(rule.words, facts.text)
        if not hits:
            return None
        why.append("words: " + ", ".join(hits))
    return why


def classify(rules: Sequence[Rule], *, request: Facts) -> Classification:
    best: Priority | None = None
    reasons: list[str] = []
    for rule in rules:
        if not rule.enabled:
            continue
        why = _matches(rule, request)
        if why is None:
            continue
        reasons.append(
            f"rule {rule.name!r} ({'; '.join(why) or 'always'}) -> {rule.priority.value}"
        )
        if best is None or _ORDER.index(rule.priority) > _ORDER.index(best):
            best = rule.priority
    if best is None:
        return Classification(
            DEFAULT_PRIORITY, [f"no rule matched -> {DEFAULT_PRIORITY.value} (the default)"]
        )
    return Classification(best, reasons)
