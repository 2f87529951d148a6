"""Start-up and shutdown of the long-running processes (`serve`, `socket`).

As PID 1 in a container nothing handles SIGTERM unless we do, and `docker stop` then waits
for SIGKILL. The handler is installed before settings are even read, so a signal at any
instant (waiting for the database, migrating, serving) ends the process cleanly within
`GRACE_SECONDS`, below `docker stop`'s 10 s and Kubernetes' 30 s.

What is wrong for good (a malformed setting, a token Slack rejects) stops start-up with one
line and exit 2. What may come back (the database, Slack) is one log line, then a retry
with back-off: an orchestrator starts the bot and its database together.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from bot.app.settings import SettingsError

log = logging.getLogger("warroom")

GRACE_SECONDS = 8.0
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 15.0
T = TypeVar("T")


class Interrupted(BaseException):
    """Raised out of start-up by the signal handler: nothing is being served yet, so
    there is no in-flight work to finish. A BaseException so no `except Exception` in a
    library swallows it."""


class Shutdown:
    """SIGTERM/SIGINT flip an event; during start-up they also interrupt the main thread."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.signal_name: str | None = None
        self.announced = False  # the one line at shutdown has been logged
        self._interruptible = True

    def install(self) -> Shutdown:
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = not self.requested.is_set()
        self.signal_name = self.signal_name or signal.Signals(signum).name
        self.requested.set()
        if first and self._interruptible:
            raise Interrupted

    def serving(self) -> None:
        """From here on a signal only sets the event; the main thread drains and stops."""
        self._interruptible = False
        if self.requested.is_set():
            raise Interrupted

    def wait(self, timeout: float) -> bool:
        """Sleep up to `timeout`; True when shutdown was requested meanwhile."""
        return self.requested.wait(timeout)


def database_unreachable(error: BaseException) -> str | None:
    """The one-line reason when `error` means the database cannot be reached now."""
    if isinstance(error, OperationalError | DBAPIError):
        reason = str(error.orig) if error.orig is not None else str(error)
        return " ".join(reason.split())[:300] or type(error).__name__
    return None


def retry_until_up(
    what: str,
    attempt: Callable[[], T],
    shutdown: Shutdown,
    *,
    is_transient: Callable[[BaseException], str | None],
) -> T:
    """Run `attempt` until it succeeds, logging one line when `what` is down and one when
    it is back. A SettingsError (wrong for good) goes straight up."""
    delay = RETRY_FIRST_SECONDS
    last_reason: str | None = None
    while True:
        try:
            result = attempt()
        except SettingsError:
            raise
        except Exception as error:
            reason = is_transient(error)
            if reason is None:
                raise
            if reason != last_reason:
                log.warning("%s is unreachable (%s); retrying until it answers", what, reason)
                last_reason = reason
            if shutdown.wait(delay):
                raise Interrupted from None
            delay = min(delay * 2, RETRY_MAX_SECONDS)
            continue
        if last_reason is not None:
            log.info("%s answers again; starting", what)
        return result


class Deadline:
    """One grace period shared by every step of the shutdown."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self._end - time.monotonic())
