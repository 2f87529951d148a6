"""Periodic work every replica runs: retry owed Slack posts, poll AWS cases, nudge.

Each job claims its rows in the database (leases, SKIP LOCKED, unique keys), never in
process memory, so N replicas can run the same jobs against one PostgreSQL.
"""

from __future__ import annotations

import logging
import threading
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

    def start(self) -> None:
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

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
