"""Remaining useful life: a model learned from run-to-failure histories with calibrated (CV+)
intervals, its evaluation (RMSE, PHM08 score, coverage), and the degradation trend's estimate
with an interval where no run-to-failure history exists yet."""
