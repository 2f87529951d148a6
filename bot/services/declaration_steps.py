"""The steps of a declaration's Slack half, each safe to run again.

- `channel`: create the channel, or adopt the one Slack made when its answer was lost. A
  name is recorded as `uncertain_name` before `conversations.create` is sent; after a
  timeout (or a `name_taken` for that name) the channel is looked up by name and adopted
  when the bot created it and its purpose is ours or not yet set. Never a second channel.
- `purpose`: the channel's purpose names the incident and its declaration time, which is
  how a later lookup tells our channel from another with the same name.
- `invite`, `summary` (through the outbox, so it carries its outbox id and is never
  posted twice), `pin`.

A step returns the next step, raises `ChatError` (the runner retries a transient one and
records a refusal), `Refused`, or `Wait` (try again at a given time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.domain.channel_names import channel_name
from bot.domain.incident import reference
from bot.domain.retry import retry_delay
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.services.ports import UNKNOWN_OUTCOME, ChannelInfo, Chat, ChatError
from bot.services.summary import summary_text
from bot.store import repo
from bot.store.models import Declaration, Incident, OutboxMessage

CHANNEL, PURPOSE, INVITE, SUMMARY, PIN, READY, DONE = (
    "channel",
    "purpose",
    "invite",
    "summary",
    "pin",
    "ready",
    "done",
)
MAX_CHANNEL_NAMES = 20
MAX_PURPOSE = 250


class Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Wait(Exception):
    """Not now: try at `until` (the outbox is waiting out Slack for the summary). `counts`:
    this is a failed attempt of the step (it gives up after enough of them)."""

    def __init__(self, code: str, until: datetime, *, counts: bool = False) -> None:
        super().__init__(code)
        self.code = code
        self.until = until
        self.counts = counts


@dataclass(frozen=True)
class Pending:
    """A claimed declaration and its incident, as the steps need them."""

    number: int
    title: str
    drill: bool
    declarer: str
    declared_at: datetime
    step: str
    attempts: int
    name_attempt: int
    uncertain_name: str | None
    summary_outbox_id: int | None
    channel_id: str | None


def snapshot(row: Declaration, incident: Incident) -> Pending:
    return Pending(
        number=incident.number,
        title=incident.title,
        drill=incident.is_drill,
        declarer=incident.declared_by,
        declared_at=incident.declared_at,
        step=row.step,
        attempts=row.attempts,
        name_attempt=row.name_attempt,
        uncertain_name=row.uncertain_name,
        summary_outbox_id=row.summary_outbox_id,
        channel_id=incident.channel_id,
    )


def purpose_key(p: Pending) -> str:
    return f"{reference(p.number)} · declared {p.declared_at:%Y-%m-%d %H:%M:%S} UTC"


def purpose_text(p: Pending) -> str:
    return f"{purpose_key(p)} · {p.title}"[:MAX_PURPOSE]


# -- channel ---------------------------------------------------------------------------


def channel(ctx: ServiceContext, chat: Chat, p: Pending) -> str:
    if p.channel_id:
        return PURPOSE
    if p.uncertain_name:
        found = chat.find_channel(p.uncertain_name)
        if found is not None:
            if _ours(ctx, chat, found, p, after_lost_answer=True):
                return _adopt(ctx, p.number, found.id, found.name)
            return _next_name(ctx, p)
        # Not there: the lost call never took effect. Create it under the same name.
    name = channel_name(
        ctx.policy.channel_prefix, p.number, p.title, drill=p.drill, attempt=p.name_attempt
    )
    _update(ctx, p.number, uncertain_name=name)  # before the call: it may take effect unseen
    try:
        created = chat.create_channel(name)
    except ChatError as error:
        if error.code == "name_taken":
            found = chat.find_channel(name)
            lost = p.uncertain_name == name
            if found is not None and _ours(ctx, chat, found, p, after_lost_answer=lost):
                return _adopt(ctx, p.number, found.id, found.name)
            if found is None and lost:
                # Slack has the name but does not list it yet: most likely the channel our
                # lost call made. Look again later rather than open a second one.
                raise Wait(
                    "channel_not_listed_yet",
                    ctx.clock.now() + retry_delay(p.attempts + 1),
                    counts=True,
                ) from None
            return _next_name(ctx, p)
        if not error.outcome_unknown:
            _update(ctx, p.number, uncertain_name=None)
        raise
    return _adopt(ctx, p.number, created.id, created.name)


def _ours(
    ctx: ServiceContext, chat: Chat, found: ChannelInfo, p: Pending, *, after_lost_answer: bool
) -> bool:
    """Created by this bot, owned by no other incident, and either carrying our purpose or
    (right after a create whose answer was lost) no purpose yet."""
    if found.creator != chat.bot_user_id():
        return False
    with ctx.db.transaction() as session:
        owner = repo.find_incident_by_channel(session, found.id)
        if owner is not None and owner.number != p.number:
            return False
    return found.purpose.startswith(purpose_key(p)) or (after_lost_answer and not found.purpose)


def _adopt(ctx: ServiceContext, number: int, channel_id: str, name: str) -> str:
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, number, for_update=True)
        incident.channel_id, incident.channel_name = channel_id, name
        row = session.get(Declaration, number)
        assert row is not None
        row.uncertain_name = None
    return PURPOSE


def _next_name(ctx: ServiceContext, p: Pending) -> str:
    """The name is someone else's: the next one (`-2`, `-3`...), tried at once."""
    if p.name_attempt >= MAX_CHANNEL_NAMES:
        raise Refused("no_free_name")
    _update(ctx, p.number, uncertain_name=None, name_attempt=p.name_attempt + 1)
    return CHANNEL


