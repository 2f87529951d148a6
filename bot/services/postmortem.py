"""The postmortem of a stored incident: load it, build it, render it as a file.

Slack (`/incident postmortem`), the resolve offer's buttons and the CLI (`warroom postmortem`)
all export through `export_incident`, so the three say exactly the same thing.

Loading costs a CONSTANT number of SQL statements whatever the incident's size (one each for
the incident, the timeline, the participants, their transitions, the support case, the
action items, the runbook steps, the impact board, its history and the analysis): an
incident with 10,000 entries and 200 responders is exactly as many round trips as one with
three. Everything is read in one transaction; on PostgreSQL at REPEATABLE READ, so the
reads see one snapshot of the record.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.errors import NotFound, UsageError
from bot.domain.incident import Severity, Status, reference
from bot.domain.roster import ParticipantState, Position
from bot.domain.support import PlanClass
from bot.export import (
    Analysis,
    Followup,
    ImpactChange,
    ImpactSurface,
    IncidentFacts,
    Participant,
    Postmortem,
    RunbookStep,
    SupportFacts,
    TimelineEntry,
    Transition,
    Update,
    build_postmortem,
)
from bot.export.render import FORMATS, Format, render
from bot.services import people
from bot.services.context import ServiceContext
from bot.services.postmortem_aws import aws_health_export, restore_drill_export
from bot.services.postmortem_timeline import load_timeline, with_runbook_steps
from bot.services.support import latest_case
from bot.store import models, review_repo, updates_repo
from bot.store.db import Database

FORMAT_USAGE = "postmortem [md|json|html]"
FORMAT_LABELS: dict[str, str] = {"md": "Markdown", "json": "JSON", "html": "HTML"}

# Plan classes that say we do not know the plan: exported as null, never guessed.
_UNKNOWN_PLANS = frozenset({PlanClass.UNKNOWN.value, PlanClass.NOT_CONFIGURED.value})
MENTIONED = re.compile(r"<@([UW][A-Z0-9]+)")
SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,}")


@dataclass(frozen=True)
class ExportedFile:
    """A rendered postmortem, ready to upload or write."""

    incident_number: int
    fmt: Format
    filename: str
    title: str
    content: bytes


def parse_format(text: str) -> Format:
    """`md` (the default, when nothing is given), `json` or `html`; anything else is refused."""
    words = text.split()
    if not words:
        return "md"
    word = words[0].lower()
    if len(words) > 1 or word not in FORMATS:
        raise UsageError(
            f"`{text.strip()}` is not an export format. Use "
            f"`/incident {FORMAT_USAGE}` (Markdown when no format is given)."
        )
    return cast(Format, word)


def export_incident(
    db: Database, number: int, fmt: Format, *, zones: Sequence[str], now: datetime
) -> ExportedFile:
    """The postmortem of incident `number` rendered in `fmt`, times shown in UTC and `zones`.

    `now` is when it is generated; it also ends the open "needed" interval of anyone still
    needed in an unresolved incident. Raises NotFound for an unknown incident.
    """
    if fmt not in FORMATS:
        parse_format(fmt)  # raises the usage error
    with db.transaction() as session:
        postmortem = load_postmortem(session, number, zones=zones, now=now)
    text = render(postmortem, fmt, zones)
    ref = reference(number)
    return ExportedFile(
        incident_number=number,
        fmt=fmt,
        filename=f"{ref}-postmortem.{fmt}",
        title=f"{ref} postmortem ({FORMAT_LABELS[fmt]})",
        content=text.encode("utf-8"),
    )


def export_for(ctx: ServiceContext, number: int, fmt: Format) -> ExportedFile:
    """`export_incident` with the bot's clock and team zones, after asking Slack for the
    names warroom does not know yet (the CLI, without Slack, uses what is stored)."""
    with ctx.db.transaction() as session:
        draft = load_postmortem(
            session, number, zones=ctx.policy.team_timezones, now=ctx.clock.now()
        )
    unnamed = _ids_in(draft) - set(draft.people)
    if unnamed:
        people.learn_from_slack(ctx, unnamed)
    return export_incident(
        ctx.db, number, fmt, zones=ctx.policy.team_timezones, now=ctx.clock.now()
    )


def _ids_in(postmortem: Postmortem) -> set[str]:
    return user_ids(
        postmortem.incident,
        postmortem.timeline,
        postmortem.participants,
        postmortem.followups,
        postmortem.runbook_steps,
    )


def load_postmortem(
    session: Session, number: int, *, zones: Sequence[str], now: datetime
) -> Postmortem:
    """Read the incident's record (seven statements, whatever its size) and build it."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    incident = session.get(models.Incident, number)
    if incident is None:
        raise NotFound(f"There is no incident {reference(number)}.")
    until = incident.resolved_at or now
    case = latest_case(session, number)
    facts = _incident_facts(incident)
    timeline = load_timeline(session, number)
    participants = _participants(session, number, until)
    followups = _followups(session, number)
    runbook_steps = _runbook_steps(session, number)
    updates = [
        Update(text=u.text, author=u.author_id, posted_at=u.posted_at)
        for u in updates_repo.updates(session, number)
    ]
    timeline = with_runbook_steps(timeline, runbook_steps)
    ids = user_ids(facts, timeline, participants, followups, runbook_steps)
    ids.update(u.author for u in updates if u.author and SLACK_USER.fullmatch(u.author))
    return build_postmortem(
        impact=[
            ImpactSurface(
                surface=s.surface,
                status=s.status,
                note=s.note,
                since=s.since,
                changed_at=s.changed_at,
            )
            for s in review_repo.surfaces(session, number)
        ],
        impact_history=[
            ImpactChange(surface=surface, status=status, at=at)
            for surface, status, at in review_repo.impact_history(session, number)
        ],
        analysis=Analysis.model_validate(review_repo.analysis(session, number)),
        incident=facts,
        timeline=timeline,
        participants=participants,
        support=_support(incident, case),
        followups=followups,
        runbook_steps=runbook_steps,
        team_timezones=zones,
        generated_at=now,
        people=people.known(session, ids),
        updates=updates,
        aws_health=aws_health_export(session, number),
        restore_drill=restore_drill_export(session, number),
    )


