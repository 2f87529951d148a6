"""Stakeholder updates: `update <text>`, posted in the incident channel and in the
stakeholder channel, logged on the timeline and kept for the export.

The update, its timeline entry and both posts (queued in the outbox) are written in one
transaction; Slack is told afterwards. When the incident resolves, the stakeholder
channel's copies are edited in place, so that channel shows each incident's state now.
What the message looks like is the Slack layer's business: it hands in a renderer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain.errors import NotPermitted, UsageError
from bot.domain.incident import reference
from bot.domain.text_clean import clean_text
from bot.domain.timeline import EntryKind
from bot.services import impact, outbox
from bot.services.context import ServiceContext
from bot.services.ports import ChatError
from bot.store import repo, review_repo, updates_repo
from bot.store.models import Incident, OutboxMessage, StakeholderUpdate

log = logging.getLogger(__name__)
MAX_TEXT = 3000
UPDATE_USAGE = "update <text>"


@dataclass(frozen=True)
class SurfaceImpact:
    """One surface users see that is not ok (the impact board's row)."""

    surface: str
    status: str
    note: str | None = None


@dataclass(frozen=True)
class StakeholderFacts:
    """What one stakeholder message says, at the state it is rendered in."""

    incident_number: int
    title: str
    severity: str
    status: str
    is_drill: bool
    commander_id: str
    text: str
    author_id: str
    posted_at: datetime
    page_url: str | None = None
    not_ok: tuple[SurfaceImpact, ...] = field(default_factory=tuple)


UpdateRenderer = Callable[[StakeholderFacts], str]


@dataclass(frozen=True)
class PostedUpdate:
    incident_number: int
    outbox_ids: list[int]
    to_stakeholders: bool
    message: str


def page_url(ctx: ServiceContext, number: int) -> str | None:
    base = ctx.policy.public_url
    return f"{base}/incidents/{reference(number)}" if base else None


def may_post(user: str, incident: Incident, admins: tuple[str, ...]) -> bool:
    return user in (incident.commander_id, incident.comms_id) or user in admins


def validate_text(text: str) -> str:
    text = clean_text(text).strip()
    if not text:
        raise UsageError(f"What is the update? `/incident {UPDATE_USAGE}`")
    if len(text) > MAX_TEXT:
        raise UsageError(f"The update is {len(text)} characters; keep it to {MAX_TEXT:,}.")
    return text


def not_ok_surfaces(session: Session, number: int) -> tuple[SurfaceImpact, ...]:
    """The impact board's surfaces that are not ok, worst first (`impact`)."""
    shown = impact.not_ok(review_repo.surfaces(session, number))
    shown.sort(key=lambda s: s.status != "down")
    return tuple(SurfaceImpact(s.surface, s.status, s.note) for s in shown)


def facts_of(
    ctx: ServiceContext, session: Session, incident: Incident, update: StakeholderUpdate
) -> StakeholderFacts:
    return StakeholderFacts(
        incident_number=incident.number,
        title=incident.title,
        severity=incident.severity,
        status=incident.status,
        is_drill=bool(incident.is_drill),
        commander_id=incident.commander_id,
        text=update.text,
        author_id=update.author_id,
        posted_at=update.posted_at,
        page_url=page_url(ctx, incident.number),
        not_ok=not_ok_surfaces(session, incident.number),
    )


def post_update(
    ctx: ServiceContext,
    *,
    user: str,
    text: str,
    render: UpdateRenderer,
    channel_id: str | None = None,
    number: int | None = None,
) -> PostedUpdate:
    """Store the update and queue both posts; the caller delivers the returned ids."""
    text = validate_text(text)
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        if number is not None:
            incident = repo.incident_by_number(session, number, for_update=True)
        else:
            incident = repo.incident_by_channel(
                session, str(channel_id), for_update=True, command="update"
            )
        if not may_post(user, incident, ctx.policy.admins):
            raise NotPermitted(
                f"Only the incident commander (<@{incident.commander_id}>), the comms role "
                "or a warroom admin may post a stakeholder `update`. Nothing was posted."
            )
        update = StakeholderUpdate(
            incident_number=incident.number, text=text, author_id=user, posted_at=now
        )
        session.add(update)
        session.flush()
        repo.add_timeline_entry(
            session,
            incident,
            kind=EntryKind.UPDATE,
            text=f"Stakeholder update by <@{user}>: {text}",
            author_id=user,
            occurred_at=now,
            recorded_at=now,
            data={"update_id": update.id},
        )
        body = render(facts_of(ctx, session, incident, update))
        ids: list[int] = []
        if incident.channel_id:
            queued = outbox.enqueue(
                session,
                channel=incident.channel_id,
                text=body,
                incident_number=incident.number,
                clock=ctx.clock,
            )
            update.channel_outbox_id = queued.id
            ids.append(queued.id)
        stakeholders = ctx.policy.stakeholder_channel
        if stakeholders and stakeholders != incident.channel_id:
            queued = outbox.enqueue(
                session,
                channel=stakeholders,
                text=body,
                incident_number=incident.number,
                clock=ctx.clock,
            )
            update.stakeholder_outbox_id = queued.id
            ids.append(queued.id)
        where = "here and in the stakeholder channel" if update.stakeholder_outbox_id else "here"
        return PostedUpdate(
            incident.number,
            ids,
            bool(update.stakeholder_outbox_id),
            f"Stakeholder update for {reference(incident.number)} posted {where}.",
        )


def refresh_stakeholder_posts(ctx: ServiceContext, number: int, render: UpdateRenderer) -> int:
    """Edit the stakeholder channel's copies to the incident's state now (`chat.update`);
    a copy not yet delivered gets the new text in the outbox. Returns how many were edited."""
    edits: list[tuple[str, str, str]] = []
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, number)
        for update in updates_repo.updates(session, number):
            if update.stakeholder_outbox_id is None:
                continue
            message = session.get(OutboxMessage, update.stakeholder_outbox_id)
            if message is None:
                continue
            text = render(facts_of(ctx, session, incident, update))
            if message.message_ts is None:
                message.text = text
            else:
                edits.append((message.channel, message.message_ts, text))
                update.stakeholder_refreshed_at = ctx.clock.now()
    edited = 0
    for channel, ts, text in edits:
        try:
            ctx.chat.update(channel, ts, text)
            edited += 1
        except ChatError as error:
            log.warning("could not edit a stakeholder update of %s: %s", reference(number), error)
    return edited


def set_reminders(ctx: ServiceContext, *, channel_id: str, user: str, on: bool) -> str:
    """A drill asks for reminders (`update --remind`); any incident can stop them."""
    with ctx.db.transaction() as session:
        incident = repo.incident_by_channel(session, channel_id, for_update=True, command="update")
        if not may_post(user, incident, ctx.policy.admins):
            raise NotPermitted(
                "Only the incident commander, the comms role or a warroom admin may change "
                "update reminders."
            )
        incident.remind_updates = on
        minutes = ctx.policy.update_minutes.get(incident.severity, 0)
    if not on:
        return "Update reminders are off for this incident."
    if minutes <= 0:
        return "Update reminders are on, but this severity has no interval (0 = never)."
    return f"Update reminders are on: every {minutes} minutes without an update."
