"""The job loop sleeps until the earliest due row (bounded by its period) and wakes when
work is scheduled in-process, instead of polling on a fixed period."""

from __future__ import annotations

import threading

from bot.app.jobs import MIN_SLEEP, Job, JobRunner


def test_a_job_that_knows_its_next_row_sleeps_until_then_within_its_period() -> None:
    due: list[float | None] = [None]
    job = Job("j", 15, lambda: None, next_in=lambda: due[0])

    assert job.sleep_seconds() == 15  # nothing waiting
    due[0] = 3.5
    assert job.sleep_seconds() == 3.5
    due[0] = 0.0
    assert job.sleep_seconds() == MIN_SLEEP  # due now: soon, but never a busy loop
    due[0] = 600
    assert job.sleep_seconds() == 15
    assert Job("plain", 60, lambda: None).sleep_seconds() == 60


def test_a_wakeup_runs_the_job_at_once_and_stop_ends_it() -> None:
    wakeup = threading.Event()
    ran = threading.Event()
    runs: list[int] = []

    def run() -> None:
        runs.append(1)
        ran.set()

    runner = JobRunner([Job("woken", 3600, run, next_in=lambda: None, wakeup=wakeup)])
    runner.start()
    try:
        wakeup.set()  # work was scheduled: no waiting out the hour
        assert ran.wait(10)
    finally:
        runner.stop()
    assert not any(t.is_alive() for t in runner._threads)
