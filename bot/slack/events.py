"""Events arrive at least once: Slack retries on timeouts, and N replicas may each get a
copy. A row per `event_id` (inserted before any work) makes the second copy a no-op."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_bolt import BoltResponse
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.services.context import ServiceContext
from bot.store.models import ProcessedEvent

log = logging.getLogger(__name__)
# Slack retries an event at once, after 1 minute and after 5; a day is plenty.
KEEP_EVENT_IDS = timedelta(days=1)


def first_delivery(ctx: ServiceContext, event_id: str) -> bool:
    try:
        with ctx.db.transaction() as session:
            session.add(ProcessedEvent(event_id=event_id, received_at=ctx.clock.now()))
        return True
    except IntegrityError:
        return False


def prune_processed_events(ctx: ServiceContext, keep: timedelta = KEEP_EVENT_IDS) -> int:
    """Forget event ids older than any retry Slack would still send (it retries within
    minutes), so the table stays small however busy the workspace is."""
    with ctx.db.transaction() as session:
        result = session.execute(
            delete(ProcessedEvent).where(ProcessedEvent.received_at < ctx.clock.now() - keep)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def make_dedupe_middleware(ctx: ServiceContext) -> Callable[..., Any]:
    def dedupe(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not first_delivery(ctx, str(event_id)):
            log.info("dropping a repeated delivery of event %s", event_id)
            return BoltResponse(status=200, body="")
        return next()

    return dedupe
