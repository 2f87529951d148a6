"""Reminders to post a stakeholder update, per `WARROOM_UPDATE_MINUTES`.

When a severity's interval passes without an update, the commander and comms get one DM.
The next interval reminds again only if something was recorded since the last reminder:
a reminder that stops nagging when nothing changed. None after resolution; none for a
drill unless it asked (`update --remind`).

Every replica runs the finder. A reminder goes out once because the incident rows are
claimed (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, the write lock on SQLite) and a
row per (incident, due instant) is inserted in the same transaction, before any Slack call;
the unique pair turns a second replica's late claim into a no-op. A reminder nobody could
receive is unclaimed, so the next run tries again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.services import people
from bot.services.context import ServiceContext
from bot.services.ports import ChatError
from bot.store import repo, updates_repo
from bot.store.models import Incident, UpdateReminder

log = logging.getLogger(__name__)
CLAIM_LIMIT = 50
DRAFT_LIMIT = 2800  # a plain-text input holds 3,000 characters


@dataclass(frozen=True)
class Reminder:
    incident_number: int
    title: str
    severity: str
    channel_id: str
    recipients: tuple[str, ...]
    minutes: int
    due_at: datetime
    last_update_at: datetime | None


ReminderRenderer = Callable[[Reminder], tuple[str, list[Any]]]


def wants_reminders(incident: Incident) -> bool:
    if incident.remind_updates is not None:
        return bool(incident.remind_updates)
    return not incident.is_drill


def _due(ctx: ServiceContext, session: Any, incident: Incident, now: datetime) -> Reminder | None:
    minutes = ctx.policy.update_minutes.get(incident.severity, 0)
    if minutes <= 0 or not wants_reminders(incident):
        return None
    latest = updates_repo.latest_update(session, incident.number)
    since = latest.posted_at if latest else incident.declared_at
    interval = timedelta(minutes=minutes)
    if now < since + interval:
        return None
    due_at = since + interval * ((now - since) // interval)
    previous = updates_repo.last_reminder(session, incident.number)
    if previous is not None and previous.due_at >= due_at:
        return None
    # Reminded since the last update already: again only if something happened since.
    if (
        previous is not None
        and previous.due_at > since
        and not updates_repo.entries_recorded_since(session, incident.number, previous.claimed_at)
    ):
        return None
    recipients = tuple(dict.fromkeys(u for u in (incident.commander_id, incident.comms_id) if u))
    return Reminder(
        incident.number,
        incident.title,
        incident.severity,
        str(incident.channel_id),
        recipients,
        minutes,
        due_at,
        latest.posted_at if latest else None,
    )


def claim_due(ctx: ServiceContext, limit: int = CLAIM_LIMIT) -> list[Reminder]:
    now = ctx.clock.now()
    claimed: list[Reminder] = []
    try:
        with ctx.db.transaction() as session:
            for incident in updates_repo.open_incidents_for_reminders(
                session, skip_locked=ctx.db.dialect == "postgresql", limit=limit
            ):
                due = _due(ctx, session, incident, now)
                if due is None:
                    continue
                session.add(
                    UpdateReminder(
                        incident_number=incident.number, due_at=due.due_at, claimed_at=now
                    )
                )
                claimed.append(due)
            session.flush()
    except IntegrityError:
        log.info("another replica claimed these update reminders first")
        return []
    return claimed


def _unclaim(ctx: ServiceContext, reminder: Reminder) -> None:
    with ctx.db.transaction() as session:
        session.execute(
            delete(UpdateReminder).where(
                UpdateReminder.incident_number == reminder.incident_number,
                UpdateReminder.due_at == reminder.due_at,
                UpdateReminder.sent_at.is_(None),
            )
        )


def send(ctx: ServiceContext, reminder: Reminder, render: ReminderRenderer) -> bool:
    text, blocks = render(reminder)
    delivered = False
    for user in reminder.recipients:
        try:
            ctx.chat.direct_message(user, text, blocks)
            delivered = True
        except ChatError as error:
            log.warning("could not DM the update reminder to %s: %s", user, error.code)
    if delivered:
        with ctx.db.transaction() as session:
            row = updates_repo.reminder(session, reminder.incident_number, reminder.due_at)
            if row is not None:
                row.sent_at = ctx.clock.now()
    return delivered


def find_and_send_reminders(ctx: ServiceContext, render: ReminderRenderer) -> int:
    sent = 0
    for reminder in claim_due(ctx):
        if send(ctx, reminder, render):
            sent += 1
        else:
            _unclaim(ctx, reminder)
    return sent


_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")


def _readable(text: str, names: dict[str, str]) -> str:
    """A form is plain text: `<@U123>` reads as `@ada`, as Slack would show it."""
    return _MENTION.sub(lambda m: "@" + (m.group(2) or names.get(m.group(1), m.group(1))), text)


def draft_since_last_update(ctx: ServiceContext, number: int) -> str:
    """What changed since the last update (or the declaration), one line per entry, to
    prefill the update form: the commander edits it rather than starting blank."""
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, number)
        latest = updates_repo.latest_update(session, number)
        since = latest.posted_at if latest else incident.declared_at
        entries = updates_repo.timeline_since(session, number, since)
        texts = [e.text for e in entries if e.kind not in ("update", "declared", "strike")]
        names = people.known(session, {m[0] for t in texts for m in _MENTION.findall(t)})
        lines = [f"• {_readable(text, names)}" for text in texts]
        status = f"Status: {incident.status}."
    draft = "\n".join([status, *lines]) if lines else status + " No change since the last update."
    return draft[:DRAFT_LIMIT]
