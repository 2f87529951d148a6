"""Slack events applied exactly once in effect.

Slack delivers an event at least once (it retries when an answer is late or not a 2xx),
and with N replicas two copies can arrive at once. An event id counts as seen only once
its work has committed:

- `claim` before the work: one copy wins; a copy that finds the work done is skipped; a
  copy that finds it in progress waits briefly for the outcome.
- `complete` after the work committed; `release` when it failed, so Slack's next delivery
  applies it. A replica that dies mid-work leaves a claim whose lease runs out, and the
  next delivery takes it over.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from bot.services.context import ServiceContext
from bot.services.retry import retry_transient
from bot.store import events as store

# Longer than any event's work before the answer (milliseconds), shorter than Slack's
# first delayed retry (one minute): a replica that died mid-work holds nothing for long.
LEASE = timedelta(seconds=30)
# Slack retries an event at once, after 1 minute and after 5; a day is plenty.
KEEP = timedelta(days=1)
POLL_SECONDS = 0.05


class Outcome(Enum):
    CLAIMED = "claimed"  # this copy applies the event
    DONE = "done"  # applied already: skip it
    BUSY = "busy"  # another copy is applying it right now


@dataclass(frozen=True)
class Claim:
    event_id: str
    outcome: Outcome
    holder: str


def claim(
    ctx: ServiceContext,
    event_id: str,
    *,
    wait_seconds: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Claim:
    """Claims `event_id`; while another copy holds it, waits up to `wait_seconds` for that
    copy to finish (done: skip) or fail (released: apply it here).

    Raises `NotStored` when the database does not answer.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        found = retry_transient(lambda: _try_claim(ctx, event_id), what="This event")
        if found.outcome is not Outcome.BUSY or time.monotonic() >= deadline:
            return found
        sleep(POLL_SECONDS)


def _try_claim(ctx: ServiceContext, event_id: str) -> Claim:
    holder = uuid.uuid4().hex
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        if store.insert_claim(session, event_id, holder=holder, now=now, lease_until=now + LEASE):
            return Claim(event_id, Outcome.CLAIMED, holder)
        existing = store.find_claim(session, event_id)
        if existing is None:  # released between the insert and the read: next round
            return Claim(event_id, Outcome.BUSY, holder)
        if existing.done_at is not None:
            return Claim(event_id, Outcome.DONE, existing.holder)
        if store.take_over_expired(
            session, event_id, holder=holder, now=now, lease_until=now + LEASE
        ):
            return Claim(event_id, Outcome.CLAIMED, holder)
        return Claim(event_id, Outcome.BUSY, existing.holder)


def complete(ctx: ServiceContext, held: Claim) -> None:
    """The work committed: every later copy is skipped."""

    def mark() -> None:
        with ctx.db.transaction() as session:
            store.mark_done(session, held.event_id, holder=held.holder, now=ctx.clock.now())

    retry_transient(mark, what="This event")


def release(ctx: ServiceContext, held: Claim) -> None:
    """The work failed: the next delivery applies the event."""

    def forget() -> None:
        with ctx.db.transaction() as session:
            store.release(session, held.event_id, holder=held.holder)

    retry_transient(forget, what="This event")


def prune(ctx: ServiceContext, keep: timedelta = KEEP) -> int:
    """Forget claims older than any retry Slack would still send, so the table stays small
    however busy the workspace is."""
    with ctx.db.transaction() as session:
        return store.prune(session, before=ctx.clock.now() - keep)
