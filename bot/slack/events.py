"""Events arrive at least once: Slack retries on timeouts, and N replicas may each get a
copy. A row per `event_id` (inserted before any work) makes the second copy a no-op."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse
from sqlalchemy.exc import IntegrityError

from bot.services.context import ServiceContext
from bot.store.models import ProcessedEvent

log = logging.getLogger(__name__)


def first_delivery(ctx: ServiceContext, event_id: str) -> bool:
    try:
        with ctx.db.transaction() as session:
            session.add(ProcessedEvent(event_id=event_id, received_at=ctx.clock.now()))
        return True
    except IntegrityError:
        return False


def make_dedupe_middleware(ctx: ServiceContext) -> Callable[..., Any]:
    def dedupe(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not first_delivery(ctx, str(event_id)):
            log.info("dropping a repeated delivery of event %s", event_id)
            return BoltResponse(status=200, body="")
        return next()

    return dedupe
