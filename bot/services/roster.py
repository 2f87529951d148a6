"""Moving people on the roster: need, standby, release, recall, join and leave.

Every move runs in one transaction that locks the incident row and then the person's row
(in that order everywhere, so two replicas moving the same person at the same instant
queue up instead of both reading the old state), records a `participant_transitions` row
with who moved them and why, and a timeline entry of kind `roster`. Messages to the
channel go through the outbox; the direct message that tells a person they may go (or
must come back) is sent after the commit by `tell_person`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain import mrkdwn
from bot.domain.errors import UsageError
from bot.domain.incident import reference
from bot.domain.permissions import require_commander
from bot.domain.roster import Move, ParticipantState, Position, RosterMoveRefused, apply_move
from bot.domain.timeline import EntryKind
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.services.incidents import add_participant
from bot.services.ports import ChatError
from bot.store import repo
from bot.store import roster as store_roster
from bot.store.models import Incident, Participant, ParticipantTransition

MAX_REASON = 1000
COMMANDER_MOVES = frozenset({Move.STANDBY, Move.RELEASE, Move.RECALL})


@dataclass
class RosterChange:
    """A stored move, what to tell the channel, the asker and the person moved."""

    incident_number: int
    channel_id: str | None
    user_id: str
    move: Move
    from_state: ParticipantState | None
    to_state: ParticipantState
    outbox_ids: list[int] = field(default_factory=list)
    message: str = ""
    dm_text: str | None = None


@dataclass
class NeedResult:
    incident_number: int
    channel_id: str | None
    added: list[str]
    not_added: list[str]
    outbox_ids: list[int]
    message: str


def position_of(person: Participant) -> Position:
    return Position(ParticipantState(person.state), person.needed_seconds or 0, person.needed_since)


def validate_reason(reason: str | None) -> str | None:
    reason = " ".join((reason or "").split()) or None
    if reason is not None and len(reason) > MAX_REASON:
        raise UsageError(f"The reason is {len(reason)} characters; keep it to {MAX_REASON}.")
    return reason


def _timeline_text(move: Move, user_id: str, by_user: str | None, reason: str | None) -> str:
    who, by = mrkdwn.user(user_id), mrkdwn.user(by_user)
    text = {
        Move.NEED: f"{who} is needed (pulled in by {by})",
        Move.JOIN: f"{who} joined the channel: needed",
        Move.LEAVE: f"{who} left the channel: released",
        Move.STANDBY: f"{who} released to standby by {by}",
        Move.RELEASE: f"{who} released by {by}",
        Move.RECALL: f"{who} recalled by {by}",
    }[move]
    if move in (Move.JOIN, Move.LEAVE):
        return text  # the text already says why
    return f"{text}: {reason}" if reason else text


def move_in_session(
    session: Session,
    incident: Incident,
    *,
    user_id: str,
    move: Move,
    by_user: str | None,
    reason: str | None,
    at: datetime,
) -> RosterChange:
    """The move itself, inside the caller's transaction. The caller holds the incident's
    row lock; this locks the person's row, so concurrent moves of one person serialise."""
    who = mrkdwn.user(user_id)
    person = repo.participant(session, incident.number, user_id, for_update=True)
    old = position_of(person) if person else None
    if move in (Move.STANDBY, Move.RELEASE) and user_id == incident.commander_id:
        raise RosterMoveRefused(
            f"{who} is the commander of {reference(incident.number)}. Hand over first with "
            "`/incident role commander @someone`, then release them."
        )
    new = apply_move(old, move, at, who)
    if person is None:
        person = add_participant(
            session, incident, user_id, by_user=by_user, at=at, reason=reason or move.value
        )
    else:
        person.state = new.state.value
        person.needed_seconds = new.needed_seconds
        person.needed_since = new.needed_since
        if new.state is ParticipantState.NEEDED:
            # A fresh start for the quiet-time clock: nobody is nudged for silence that
            # happened while they were off the call.
            person.last_active_at = at
            person.nudged_at = None
        session.add(
            ParticipantTransition(
                participant_id=person.id,
                from_state=old.state.value if old else None,
                to_state=new.state.value,
                at=at,
                by_user=by_user,
                reason=reason,
            )
        )
    repo.add_timeline_entry(
        session,
        incident,
        kind=EntryKind.ROSTER,
        text=_timeline_text(move, user_id, by_user, reason),
        author_id=by_user,
        occurred_at=at,
        recorded_at=at,
        data={
            "user": user_id,
            "move": move.value,
            "from": old.state.value if old else None,
            "to": new.state.value,
            "reason": reason,
        },
    )
    return RosterChange(
        incident.number, incident.channel_id, user_id, move, old.state if old else None, new.state
    )


