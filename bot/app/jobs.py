"""Periodic work every replica runs: retry owed Slack posts, resume declarations, poll AWS
cases, nudge.

Each job claims its rows in the database (leases, SKIP LOCKED, unique keys), never in
process memory, so N replicas can run the same jobs against one PostgreSQL. A job that
knows when its next row is due (`next_in`) sleeps until then rather than a fixed period
(never longer than `every_seconds`, never shorter than `MIN_SLEEP`), and one with a
`wakeup` event is woken when work is scheduled in this process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)
MIN_SLEEP = 0.05


@dataclass
class Job:
    name: str
    every_seconds: float
    run: Callable[[], object]
    # Seconds until the job's next row is due; None: nothing is waiting.
    next_in: Callable[[], float | None] | None = None
    wakeup: threading.Event | None = None

    def sleep_seconds(self) -> float:
        """How long to sleep before the next run."""
        if self.next_in is None:
            return self.every_seconds
        due = self.next_in()
        if due is None:
            return self.every_seconds
        return min(self.every_seconds, max(MIN_SLEEP, due))


class JobRunner:
    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._last_done: dict[str, float] = {}

    def lag(self, now: float) -> dict[str, float]:
        """Seconds each job is behind its schedule (a run stuck on a slow AWS or database
        shows here long before anyone notices missing posts)."""
        return {
            job.name: max(0.0, now - self._last_done[job.name] - job.every_seconds)
            for job in self.jobs
            if job.name in self._last_done
        }

    def start(self) -> None:
        started = time.monotonic()
        for job in self.jobs:
            self._last_done[job.name] = started
        for job in self.jobs:
            thread = threading.Thread(
                target=self._loop, args=(job,), daemon=True, name=f"job-{job.name}"
            )
            thread.start()
            self._threads.append(thread)

    def _loop(self, job: Job) -> None:
        # A job that knows its due rows runs them at once after a restart.
        delay = self._sleep(job) if job.next_in is not None else job.every_seconds
        while not self._wait(job, delay):
            try:
                job.run()
            except Exception:
                log.exception("job %s failed; it runs again in %ss", job.name, job.every_seconds)
            self._last_done[job.name] = time.monotonic()
            delay = self._sleep(job)

    @staticmethod
    def _sleep(job: Job) -> float:
        try:
            return job.sleep_seconds()
        except Exception:
            log.exception("job %s could not tell when it is due", job.name)
            return job.every_seconds

    def _wait(self, job: Job, seconds: float) -> bool:
        """Sleep `seconds` or until woken; True when stopping."""
        if job.wakeup is None:
            return self._stop.wait(seconds)
        job.wakeup.wait(seconds)
        job.wakeup.clear()
        return self._stop.is_set()

    def stop(self) -> None:
        self._stop.set()
        for job in self.jobs:
            if job.wakeup is not None:
                job.wakeup.set()
        for thread in self._threads:
            thread.join(timeout=5)
