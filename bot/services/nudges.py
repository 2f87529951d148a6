"""Inactivity nudges: offer the commander to release a needed responder who has gone quiet.

A needed responder (not the commander) who has posted nothing in the incident channel for
`policy.nudge_minutes` is worth a question: still needed? The commander gets a message
with "Release to standby" and "Keep". Every replica runs the finder; each nudge goes out
once because the rows are claimed (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, the
write lock on SQLite) and `nudged_at` is set in the same transaction, before any Slack
call. A nudge Slack would not take is unclaimed, so the next run tries again.

What the message looks like (buttons, their ids) is the Slack layer's business: it hands
in a `NudgeRenderer`, so this module names no Slack id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from bot.app.jobs import Job
from bot.domain import mrkdwn
from bot.domain.incident import Status
from bot.domain.permissions import require_commander
from bot.domain.roster import ParticipantState
from bot.services.context import NudgeRenderer, ServiceContext
from bot.services.ports import ChatError
from bot.store import repo
from bot.store.models import Incident, Participant

log = logging.getLogger(__name__)
CLAIM_LIMIT = 50


@dataclass(frozen=True)
class Nudge:
    incident_number: int
    title: str
    channel_id: str
    user_id: str
    commander_id: str
    quiet_seconds: int
    claimed_at: datetime




def claim_due(ctx: ServiceContext, limit: int = CLAIM_LIMIT) -> list[Nudge]:
    """Mark the due nudges as sent (`nudged_at`) and return them, in one transaction."""
    now = ctx.clock.now()
    cutoff = now - timedelta(minutes=ctx.policy.nudge_minutes)
    query = (
        select(Participant, Incident)
        .join(Incident, Incident.number == Participant.incident_number)
        .where(
            Participant.state == ParticipantState.NEEDED.value,
            Participant.nudged_at.is_(None),
            Participant.user_id != Incident.commander_id,
            or_(
                Participant.last_active_at <= cutoff,
                and_(Participant.last_active_at.is_(None), Participant.joined_at <= cutoff),
            ),
            Incident.status != Status.RESOLVED.value,
            Incident.channel_id.is_not(None),
        )
        .order_by(Participant.id)
        .limit(limit)
    )
    if ctx.db.dialect == "postgresql":
        # Another replica's claim is skipped, not waited for; a row it already marked is
        # re-checked against `nudged_at IS NULL` after its commit and drops out.
        query = query.with_for_update(skip_locked=True, of=Participant)
    nudges = []
    with ctx.db.transaction() as session:
        for person, incident in session.execute(query):
            person.nudged_at = now
            quiet_since = person.last_active_at or person.joined_at
            nudges.append(
                Nudge(
                    incident.number,
                    incident.title,
                    str(incident.channel_id),
                    person.user_id,
                    incident.commander_id,
                    max(0, int((now - quiet_since).total_seconds())),
                    now,
                )
            )
    return nudges


def _unclaim(ctx: ServiceContext, nudge: Nudge) -> None:
    """Give a nudge Slack would not take back to the next run (unless activity or a
    Keep has reset it meanwhile)."""
    with ctx.db.transaction() as session:
        session.execute(
            update(Participant)
            .where(
                Participant.incident_number == nudge.incident_number,
                Participant.user_id == nudge.user_id,
                Participant.nudged_at == nudge.claimed_at,
            )
            .values(nudged_at=None)
        )


def send(ctx: ServiceContext, nudge: Nudge, render: NudgeRenderer) -> bool:
    """A DM to the commander; if Slack refuses, an ephemeral message in the channel."""
    text, blocks = render(nudge)
    try:
        ctx.chat.direct_message(nudge.commander_id, text, blocks)
        return True
    except ChatError as error:
        log.warning("could not DM the nudge to %s: %s", nudge.commander_id, error.code)
    try:
        ctx.chat.post_ephemeral(nudge.channel_id, nudge.commander_id, text, blocks)
        return True
    except ChatError as error:
        log.warning("could not post the nudge in %s: %s", nudge.channel_id, error.code)
    return False


def find_and_send_nudges(ctx: ServiceContext, render: NudgeRenderer | None = None) -> int:
    """Claim and send the due nudges; returns how many went out. `render` defaults to the
    Slack layer's renderer that start-up put in `ctx.render_nudge`."""
    render = render or ctx.render_nudge
    if render is None:
        raise RuntimeError("no nudge renderer: Runtime.build sets ctx.render_nudge")
    sent = 0
    for nudge in claim_due(ctx):
        if send(ctx, nudge, render):
            sent += 1
        else:
            _unclaim(ctx, nudge)
    return sent


def nudge_job(ctx: ServiceContext, every_seconds: float = 60) -> Job:
    return Job("nudges", every_seconds, lambda: find_and_send_nudges(ctx))


def keep(ctx: ServiceContext, *, number: int, by_user: str, user_id: str) -> str:
    """The commander keeps a quiet responder: their quiet-time clock starts again."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, number, for_update=True)
        require_commander(by_user, incident.commander_id, ctx.policy.admins, "keep")
        person = repo.participant(session, number, user_id, for_update=True)
        who = mrkdwn.user(user_id)
        if person is None or person.state != ParticipantState.NEEDED.value:
            state = ParticipantState(person.state).label if person else "not on the roster"
            return f"{who} is {state} now; nothing to keep."
        person.last_active_at = now
        person.nudged_at = None
        minutes = ctx.policy.nudge_minutes
        return f"Kept {who} as needed. You will be asked again after {minutes} quiet minutes."
