"""Events arrive at least once: Slack retries on timeouts, and N replicas may each get a
copy. A row per `event_id` makes the second copy a no-op."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from bot.services.context import ServiceContext
from bot.store import events

# Slack retries an event at once, after 1 minute and after 5; a day is plenty.
KEEP_EVENT_IDS = timedelta(days=1)


def first_delivery(ctx: ServiceContext, event_id: str) -> bool:
    try:
        with ctx.db.transaction() as session:
            events.mark_seen(session, event_id, ctx.clock.now())
        return True
    except IntegrityError:
        return False


def prune_processed_events(ctx: ServiceContext, keep: timedelta = KEEP_EVENT_IDS) -> int:
    """Forget event ids older than any retry Slack would still send (it retries within
    minutes), so the table stays small however busy the workspace is."""
    with ctx.db.transaction() as session:
        return events.forget_before(session, ctx.clock.now() - keep)
