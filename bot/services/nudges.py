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

from bot.domain import mrkdwn
from bot.domain.permissions import require_commander
from bot.domain.roster import ParticipantState
from bot.services.context import NudgeRenderer, ServiceContext
from bot.services.ports import ChatError
from bot.store import repo
from bot.store import roster as store_roster

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
    nudges = []
    with ctx.db.transaction() as session:
        claimed = store_roster.claim_quiet_responders(
            session,
            cutoff=cutoff,
            now=now,
            limit=limit,
            skip_locked=ctx.db.dialect == "postgresql",
        )
        for person, incident in claimed:
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
        store_roster.unclaim_nudge(
            session,
            number=nudge.incident_number,
            user_id=nudge.user_id,
            claimed_at=nudge.claimed_at,
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
