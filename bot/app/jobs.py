"""Periodic work every replica runs: retry owed Slack posts, poll AWS cases, nudge.

Each job claims its rows in the database (leases, SKIP LOCKED, unique keys), never in
process memory, so N replicas can run the same jobs against one PostgreSQL.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    every_seconds: float
    run: Callable[[], object]


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
        while not self._stop.wait(job.every_seconds):
            try:
                job.run()
            except Exception:
                log.exception("job %s failed; it runs again in %ss", job.name, job.every_seconds)
            self._last_done[job.name] = time.monotonic()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
