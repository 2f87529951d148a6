"""Work done after Slack has been acknowledged.

A small thread pool that knows what it still has to do: `wait_idle` lets the demo and the
tests wait for the outcome deterministically instead of sleeping.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)


class BackgroundWork:
    def __init__(self, workers: int = 8) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="warroom-after")
        self._pending: set[Future[None]] = set()
        self._lock = threading.Condition()

    def submit(self, work: Callable[[], None]) -> None:
        # The request's log context (team, user, command) follows its work.
        context = contextvars.copy_context()
        future = self._pool.submit(context.run, self._run, work)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    @staticmethod
    def _run(work: Callable[[], None]) -> None:
        try:
            work()
        except Exception:
            log.exception("work after the acknowledgement failed")

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)
            self._lock.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """True once nothing is pending (work may submit more work; that is waited for)."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._pending, timeout=timeout)

    def shutdown(self) -> None:
        """Work not yet started is dropped: posts it owed are in the outbox and retried by
        whichever replica runs next."""
        self._pool.shutdown(wait=True, cancel_futures=True)
