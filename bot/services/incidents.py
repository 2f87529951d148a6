"""Declaring an incident and moving it through its lifecycle.

`declare` only writes (fast, before Slack is acknowledged): the incident, its timeline and
roster, and the declaration's Slack steps, which `bot.services.declarations` runs after the
acknowledgement and resumes from the database. Each change records its timeline entry in
the same transaction and queues the channel announcement in the outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain import mrkdwn
from bot.domain.errors import UsageError, WarroomError
from bot.domain.incident import IncidentRef, Severity, Status, reference
from bot.domain.permissions import require_commander
from bot.domain.roster import ParticipantState
from bot.domain.timeline import EntryKind
from bot.services import declarations, impact, outbox
from bot.services.context import ServiceContext
from bot.services.health_facts import read_health
from bot.services.ports import Asker, ChatError
from bot.services.summary import summary_text
from bot.store import events as event_store
from bot.store import repo, review_repo
from bot.store.models import Incident, Participant, ParticipantTransition

log = logging.getLogger(__name__)

MAX_TITLE = 300


class AlreadySubmitted(WarroomError):
    """The same declare form came back a second time (Slack resubmits a view whose
    answer was slow); the first submission made the incident."""

    def __init__(self) -> None:
        super().__init__("This form was already submitted; the incident is declared once.")


def ref_by_channel(ctx: ServiceContext, channel_id: str, *, command: str = "") -> IncidentRef:
    """The incident of an incident channel, or `NotAnIncidentChannel` naming the command."""
    with ctx.db.transaction() as session:
        incident = repo.incident_by_channel(session, channel_id, command=command)
        return IncidentRef(
            number=incident.number,
            channel_id=incident.channel_id,
            commander_id=incident.commander_id,
            is_drill=incident.is_drill,
        )


def channel_of(ctx: ServiceContext, number: int) -> str | None:
    """The incident's channel, or None while it has none."""
    with ctx.db.transaction() as session:
        return repo.incident_by_number(session, number).channel_id


def validate_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise UsageError(
            "Give the incident a title: `/incident declare [sev1|sev2|sev3|sev4] <title>`"
        )
    if len(title) > MAX_TITLE:
        raise UsageError(f"The title is {len(title)} characters; keep it to {MAX_TITLE}.")
    return title


def declare(
    ctx: ServiceContext,
    *,
    declarer: str,
    title: str,
    severity: Severity,
    drill: bool = False,
    asker: Asker | None = None,
    submission: str | None = None,
) -> Incident:
    """Store the incident and its declaration steps. `asker`: where to tell the declarer
    how the channel is coming along (default: as `declarations.start` is told).
    `submission` names the form submitted (Slack's view id): recorded with the incident,
    in its transaction, so a resubmission of the same form raises `AlreadySubmitted`
    instead of making a second incident."""
    title = validate_title(title)
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        if submission is not None and not event_store.insert_claim(
            session, submission, holder="form", now=now, lease_until=None, done=True
        ):
            raise AlreadySubmitted()
        incident = Incident(
            title=title,
            severity=severity.value,
            status=Status.INVESTIGATING.value,
            is_drill=drill,
            declared_by=declarer,
            commander_id=declarer,
            declared_at=now,
        )
        session.add(incident)
        session.flush()
        add_participant(
            session, incident, declarer, by_user=declarer, at=now, reason="declared the incident"
        )
        what = "Drill declared" if drill else "Incident declared"
        repo.add_timeline_entry(
            session,
            incident,
            kind=EntryKind.DECLARED,
            author_id=declarer,
            text=f"{what}: {reference(incident.number)} {title} ({severity.label}); "
            f"commander <@{declarer}>",
            occurred_at=now,
            recorded_at=now,
            data={"severity": severity.value, "drill": drill},
        )
        declarations.record(session, incident.number, now, asker)
        return incident


def add_participant(
    session: Session,
    incident: Incident,
    user_id: str,
    *,
    by_user: str | None,
    at: datetime,
    reason: str | None,
) -> Participant:
    person = Participant(
        incident_number=incident.number,
        user_id=user_id,
        state=ParticipantState.NEEDED.value,
        joined_at=at,
        needed_since=at,
        needed_seconds=0,
        last_active_at=at,
    )
    session.add(person)
    session.flush()
    session.add(
        ParticipantTransition(
            participant_id=person.id,
            from_state=None,
            to_state=ParticipantState.NEEDED.value,
            at=at,
            by_user=by_user,
            reason=reason,
        )
    )
    return person


