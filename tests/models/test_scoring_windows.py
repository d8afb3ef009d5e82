from __future__ import annotations

from typing import cast

import pandas as pd

from models.model import TypeModel
from models.scoring_state import ScoringState
from models.scoring_windows import score_type


def test_a_type_whose_windows_were_all_held_back_scores_nothing() -> None:
    """Regression: every window of a type flagged for data quality used to crash the cycle."""
    empty = pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=["asset", "time"]))
    model = cast(TypeModel, object())  # never touched when there is nothing to score
    assert score_type(ScoringState(), model, empty, empty) == ([], [])
