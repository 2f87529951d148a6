"""Writing and correcting the timeline: `log`, `strike` and captured messages (action
items, `followup`, are in followups.py).

Every entry is stored with the instant it happened (`occurred_at`) and the instant it was
recorded, both aware UTC; the zone a responder typed is only used to read their time.
Each entry keeps the number it was given when it was recorded (1, 2, 3 ... per incident),
so `strike 3` strikes the entry `log` called 3, even after backdated entries arrived
before it. A struck entry is never deleted: it keeps its number, who struck it and why,
and the strike is itself an entry.

Every command here reads a bounded number of rows before it answers, whatever the
timeline's length: a new entry's number comes from the incident's counter, and `strike`
finds its entry by (incident, number). Only `timeline` reads the whole timeline, after
the acknowledgement.

A captured Slack message is logged at the time it was posted. The unique constraint on
(incident, source message) decides whether it is new, so however often Slack delivers
the reaction or the shortcut, and on however many replicas, one entry results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.errors import NotFound, NotPermitted, UsageError, WarroomError
from bot.domain.incident import reference
from bot.domain.permissions import is_commander_or_admin
from bot.domain.timeline import EntryKind
from bot.domain.timeparse import parse_when, split_when
from bot.services import capture_retry
from bot.services.context import ServiceContext
from bot.services.ports import ChatError
from bot.store import repo
from bot.store.models import Incident, TimelineEntry

MAX_TEXT = 3000
LOG_USAGE = "log [<when> |] <text>"
STRIKE_USAGE = "strike <n> [reason]"

# Not yet an `EntryKind` member (bot/domain/timeline.py belongs to the lead); the column is
# a plain string, so the value is what matters.
STRIKE_KIND = EntryKind.STRIKE

PENDING_TEXT = "(fetching the message text…)"
"""The text of a captured message until Slack has given us its words."""


class AlreadyOnTimeline(WarroomError):
    """This Slack message was captured before; the first capture stands."""


@dataclass(frozen=True)
class NumberedEntry:
    """A timeline entry as `timeline` shows it, with the number it was recorded with."""

    number: int
    id: int
    occurred_at: datetime
    recorded_at: datetime
    author_id: str | None
    kind: str
    text: str
    backdated: bool
    permalink: str | None
    struck_at: datetime | None
    struck_by: str | None
    strike_reason: str | None

    @property
    def struck(self) -> bool:
        return self.struck_at is not None


@dataclass(frozen=True)
class Logged:
    """What `log` stored, for the echo."""

    incident_number: int
    number: int
    occurred_at: datetime
    backdated: bool
    text: str
    notes: tuple[str, ...]
    zone: str | None  # the region the responder's time was read in, if they named one


@dataclass(frozen=True)
class Struck:
    incident_number: int
    number: int
    entry_text: str
    occurred_at: datetime
    reason: str | None


@dataclass(frozen=True)
class Captured:
    incident_number: int
    entry_id: int
    occurred_at: datetime
    author_id: str | None


def validate_text(text: str, usage: str) -> str:
    """The entry text, stripped; empty or over 3,000 characters is refused."""
    text = text.strip()
    if not text:
        raise UsageError(f"Say what happened: `/incident {usage}`")
    if len(text) > MAX_TEXT:
        raise UsageError(
            f"That entry is {len(text):,} characters; keep it to {MAX_TEXT:,}. "
            "Nothing was logged. Split it into several entries."
        )
    return text


def _numbered(entry: TimelineEntry) -> NumberedEntry:
    return NumberedEntry(
        number=entry.number,
        id=entry.id,
        occurred_at=entry.occurred_at,
        recorded_at=entry.recorded_at,
        author_id=entry.author_id,
        kind=entry.kind,
        text=entry.text,
        backdated=entry.backdated,
        permalink=entry.permalink,
        struck_at=entry.struck_at,
        struck_by=entry.struck_by,
        strike_reason=entry.strike_reason,
    )


def _touch(session: Session, incident_number: int, user: str, now: datetime) -> None:
    """A responder who writes to the timeline is active (the roster's nudge reads this)."""
    person = repo.participant(session, incident_number, user)
    if person is not None:
        person.last_active_at = now


def numbered_timeline(ctx: ServiceContext, incident_number: int) -> list[NumberedEntry]:
    """The whole timeline, oldest first by when it happened, struck entries included."""
    with ctx.db.transaction() as session:
        entries = repo.timeline(session, incident_number)
        return [_numbered(e) for e in entries]


def log_entry(ctx: ServiceContext, *, incident_number: int, user: str, args: str) -> Logged:
    """`/incident log [<when> |] <text>`: parse first, so a refusal writes nothing."""
    now = ctx.clock.now()
    when, rest = split_when(args)
    text = validate_text(rest, LOG_USAGE)
    notes: tuple[str, ...] = ()
    zone: str | None = None
    occurred_at = now
    if when is not None:
        parsed = parse_when(when, now, lambda: _sender_zone(ctx, user))
        occurred_at, notes, zone = parsed.at, parsed.notes, parsed.zone
    data: dict[str, Any] | None = {"typed_time": when} if when is not None else None
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, incident_number)
        entry = repo.add_timeline_entry(
            session,
            incident,
            kind=EntryKind.NOTE,
            text=text,
            author_id=user,
            occurred_at=occurred_at,
            recorded_at=now,
            backdated=when is not None,
            data=data,
        )
        _touch(session, incident_number, user, now)
        number = entry.number
    return Logged(incident_number, number, occurred_at, when is not None, text, notes, zone)