def refresh_summary(ctx: ServiceContext, number: int) -> None:
    """Edit the pinned summary to match the stored state."""
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, number)
        health = read_health(session, number)
        surfaces = impact.not_ok(review_repo.surfaces(session, number))
        channel, ts = incident.channel_id, incident.summary_message_ts
        text = summary_text(incident, health, surfaces)
    if channel and ts:
        try:
            ctx.chat.update(channel, ts, text)
        except ChatError as error:
            log.warning("could not refresh the summary of %s: %s", reference(number), error.code)


@dataclass
class Change:
    """A stored change and the announcement queued for the channel."""

    incident_number: int
    outbox_ids: list[int]
    message: str


def set_status(ctx: ServiceContext, *, channel_id: str, user: str, status: Status) -> Change:
    if status is Status.RESOLVED:
        return resolve(ctx, channel_id=channel_id, user=user, summary=None)
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.incident_by_channel(session, channel_id, for_update=True, command="status")
        old = incident.status
        if old == status.value:
            raise WarroomError(f"{reference(incident.number)} is already `{old}`.")
        if old == Status.RESOLVED.value:
            raise WarroomError(
                f"{reference(incident.number)} is resolved. Declare a new incident if it is back."
            )
        incident.status = status.value
        text = f"Status: {old} → {status.value} (by <@{user}>)"
        repo.add_timeline_entry(
            session,
            incident,
            kind=EntryKind.STATUS,
            text=text,
            author_id=user,
            occurred_at=now,
            recorded_at=now,
            data={"old": old, "new": status.value},
        )
        ids = outbox.announce(session, incident, f":traffic_light: {text}", ctx.clock)
        return Change(incident.number, ids, f"Status is now `{status.value}`.")


def set_severity(ctx: ServiceContext, *, channel_id: str, user: str, severity: Severity) -> Change:
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.incident_by_channel(
            session, channel_id, for_update=True, command="severity"
        )
        require_commander(user, incident.commander_id, ctx.policy.admins, "severity")
        old = incident.severity
        if old == severity.value:
            raise WarroomError(f"{reference(incident.number)} is already {severity.label}.")
        incident.severity = severity.value
        text = f"Severity: {Severity(old).label} → {severity.label} (by <@{user}>)"
        repo.add_timeline_entry(
            session,
            incident,
            kind=EntryKind.SEVERITY,
            text=text,
            author_id=user,
            occurred_at=now,
            recorded_at=now,
            data={"old": old, "new": severity.value},
        )
        ids = outbox.announce(session, incident, f":rotating_light: {text}", ctx.clock)
        return Change(incident.number, ids, f"Severity is now {severity.label}.")


def resolve(ctx: ServiceContext, *, channel_id: str, user: str, summary: str | None) -> Change:
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.incident_by_channel(session, channel_id, for_update=True, command="resolve")
        require_commander(user, incident.commander_id, ctx.policy.admins, "resolve")
        if incident.status == Status.RESOLVED.value:
            raise WarroomError(f"{reference(incident.number)} is already resolved.")
        if summary is not None and len(summary) > 3000:
            raise UsageError("Keep the resolution summary to 3,000 characters.")
        old = incident.status
        incident.status = Status.RESOLVED.value
        incident.resolved_at = now
        if summary:
            incident.summary = summary
        text = f"Resolved by <@{user}>" + (f": {summary}" if summary else "")
        repo.add_timeline_entry(
            session,
            incident,
            kind=EntryKind.RESOLVED,
            text=text,
            author_id=user,
            occurred_at=now,
            recorded_at=now,
            data={"old": old, "new": Status.RESOLVED.value},
        )
        announcement = (
            f":white_check_mark: {reference(incident.number)} resolved by <@{user}>"
            + (f": {mrkdwn.escape(summary)}" if summary else ".")
            + "\nExport the postmortem with `/incident postmortem [md|json|html]`."
        )
        ids = outbox.announce(session, incident, announcement, ctx.clock)
        return Change(incident.number, ids, f"{reference(incident.number)} is resolved.")
