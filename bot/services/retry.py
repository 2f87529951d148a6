"""Transient database errors are retried, a few times and quickly, around a whole unit of
work.

Slack waits 3 seconds for an acknowledgement; a dropped connection, a failover, a
serialization failure or a deadlock usually clears in far less. The retry wraps the whole
unit (parse, check, write), never one statement, so a retried command is either written
once or not at all. When the database still does not answer, `NotStored` tells the person
so in words.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from bot.domain.errors import NotStored
from bot.store.db import is_transient as is_transient  # the Slack layer asks here

log = logging.getLogger(__name__)
T = TypeVar("T")

TRIES = 3
# Seconds before the 2nd and 3rd try: well inside Slack's 3 s for an acknowledgement.
BACKOFF = (0.1, 0.4)


def retry_transient(
    work: Callable[[], T],
    *,
    what: str = "This",
    tries: int = TRIES,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`work()`, run again on a transient database error; `NotStored` when every try
    failed that way. Other errors pass through at once."""
    for attempt in range(1, tries + 1):
        try:
            return work()
        except Exception as error:
            if not is_transient(error):
                raise
            if attempt == tries:
                log.error(
                    "database unavailable after %d tries (%s); nothing was stored",
                    tries,
                    _one_line(error),
                )
                raise NotStored(what) from error
            log.warning(
                "transient database error, try %d of %d: %s", attempt, tries, _one_line(error)
            )
            sleep(BACKOFF[min(attempt - 1, len(BACKOFF) - 1)])
    raise AssertionError("unreachable")  # pragma: no cover


def _one_line(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    text = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {text[0] if text else ''}"