def _sender_zone(ctx: ServiceContext, user: str) -> str | None:
    """Asked only for a time typed without a zone (one `users.info` call)."""
    try:
        return ctx.chat.user_timezone(user)
    except ChatError:
        return None


def parse_strike_args(args: str) -> tuple[int, str | None]:
    """`3 wrong zone` -> (3, "wrong zone"); `#3` is accepted too."""
    parts = args.strip().split(maxsplit=1)
    if not parts:
        raise UsageError(f"Which entry? `/incident {STRIKE_USAGE}` (numbers as `timeline` shows)")
    word = parts[0].lstrip("#")
    if not word.isdigit() or int(word) < 1:
        raise UsageError(
            f"`{parts[0]}` is not an entry number. `/incident {STRIKE_USAGE}`, with the "
            "number `/incident timeline` shows."
        )
    reason = parts[1].strip() if len(parts) > 1 else None
    if reason is not None and len(reason) > MAX_TEXT:
        raise UsageError(f"Keep the reason to {MAX_TEXT:,} characters.")
    return int(word), reason or None


def strike(
    ctx: ServiceContext, *, incident_number: int, user: str, number: int, reason: str | None
) -> Struck:
    """Mark entry `number` struck: its author, the commander or an admin may."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        # The incident row lock makes strikes on one incident take turns, so two strikes
        # of one entry cannot both succeed.
        incident = repo.incident_by_number(session, incident_number, for_update=True)
        entry = repo.timeline_entry(session, incident_number, number)
        if entry is None:
            raise NotFound(
                f"{reference(incident_number)}'s timeline has entries 1 to "
                f"{incident.last_entry_number}; there is no entry {number}. "
                "`/incident timeline` shows the numbers."
            )
        _require_may_strike(user, entry, incident, ctx.policy.admins, number)
        if entry.struck_at is not None:
            raise WarroomError(
                f"Entry {number} was already struck by <@{entry.struck_by}>. Nothing changed."
            )
        entry.struck_at, entry.struck_by, entry.strike_reason = now, user, reason
        # The note does not quote the struck text: what was struck leaves the export.
        note = f"Struck entry {number} (of {entry.occurred_at:%Y-%m-%d %H:%M} UTC)" + (
            f": {reason}" if reason else ""
        )
        repo.add_timeline_entry(
            session,
            incident,
            kind=STRIKE_KIND,
            text=note,
            author_id=user,
            occurred_at=now,
            recorded_at=now,
            data={"struck_entry_id": entry.id},
        )
        _touch(session, incident_number, user, now)
        return Struck(incident_number, number, entry.text, entry.occurred_at, reason)


def _require_may_strike(
    user: str, entry: TimelineEntry, incident: Incident, admins: Sequence[str], number: int
) -> None:
    if user == entry.author_id or is_commander_or_admin(user, incident.commander_id, admins):
        return
    named = entry.author_id and entry.author_id != incident.commander_id
    author = f"its author (<@{entry.author_id}>), " if named else ""
    raise NotPermitted(
        f"Only {author}the incident commander (<@{incident.commander_id}>) or a warroom "
        f"admin may strike entry {number}. Nothing was changed."
    )


def message_instant(ts: str) -> datetime:
    """A Slack message ts (`1790000001.000100`, seconds since the epoch) as aware UTC."""
    try:
        value = Decimal(ts)
    except InvalidOperation:
        raise UsageError(f"`{ts}` is not a Slack message timestamp.") from None
    if not value.is_finite() or value < 0:
        raise UsageError(f"`{ts}` is not a Slack message timestamp.")
    seconds = int(value)
    micros = int((value - seconds) * 1_000_000)
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds, microseconds=micros)


def capture_message(
    ctx: ServiceContext,
    *,
    channel_id: str,
    message_ts: str,
    author_id: str | None,
    text: str | None,
    captured_by: str,
    via: str,
) -> Captured:
    """Log a Slack message at the time it was posted.

    `text` None means "not known yet" (a reaction carries no text): the entry is stored at
    once with a placeholder, which `complete_capture` replaces, so the capture is decided
    and recorded before Slack is acknowledged. Raises NotAnIncidentChannel outside an
    incident channel and AlreadyOnTimeline for a message captured before.
    """
    occurred_at = message_instant(message_ts)
    now = ctx.clock.now()
    body = PENDING_TEXT if text is None else (text.strip() or "(a message with no text)")
    try:
        with ctx.db.transaction() as session:
            incident = repo.incident_by_channel(session, channel_id, command="add to timeline")
            entry = repo.add_timeline_entry(
                session,
                incident,
                kind=EntryKind.MESSAGE,
                text=body,
                author_id=author_id,
                occurred_at=occurred_at,
                recorded_at=now,
                source_ts=message_ts,
                data={"via": via, "captured_by": captured_by, "channel": channel_id},
            )
            if text is None:  # its text comes from Slack, now or when Slack can give it
                capture_retry.add_pending(session, entry.id, channel_id, message_ts, now)
            return Captured(incident.number, entry.id, occurred_at, author_id)
    except IntegrityError:
        raise AlreadyOnTimeline(
            "That message is already on the timeline; it was logged once, at the time it "
            "was posted."
        ) from None


def complete_capture(
    ctx: ServiceContext,
    entry_id: int,
    *,
    text: str | None = None,
    author_id: str | None = None,
    permalink: str | None = None,
) -> None:
    """Fill in what only Slack could tell after the acknowledgement."""
    with ctx.db.transaction() as session:
        entry = session.get(TimelineEntry, entry_id)
        if entry is None:
            return
        if text is not None:
            entry.text = text.strip() or "(a message with no text)"
        if author_id is not None:
            entry.author_id = author_id
        if permalink is not None:
            entry.permalink = permalink
