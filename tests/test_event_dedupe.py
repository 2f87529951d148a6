"""Event ids are remembered long enough to drop Slack's retries, then forgotten."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.services.events import first_delivery, prune_processed_events
from bot.store.models import ProcessedEvent
from tests.harness import BotHarness


def _count(bot: BotHarness) -> int:
    with bot.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(ProcessedEvent)) or 0)


def test_a_repeated_event_id_is_dropped_and_old_ids_are_pruned(bot: BotHarness) -> None:
    event = {
        "type": "reaction_added",
        "user": "U1",
        "reaction": "thumbsup",
        "item": {"type": "message", "channel": bot.general, "ts": "1.000100"},
    }

    first = bot.requests.event(event, event_id="Ev0001")
    again = bot.requests.event(event, event_id="Ev0001", retry_num=1)

    assert (first.status, again.status) == (200, 200)
    assert _count(bot) == 1
    assert first_delivery(bot.ctx, "Ev0001") is False

    bot.clock.advance(hours=2)
    assert first_delivery(bot.ctx, "Ev0002") is True
    assert prune_processed_events(bot.ctx) == 0  # nothing is a day old yet
    bot.clock.advance(days=1, minutes=1)
    assert prune_processed_events(bot.ctx) == 2
    assert _count(bot) == 0
