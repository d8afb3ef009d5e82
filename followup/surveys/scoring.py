"""Survey arithmetic: the weighted score, what it decides, and the Net Promoter Score.

Answers are raw integers and None for a question left unanswered, never 0: a missing answer
leaves the weighted mean over the answered questions (its weight drops out of the denominator),
so a customer who skips one question is neither punished nor rewarded for it.

Exact fractions, so that a score of exactly 4 is 4 and lands on the right side of a threshold.

>>> weighted_score({"overall": 5, "speed": 5, "competence": 3, "communication": 2}, WEIGHTS)
Fraction(43, 10)
>>> outcome_of(Fraction(43, 10))
<Outcome.PREFERRED: 'preferred'>
>>> nps([10, 9, 8, 7, 6, None])
NpsResult(answered=5, promoters=2, passives=2, detractors=1, score=Fraction(20, 1))
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

# The four rated questions in the order the issue states them, with their weights in percent.
# A survey keeps a copy of these when it is sent: changing them later never rescores it.
WEIGHTS: dict[str, int] = {"overall": 40, "speed": 30, "competence": 20, "communication": 10}
QUESTIONS: dict[str, str] = {
    "overall": "Overall, how satisfied are you with our service?",
    "speed": "How satisfied are you with how fast we responded?",
    "competence": "How satisfied are you with the engineer's technical competence?",
    "communication": "How satisfied are you with how we kept you informed?",
}
RECOMMEND = "How likely are you to recommend us to a colleague?"
RATING = range(1, 6)
RECOMMEND_RANGE = range(0, 11)


class Outcome(enum.StrEnum):
    PREFERRED = "preferred"  # score 4 or more: the customer joins the preferred-customer list
    FOLLOW_UP = "follow_up"  # 3 up to 4: a named person calls the customer
    REVIEW = "review"  # below 3: review task, second visit, escalation to the service manager


def check_weights(weights: Mapping[str, int]) -> dict[str, int]:
    """Weights for exactly the four questions, positive whole percents summing to 100."""
    if set(weights) != set(WEIGHTS):
        raise ValueError(f"weights must name exactly {', '.join(WEIGHTS)}")
    if any(not isinstance(w, int) or w <= 0 for w in weights.values()):
        raise ValueError("each weight is a positive whole percent")
    if sum(weights.values()) != 100:
        raise ValueError(f"weights sum to {sum(weights.values())} %, not 100 %")
    return {name: weights[name] for name in WEIGHTS}


def check_answers(answers: Mapping[str, int | None], recommend: int | None) -> None:
    """Raise ValueError naming the first answer out of range."""
    for name in WEIGHTS:
        value = answers.get(name)
        if value is not None and value not in RATING:
            raise ValueError(f"{name}: answer 1 to 5, or leave it out (got {value})")
    if recommend is not None and recommend not in RECOMMEND_RANGE:
        raise ValueError(f"recommend: answer 0 to 10, or leave it out (got {recommend})")


def weighted_score(
    answers: Mapping[str, int | None], weights: Mapping[str, int]
) -> Fraction | None:
    """Σ weight × answer / Σ weight over the answered questions; None when none was answered."""
    answered = [(weights[name], answers[name]) for name in weights if answers.get(name) is not None]
    total = sum(w for w, _ in answered)
    if total == 0:
        return None
    return Fraction(sum(w * int(a or 0) for w, a in answered), total)


def outcome_of(score: Fraction | None) -> Outcome | None:
    """4 or more: preferred; 3 up to 4: follow-up call; below 3: review. A score between 2 and 3
    is not "a 3", so it takes the stricter path: every poor survey reaches a person."""
    if score is None:
        return None
    if score >= 4:
        return Outcome.PREFERRED
    if score >= 3:
        return Outcome.FOLLOW_UP
    return Outcome.REVIEW


@dataclass(frozen=True, slots=True)
class NpsResult:
    answered: int
    promoters: int  # 9 or 10
    passives: int  # 7 or 8
    detractors: int  # 0 to 6
    # Share of promoters minus share of detractors, in points (-100 to 100); None: no answer.
    score: Fraction | None


def nps(recommend: Iterable[int | None]) -> NpsResult:
    """The Net Promoter Score over the answered recommend questions (None is not an answer)."""
    values = [v for v in recommend if v is not None]
    for value in values:
        if value not in RECOMMEND_RANGE:
            raise ValueError(f"recommend answers are 0 to 10, not {value}")
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    passives = len(values) - promoters - detractors
    score = Fraction(100 * (promoters - detractors), len(values)) if values else None
    return NpsResult(len(values), promoters, passives, detractors, score)
