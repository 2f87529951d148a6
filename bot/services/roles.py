"""Roles (commander, scribe, comms): handing over, with the change on the timeline."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import mrkdwn
from bot.domain.errors import WarroomError
from bot.domain.incident import Role
from bot.domain.permissions import require_commander
from bot.domain.roster import Move, ParticipantState
from bot.domain.timeline import EntryKind
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.services.roster import RosterChange, move_in_session
from bot.store import repo
from bot.store.models import Incident


@dataclass
class RoleChange:
    incident_number: int
    channel_id: str | None
    role: Role
    old: str | None
    new: str
    joined_roster: RosterChange | None
    outbox_ids: list[int]
    message: str


_ROLE_FIELDS = {Role.COMMANDER: "commander_id", Role.SCRIBE: "scribe_id", Role.COMMS: "comms_id"}


def set_role(
    ctx: ServiceContext, *, number: int, by_user: str, role: Role, user_id: str
) -> RoleChange:
    """Give `role` to `user_id` (commander or admin only). A new commander who is not
    needed yet is put on the roster as needed, in the same transaction."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, number, for_update=True)
        require_commander(by_user, incident.commander_id, ctx.policy.admins, "role")
        name = _ROLE_FIELDS[role]
        old: str | None = getattr(incident, name)
        if old == user_id:
            raise WarroomError(
                f"{mrkdwn.user(user_id)} is already {role.value}. Nothing was changed."
            )
        setattr(incident, name, user_id)
        text = (
            f"{role.value.capitalize()}: {mrkdwn.user(old) if old else 'nobody'} → "
            f"{mrkdwn.user(user_id)} (by {mrkdwn.user(by_user)})"
        )
        repo.add_timeline_entry(
            session,
            incident,
            kind=EntryKind.ROLE,
            text=text,
            author_id=by_user,
            occurred_at=now,
            recorded_at=now,
            data={"role": role.value, "old": old, "new": user_id},
        )
        joined = None
        if role is Role.COMMANDER:
            person = repo.participant(session, number, user_id, for_update=True)
            if person is None or person.state != ParticipantState.NEEDED.value:
                move = Move.NEED if person is None else Move.RECALL
                joined = move_in_session(
                    session,
                    incident,
                    user_id=user_id,
                    move=move,
                    by_user=by_user,
                    reason="took command",
                    at=now,
                )
        ids = outbox.announce(session, incident, f":crown: {text}", ctx.clock)
        message = f"{mrkdwn.user(user_id)} is now {role.value}."
        if joined is not None:
            message += " They are on the roster as needed and are being invited."
        return RoleChange(number, incident.channel_id, role, old, user_id, joined, ids, message)


def roles_of(incident: Incident, user_id: str) -> tuple[Role, ...]:
    return tuple(role for role, name in _ROLE_FIELDS.items() if getattr(incident, name) == user_id)
