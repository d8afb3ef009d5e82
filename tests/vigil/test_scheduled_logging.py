"""A run skipped because the job's previous run is still going is logged at DEBUG, not WARNING:
``every()`` makes jobs never overlap on purpose (a real scheduler, a job slower than its interval)."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from vigil.scheduled import every, quiet_skipped_runs

SKIPPED = "maximum number of running instances reached"


def _run_slow_job(seconds: float) -> int:
    """Runs a 0.1-second-interval job that takes 0.4 s for ``seconds``; how many runs started."""
    started = threading.Semaphore(0)
    runs = []

    def slow() -> None:
        runs.append(1)
        started.release()
        time.sleep(0.4)

    scheduler = BackgroundScheduler()
    every(scheduler, "slow", slow, seconds=0.1)
    scheduler.start()
    try:
        assert started.acquire(timeout=10), "the job never ran"
        time.sleep(seconds)
    finally:
        scheduler.shutdown(wait=True)
    return len(runs)


def test_skipped_runs_are_not_warnings(caplog: pytest.LogCaptureFixture) -> None:
    quiet_skipped_runs()
    with caplog.at_level(logging.INFO, logger="apscheduler.scheduler"):
        _run_slow_job(1.0)
    assert [r for r in caplog.records if SKIPPED in r.getMessage()] == []


def test_skipped_runs_still_show_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    quiet_skipped_runs()
    with caplog.at_level(logging.DEBUG, logger="apscheduler.scheduler"):
        _run_slow_job(1.0)
    skipped = [r for r in caplog.records if SKIPPED in r.getMessage()]
    assert skipped, "a 0.1 s job taking 0.4 s for a second skipped no run"
    assert {r.levelname for r in skipped} == {"DEBUG"}


def test_other_scheduler_warnings_pass() -> None:
    record = logging.LogRecord(
        "apscheduler.scheduler",
        logging.WARNING,
        __file__,
        1,
        "Run time of job was missed",
        None,
        None,
    )
    quiet_skipped_runs()
    assert logging.getLogger("apscheduler.scheduler").filter(record)
    assert record.levelname == "WARNING"
