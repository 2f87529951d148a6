"""The Events API middleware: a repeated delivery of an event is answered 200 and dropped
(bolt would answer 404 to a middleware that stops, and Slack would retry)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse

from bot.services.context import ServiceContext
from bot.services.events import first_delivery

log = logging.getLogger(__name__)


def make_dedupe_middleware(ctx: ServiceContext) -> Callable[..., Any]:
    def dedupe(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not first_delivery(ctx, str(event_id)):
            log.info("dropping a repeated delivery of event %s", event_id)
            return BoltResponse(status=200, body="")
        return next()

    return dedupe