def _lock_incident(
    ctx: ServiceContext, session: Session, number: int, by_user: str, move: Move
) -> Incident:
    incident = repo.incident_by_number(session, number, for_update=True)
    if move in COMMANDER_MOVES:
        require_commander(by_user, incident.commander_id, ctx.policy.admins, move.value)
    return incident


def _announcement(change: RosterChange, by_user: str, reason: str | None) -> str:
    who, by = mrkdwn.user(change.user_id), mrkdwn.user(by_user)
    text = {
        Move.STANDBY: f":arrow_down_small: {who} released to standby by {by}",
        Move.RELEASE: f":wave: {who} released by {by}",
        Move.RECALL: f":rotating_light: {who} recalled by {by}",
    }[change.move]
    return text + (f": {mrkdwn.escape(reason)}" if reason else ".")


def _dm_text(incident: Incident, change: RosterChange, by_user: str, reason: str | None) -> str:
    ref = f"*{reference(incident.number)}: {mrkdwn.escape(incident.title)}*"
    if incident.is_drill:
        ref += " :test_tube: *DRILL*"
    by = mrkdwn.user(by_user)
    why = f"\nReason: {mrkdwn.escape(reason)}" if reason else ""
    link = channel_link(incident.channel_id)
    if change.move is Move.STANDBY:
        return (
            f":arrow_down_small: {by} released you to standby from {ref}.{why}\n"
            "You may leave the call and go back to your day. Stay reachable: you may be "
            f"recalled. The channel stays open: {link}"
        )
    if change.move is Move.RELEASE:
        return (
            f":wave: {by} released you from {ref}.{why}\n"
            "You are done here: thank you. You may leave the call."
        )
    return (
        f":rotating_light: {by} recalled you to {ref}: you are needed again.{why}\n"
        f"Join the incident channel: {link}"
    )


def channel_link(channel_id: str | None) -> str:
    """`<#C1>` renders as the channel; the app_redirect URL opens it from anywhere."""
    if not channel_id:
        return "_the incident channel is not open yet_"
    return f"<#{channel_id}> (https://slack.com/app_redirect?channel={channel_id})"


def _commanded_move(
    ctx: ServiceContext, *, number: int, by_user: str, user_id: str, move: Move, reason: str | None
) -> RosterChange:
    reason = validate_reason(reason)
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = _lock_incident(ctx, session, number, by_user, move)
        change = move_in_session(
            session, incident, user_id=user_id, move=move, by_user=by_user, reason=reason, at=now
        )
        change.outbox_ids = outbox.announce(
            session, incident, _announcement(change, by_user, reason), ctx.clock
        )
        change.dm_text = _dm_text(incident, change, by_user, reason)
        who = mrkdwn.user(user_id)
        change.message = {
            Move.STANDBY: f"{who} is on standby now; they get a DM saying they may go.",
            Move.RELEASE: f"{who} is released now; they get a DM saying they may go.",
            Move.RECALL: f"{who} is needed again; they get a DM with a link to the channel.",
        }[move]
        return change


def release_to_standby(
    ctx: ServiceContext, *, number: int, by_user: str, user_id: str, reason: str | None = None
) -> RosterChange:
    """Off the call, still reachable. Commander or admin only."""
    return _commanded_move(
        ctx, number=number, by_user=by_user, user_id=user_id, move=Move.STANDBY, reason=reason
    )


def release(
    ctx: ServiceContext, *, number: int, by_user: str, user_id: str, reason: str | None = None
) -> RosterChange:
    """Done with this incident. Commander or admin only."""
    return _commanded_move(
        ctx, number=number, by_user=by_user, user_id=user_id, move=Move.RELEASE, reason=reason
    )


