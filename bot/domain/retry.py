"""When to try a Slack call again: Slack's own `Retry-After` when it rate-limits, else an
exponential backoff with a ceiling, so a Slack outage is retried for hours without a
storm of calls when it ends."""

from __future__ import annotations

from datetime import timedelta

FIRST_DELAY = 2.0
MAX_DELAY = 300.0


def retry_delay(attempts: int, retry_after: float | None = None) -> timedelta:
    """The wait before attempt `attempts + 1`; `retry_after` (seconds) wins when given."""
    if retry_after is not None:
        return timedelta(seconds=max(0.0, retry_after))
    return timedelta(seconds=min(MAX_DELAY, FIRST_DELAY * 2 ** max(0, attempts - 1)))
