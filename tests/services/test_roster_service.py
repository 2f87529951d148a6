"""The roster's rules, tested on the service with a recording `Chat` (no HTTP, no Slack).

What the HTTP tests in tests/test_roster_commands.py check through `/incident`, minus the
parsing and the replies, is checked here directly, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.domain.clock import FixedClock
from bot.domain.errors import WarroomError
from bot.domain.incident import Severity
from bot.domain.roster import ParticipantState
from bot.services import incidents, outbox, roster
from bot.services.context import ServiceContext
from bot.store.db import Database
from bot.store.models import Participant, TimelineEntry
from tests.fakes import RecordingChat

COMMANDER, ANN, BOB = "U0CMDR", "U0ANN", "U0BOB"
CHANNEL = "C0INC1"


@pytest.fixture
def chat() -> RecordingChat:
    return RecordingChat()


@pytest.fixture
def ctx(db: Database, clock: FixedClock, chat: RecordingChat) -> Iterator[ServiceContext]:
    context = ServiceContext(db=db, clock=clock, chat=chat)
    incident = incidents.declare(
        context, declarer=COMMANDER, title="Production environment deleted", severity=Severity.SEV1
    )
    with db.transaction() as session:
        session.get_one(type(incident), incident.number).channel_id = CHANNEL
    yield context


def states(ctx: ServiceContext) -> dict[str, str]:
    with ctx.db.transaction() as session:
        return {p.user_id: p.state for p in session.scalars(select(Participant))}


def roster_entries(ctx: ServiceContext) -> list[str]:
    with ctx.db.transaction() as session:
        rows = session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "roster"))
        return [row.text for row in rows]


def test_need_then_standby_stores_the_moves_and_queues_one_announcement_each(
    ctx: ServiceContext, clock: FixedClock, chat: RecordingChat
) -> None:
    needed = roster.need(ctx, number=1, by_user=COMMANDER, user_ids=[ANN])
    clock.advance(minutes=50)
    change = roster.release_to_standby(
        ctx, number=1, by_user=COMMANDER, user_id=ANN, reason="DNS is fixed"
    )

    assert needed.added == [ANN]
    assert (change.from_state, change.to_state) == (
        ParticipantState.NEEDED,
        ParticipantState.STANDBY,
    )
    assert states(ctx)[ANN] == "standby"
    assert roster_entries(ctx)[-1] == (
        f"<@{ANN}> released to standby by <@{COMMANDER}>: DNS is fixed"
    )
    assert chat.posts == []  # state first: nothing reaches Slack until the outbox is delivered
    assert outbox.deliver(ctx.db, ctx.chat, ctx.clock, change.outbox_ids) == []
    assert [p.channel for p in chat.posts] == [CHANNEL]
    assert "released to standby" in chat.posts[0].text


def test_a_refused_move_writes_nothing(ctx: ServiceContext) -> None:
    """(Was an HTTP test: the refusal's words reach the asker through the one error path
    in bot/slack/followup.py and dispatch.py, tested in tests/test_lifecycle.py.)"""
    roster.need(ctx, number=1, by_user=COMMANDER, user_ids=[ANN])
    before = (states(ctx), roster_entries(ctx))

    with pytest.raises(WarroomError, match="Only the incident commander"):
        roster.release_to_standby(ctx, number=1, by_user=BOB, user_id=ANN, reason=None)
    with pytest.raises(WarroomError, match="not on this incident's roster"):
        roster.release(ctx, number=1, by_user=COMMANDER, user_id=BOB, reason=None)

    assert (states(ctx), roster_entries(ctx)) == before


def test_an_announcement_slack_refuses_stays_owed(
    ctx: ServiceContext, clock: FixedClock, chat: RecordingChat
) -> None:
    roster.need(ctx, number=1, by_user=COMMANDER, user_ids=[ANN])
    change = roster.release(ctx, number=1, by_user=COMMANDER, user_id=ANN, reason=None)
    chat.fail_posts = True

    assert outbox.deliver(ctx.db, ctx.chat, ctx.clock, change.outbox_ids) == change.outbox_ids
    assert outbox.pending_count(ctx.db) >= 1

    chat.fail_posts = False
    clock.advance(minutes=10)  # past the retry's backoff
    assert outbox.deliver_pending(ctx.db, ctx.chat, ctx.clock) >= 1
    assert outbox.pending_count(ctx.db) == 0
    assert any("released" in p.text for p in chat.posts)


def test_telling_the_person_is_a_direct_message(ctx: ServiceContext, chat: RecordingChat) -> None:
    roster.need(ctx, number=1, by_user=COMMANDER, user_ids=[ANN])
    reason = "root cause found"
    change = roster.release(ctx, number=1, by_user=COMMANDER, user_id=ANN, reason=reason)

    assert roster.tell_person(ctx, change) is None
    [dm] = chat.dms[ANN]
    assert "released you from *INC-1" in dm and "root cause found" in dm
