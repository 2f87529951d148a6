"""A message captured by `:pushpin:` gets its text when Slack gives it, however late.

The reaction carries no text, so the entry is stored before the acknowledgement with the
message's time and author and a placeholder, together with a `PendingCapture` row. The
text is fetched right after the acknowledgement; when Slack cannot give it (rate limit,
outage, a missing scope), the row is rescheduled (Retry-After, else a backoff) and the job
asks again until the entry is complete; pinning the message again asks at once. Rows are
claimed (SKIP LOCKED on PostgreSQL) so one replica fetches each.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.domain.retry import retry_delay
from bot.services.context import ServiceContext
from bot.services.ports import ChatError
from bot.store import captures as queries
from bot.store.models import PendingCapture, TimelineEntry

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 50  # about four hours at the longest backoff
NOT_RETURNED = "(Slack did not return this message; see the link)"


def waiting_text(code: str) -> str:
    return f"(the message text could not be fetched yet: Slack said `{code}`; see the link)"


@dataclass(frozen=True)
class Fetch:
    """What one attempt achieved: `complete` (the entry has Slack's text, or Slack said the
    message is gone), else Slack's code and when it is tried again."""

    entry_id: int
    complete: bool
    author_id: str | None = None
    code: str | None = None
    retry_at: datetime | None = None


def add_pending(
    session: Session, entry_id: int, channel: str, message_ts: str, now: datetime
) -> None:
    """Called by `timeline.capture_message` in the entry's own transaction."""
    session.add(
        PendingCapture(
            entry_id=entry_id,
            channel=channel,
            message_ts=message_ts,
            attempts=0,
            next_attempt_at=now,
        )
    )


def pending_entry(ctx: ServiceContext, channel: str, message_ts: str) -> int | None:
    """The entry of this message if it is still waiting for its text."""
    with ctx.db.transaction() as session:
        row = queries.pending_for_message(session, channel, message_ts)
        return row.entry_id if row is not None else None


def fetch_now(ctx: ServiceContext, entry_id: int) -> Fetch | None:
    """Ask Slack for this entry's text now, whatever its schedule (the first try, or the
    message pinned again). None: nothing pending, or another replica is at it."""
    with ctx.db.transaction() as session:
        row = session.get(PendingCapture, entry_id)
        if row is not None:
            row.next_attempt_at = min(row.next_attempt_at, ctx.clock.now())
    claimed = _claim(ctx, entry_id=entry_id)
    return _fetch(ctx, claimed[0]) if claimed else None


def run_due(ctx: ServiceContext, limit: int = 50) -> int:
    """The job: fetch what is due; returns how many entries were completed."""
    return sum(_fetch(ctx, row).complete for row in _claim(ctx, limit=limit))


def seconds_until_due(ctx: ServiceContext) -> float | None:
    with ctx.db.transaction() as session:
        due = queries.next_due(session)
    return None if due is None else (due - ctx.clock.now()).total_seconds()


@dataclass(frozen=True)
class _Claimed:
    entry_id: int
    channel: str
    message_ts: str
    attempts: int


def _claim(ctx: ServiceContext, *, limit: int = 1, entry_id: int | None = None) -> list[_Claimed]:
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        rows = queries.claim_due(
            session,
            now,
            limit=limit,
            skip_locked=ctx.db.dialect == "postgresql",
            entry_id=entry_id,
        )
        claimed = []
        for row in rows:
            row.claimed_until = now + LEASE
            claimed.append(_Claimed(row.entry_id, row.channel, row.message_ts, row.attempts))
        return claimed


def _fetch(ctx: ServiceContext, claimed: _Claimed) -> Fetch:
    chat = ctx.step_chat
    try:
        message = chat.fetch_message(claimed.channel, claimed.message_ts)
    except ChatError as error:
        return _failed(ctx, claimed, error)
    permalink = chat.permalink(claimed.channel, claimed.message_ts)
    with ctx.db.transaction() as session:
        entry = session.get(TimelineEntry, claimed.entry_id)
        row = session.get(PendingCapture, claimed.entry_id)
        if row is not None:
            session.delete(row)
        if entry is None:
            return Fetch(claimed.entry_id, True)
        if message is None:
            entry.text = NOT_RETURNED
        else:
            entry.text = message.text.strip() or "(a message with no text)"
            entry.author_id = message.user or entry.author_id
        entry.permalink = permalink or entry.permalink
        return Fetch(claimed.entry_id, True, author_id=entry.author_id)


def _failed(ctx: ServiceContext, claimed: _Claimed, error: ChatError) -> Fetch:
    now = ctx.clock.now()
    attempts = claimed.attempts + (0 if error.rate_limited else 1)
    retry_at = now + retry_delay(attempts, error.retry_after)
    log.warning("could not fetch captured message %s: %s", claimed.message_ts, error.code)
    link = ctx.step_chat.permalink(claimed.channel, claimed.message_ts)
    with ctx.db.transaction() as session:
        row = session.get(PendingCapture, claimed.entry_id)
        entry = session.get(TimelineEntry, claimed.entry_id)
        if row is None or entry is None:
            return Fetch(claimed.entry_id, True)
        if attempts >= MAX_ATTEMPTS:
            session.delete(row)
            entry.text = waiting_text(error.code).replace(" yet", "")
            return Fetch(claimed.entry_id, True, author_id=entry.author_id, code=error.code)
        row.attempts, row.last_error = attempts, error.code
        row.next_attempt_at, row.claimed_until = retry_at, None
        entry.text = waiting_text(error.code)
        entry.permalink = entry.permalink or link
        return Fetch(
            claimed.entry_id, False, author_id=entry.author_id, code=error.code, retry_at=retry_at
        )