def user_ids(
    incident: IncidentFacts,
    timeline: Sequence[TimelineEntry],
    participants: Sequence[Participant],
    followups: Sequence[Followup],
    runbook_steps: Sequence[RunbookStep],
) -> set[str]:
    """Every Slack user the postmortem names: as actors, and as mentions inside text."""
    found = {incident.commander}
    found.update(e.author for e in timeline if e.author)
    found.update(p.user for p in participants)
    found.update(t.by for p in participants for t in p.transitions if t.by)
    found.update(f.author for f in followups if f.author)
    found.update(f.owner for f in followups if f.owner)
    found.update(s.ticked_by for s in runbook_steps if s.ticked_by)
    for text in [incident.title, incident.summary or "", *(e.text for e in timeline)]:
        found.update(MENTIONED.findall(text))
    return {user for user in found if user and SLACK_USER.fullmatch(user)}


def _incident_facts(incident: models.Incident) -> IncidentFacts:
    return IncidentFacts(
        reference=reference(incident.number),
        title=incident.title,
        severity=Severity(incident.severity),
        status=Status(incident.status),
        commander=incident.commander_id,
        declared_at=incident.declared_at,
        resolved_at=incident.resolved_at,
        is_drill=bool(incident.is_drill),
        summary=incident.summary,
        channel=incident.channel_name,
    )


def _participants(session: Session, number: int, until: datetime) -> list[Participant]:
    """Everyone on the roster with their moves: two statements (people, then all their
    transitions through a join), never one per person."""
    p, tr = models.Participant, models.ParticipantTransition
    people = session.execute(
        select(p.id, p.user_id, p.state, p.needed_seconds, p.needed_since)
        .where(p.incident_number == number)
        .order_by(p.id)
    ).all()
    moves: dict[int, list[Transition]] = defaultdict(list)
    for row in session.execute(
        select(tr.participant_id, tr.from_state, tr.to_state, tr.at, tr.by_user, tr.reason)
        .join(p, p.id == tr.participant_id)
        .where(p.incident_number == number)
        .order_by(tr.participant_id, tr.at, tr.id)
    ):
        moves[row.participant_id].append(
            Transition(
                from_state=row.from_state,
                to_state=row.to_state,
                at=row.at,
                by=row.by_user,
                reason=row.reason,
            )
        )
    return [
        Participant(
            user=row.user_id,
            state=row.state,
            needed_seconds=_needed_seconds(row.state, row.needed_seconds, row.needed_since, until),
            transitions=moves.get(row.id, []),
        )
        for row in people
    ]


def _needed_seconds(state: str, closed: int | None, since: datetime | None, until: datetime) -> int:
    """Closed intervals plus the open one, counted up to resolution (or now, if unresolved)."""
    try:
        current = ParticipantState(state)
    except ValueError:
        current = ParticipantState.RELEASED
    position = Position(current, closed or 0, since if current is ParticipantState.NEEDED else None)
    return position.needed_seconds_at(until)


def _support(incident: models.Incident, case: models.SupportCase | None) -> SupportFacts:
    """The incident's latest real case; its plan, else the plan last seen on the incident.

    `case_id` is AWS's display id (the number the console shows) when known, else the case id.
    """
    plan = next(
        (
            value
            for value in (case.plan if case else None, incident.support_plan)
            if value and value not in _UNKNOWN_PLANS
        ),
        None,
    )
    if case is None:
        return SupportFacts(plan=plan)
    return SupportFacts(
        plan=plan,
        case_id=case.display_id or case.case_id,
        severity=case.severity,
        opened_at=case.opened_at,
        first_response_at=case.first_response_at,
    )


def _followups(session: Session, number: int) -> list[Followup]:
    return [
        Followup(
            text=f.text,
            author=f.author_id,
            created_at=f.created_at,
            number=f.number,
            owner=f.owner_id,
            due=f.due,
            status="done" if f.status == "done" else "open",
            done_at=f.done_at,
            done_by=f.done_by,
        )
        for f in review_repo.followups(session, number)
    ]


def _runbook_steps(session: Session, number: int) -> list[RunbookStep]:
    s = models.RunbookStep
    rows = session.execute(
        select(s.runbook_id, s.step_index, s.step_text, s.ticked_by, s.ticked_at)
        .where(s.incident_number == number)
        .order_by(s.ticked_at, s.id)
    ).all()
    return [
        RunbookStep(
            runbook_id=r.runbook_id,
            step=r.step_text,
            ticked_by=r.ticked_by,
            ticked_at=r.ticked_at,
            step_index=r.step_index,
        )
        for r in rows
    ]