def _update(ctx: ServiceContext, number: int, **values: object) -> None:
    with ctx.db.transaction() as session:
        row = session.get(Declaration, number)
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)


# -- the rest ----------------------------------------------------------------------------


def purpose(ctx: ServiceContext, chat: Chat, p: Pending) -> str:
    assert p.channel_id is not None
    chat.set_purpose(p.channel_id, purpose_text(p))
    return INVITE


def invite(ctx: ServiceContext, chat: Chat, p: Pending) -> str:
    assert p.channel_id is not None
    try:
        chat.invite(p.channel_id, [p.declarer])
    except ChatError as error:
        if error.code != "already_in_channel":
            raise
    return SUMMARY


def summary(ctx: ServiceContext, chat: Chat, p: Pending) -> str:
    """Post the summary through the outbox: its metadata carries the outbox id, so a post
    whose answer was lost is found, not doubled."""
    assert p.channel_id is not None
    message_id = p.summary_outbox_id
    if message_id is None:
        with ctx.db.transaction() as session:
            incident = repo.incident_by_number(session, p.number)
            queued = outbox.enqueue(
                session,
                channel=p.channel_id,
                text=summary_text(incident),
                incident_number=p.number,
                clock=ctx.clock,
            )
            message_id = queued.id
            row = session.get(Declaration, p.number)
            assert row is not None
            row.summary_outbox_id = message_id
    outbox.deliver_one(ctx.db, chat, ctx.clock, message_id)
    with ctx.db.transaction() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        if message.message_ts is not None:
            repo.incident_by_number(
                session, p.number, for_update=True
            ).summary_message_ts = message.message_ts
            return PIN
        code = message.last_error or "pending"
        if code == outbox.IN_FLIGHT or code == "ratelimited" or code in UNKNOWN_OUTCOME:
            until = message.next_attempt_at or ctx.clock.now()
            if message.claimed_until is not None:  # another replica is posting it now
                until = max(until, message.claimed_until)
            raise Wait(code, until)
        raise Refused(code)


def pin(ctx: ServiceContext, chat: Chat, p: Pending) -> str:
    assert p.channel_id is not None
    with ctx.db.transaction() as session:
        ts = session.scalar(select(Incident.summary_message_ts).where(Incident.number == p.number))
    if ts is None:
        return READY
    try:
        chat.pin(p.channel_id, ts)
    except ChatError as error:
        if error.code != "already_pinned":
            raise
    return READY


Step = Callable[[ServiceContext, Chat, Pending], str]
STEPS: dict[str, Step] = {
    CHANNEL: channel,
    PURPOSE: purpose,
    INVITE: invite,
    SUMMARY: summary,
    PIN: pin,
}
# After Slack refuses a step: the step to go on with, and whether the declarer hears of it.
ON_REFUSAL: dict[str, tuple[str, bool]] = {
    CHANNEL: (READY, True),
    PURPOSE: (INVITE, False),
    INVITE: (SUMMARY, True),
    SUMMARY: (READY, True),
    PIN: (READY, True),
}
