"""Who called the customer back after a poor survey answer, and when.

The weighted score (40/30/20/10 for overall, speed, competence and communication) decides:
4 or more needs nobody; 3 up to 4 gets a call from customer care; below 3 a review by the
service manager. Vigil makes those tasks itself from the score (its loader too); what the
history records is only the people's side: whether and when the call was made. It draws from
its own generator, seeded by the work order and the answer, so that adding it changed no other
number of a history.
"""

from __future__ import annotations

import random
from datetime import timedelta

from simulators.history.fleet import Record
from simulators.history.timing import iso, lognormal_h, parse

WEIGHTS = {"overall": 40, "speed": 30, "competence": 20, "communication": 10}
# How often, and how fast (median hours), each kind of callback is made.
CALLED = {"customer care": (0.9, 6.0), "service manager": (0.96, 10.0)}


def callback(survey: Record, work_key: str) -> Record | None:
    """None for an unanswered survey or a score of 4 or more; else who calls and when."""
    if survey["answered_at"] is None:
        return None
    points = sum(weight * survey[name] for name, weight in WEIGHTS.items())
    if points >= 400:
        return None
    by = "customer care" if points >= 300 else "service manager"
    rng = random.Random(f"callback:{work_key}:{survey['answered_at']}")
    share, median_h = CALLED[by]
    answered = parse(survey["answered_at"])
    done = answered + lognormal_h(rng, median_h, 0.7) if rng.random() < share else None
    # Never before the answer, and the call is a short one.
    if done is not None and done <= answered:
        done = answered + timedelta(minutes=30)
    return {"by": by, "done_at": iso(done)}