def recall(
    ctx: ServiceContext, *, number: int, by_user: str, user_id: str, reason: str | None = None
) -> RosterChange:
    """Back from standby or released to needed. Commander or admin only."""
    return _commanded_move(
        ctx, number=number, by_user=by_user, user_id=user_id, move=Move.RECALL, reason=reason
    )


def need(ctx: ServiceContext, *, number: int, by_user: str, user_ids: Sequence[str]) -> NeedResult:
    """Pull people in as needed (anyone may). Those who cannot be added are named in the
    reply; when nobody can be, the refusal says why for each and nothing is written."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = _lock_incident(ctx, session, number, by_user, Move.NEED)
        added: list[str] = []
        problems: list[str] = []
        for user_id in user_ids:
            try:  # a refusal is raised before anything is written for that person
                move_in_session(
                    session,
                    incident,
                    user_id=user_id,
                    move=Move.NEED,
                    by_user=by_user,
                    reason=None,
                    at=now,
                )
                added.append(user_id)
            except RosterMoveRefused as refusal:
                problems.append(refusal.user_message)
        if not added:
            raise RosterMoveRefused(" ".join(problems))
        mentions = ", ".join(mrkdwn.user(u) for u in added)
        ids = outbox.announce(
            session,
            incident,
            f":sos: {mentions} pulled in as needed by {mrkdwn.user(by_user)}.",
            ctx.clock,
        )
        message = f"Added as needed: {mentions}. Inviting them to the channel."
        if problems:
            message += "\n" + "\n".join(problems)
        return NeedResult(
            incident.number,
            incident.channel_id,
            added,
            [u for u in user_ids if u not in added],
            ids,
            message,
        )


def _event_move(
    ctx: ServiceContext, channel_id: str, user_id: str, move: Move, reason: str
) -> RosterChange | None:
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        found = repo.find_incident_by_channel(session, channel_id)
        if found is None:
            return None
        incident = repo.incident_by_number(session, found.number, for_update=True)
        try:
            return move_in_session(
                session,
                incident,
                user_id=user_id,
                move=move,
                by_user=user_id,
                reason=reason,
                at=now,
            )
        except RosterMoveRefused:
            return None  # already where the event would put them: nothing to record


def record_join(ctx: ServiceContext, *, channel_id: str, user_id: str) -> RosterChange | None:
    """Whoever joins an incident channel is needed. None when nothing changed (not an
    incident channel, or already needed)."""
    return _event_move(ctx, channel_id, user_id, Move.JOIN, "joined the channel")


def record_leave(ctx: ServiceContext, *, channel_id: str, user_id: str) -> RosterChange | None:
    """Whoever leaves an incident channel is released."""
    return _event_move(ctx, channel_id, user_id, Move.LEAVE, "left the channel")


def record_activity(ctx: ServiceContext, *, channel_id: str, user_id: str) -> bool:
    """A message in the channel: the person is active, their quiet-time clock restarts."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.find_incident_by_channel(session, channel_id)
        if incident is None:
            return False
        return store_roster.mark_active(
            session, number=incident.number, user_id=user_id, now=now
        )


def tell_person(ctx: ServiceContext, change: RosterChange) -> str | None:
    """DM the person moved. Returns a problem to tell the asker, or None."""
    if not change.dm_text:
        return None
    try:
        ctx.chat.direct_message(change.user_id, change.dm_text)
    except ChatError as error:
        return (
            f"{mrkdwn.user(change.user_id)} could not be sent a DM (Slack said "
            f"`{error.code}`); tell them yourself."
        )
    return None


def invite(ctx: ServiceContext, channel_id: str | None, user_ids: Sequence[str]) -> list[str]:
    """Invite each person to the channel; returns problems to tell the asker."""
    if not channel_id:
        return ["the incident channel is not open yet, so nobody was invited"]
    problems = []
    for user_id in user_ids:
        try:
            ctx.chat.invite(channel_id, [user_id])
        except ChatError as error:
            if error.code != "already_in_channel":
                problems.append(
                    f"{mrkdwn.user(user_id)} could not be invited (Slack said `{error.code}`)"
                )
    return problems
