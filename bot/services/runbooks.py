"""Runbooks in an incident: which ones fit, and ticking their steps.

A ticked step is a fact for the postmortem ("who restored the table, and when"), so it is
stored once, in a `runbook_steps` row that is unique per incident, runbook and step, and
logged on the timeline in the same transaction. The database decides "first tick or
second": a double click, a Slack retry or a second replica gets "already done by ..."
instead of a second row.

The library itself is loaded once at start-up (`bot.app.runtime.load_runbook_library`) and
carried in `ctx.runbooks`; a broken runbook stops start-up with its file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain import mrkdwn
from bot.domain.errors import NotFound, WarroomError
from bot.domain.incident import Severity, reference
from bot.domain.runbooks import Runbook
from bot.domain.timefmt import slack_date
from bot.domain.timeline import EntryKind
from bot.runbooks.library import RunbookLibrary
from bot.services.context import ServiceContext
from bot.store import repo
from bot.store import runbooks as store_runbooks
from bot.store.models import RunbookStep

# A step's text in a timeline entry is cut here: the entry says which step, not the manual.
TIMELINE_STEP_CHARS = 300


def library(ctx: ServiceContext) -> RunbookLibrary:
    if ctx.runbooks is None:
        raise WarroomError("Runbooks are not loaded in this warroom; ask its operator.")
    return ctx.runbooks


@dataclass(frozen=True)
class StepDone:
    step_index: int
    by: str
    at: datetime


@dataclass(frozen=True)
class IncidentRunbooks:
    """What an incident needs to post checklists: where, and which runbooks fit it."""

    number: int
    channel_id: str | None
    title: str
    severity: Severity
    matching: list[Runbook]


def for_incident(ctx: ServiceContext, number: int) -> IncidentRunbooks:
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, number)
        channel, title = incident.channel_id, incident.title
        severity = Severity(incident.severity)
    return IncidentRunbooks(
        number, channel, title, severity, library(ctx).matching(title, severity)
    )


def done_steps(ctx: ServiceContext, number: int, runbook_id: str) -> dict[int, StepDone]:
    """The ticked steps of one runbook in one incident, by step index."""
    with ctx.db.transaction() as session:
        return _done(session, number, runbook_id)


def _done(session: Session, number: int, runbook_id: str) -> dict[int, StepDone]:
    rows = store_runbooks.ticked_steps(session, number, runbook_id)
    return {row.step_index: StepDone(row.step_index, row.ticked_by, row.ticked_at) for row in rows}


class AlreadyDone(WarroomError):
    """The step was ticked before; the message says by whom and when."""

    def __init__(self, incident_number: int, runbook: Runbook, done: StepDone) -> None:
        super().__init__(
            f"Step {done.step_index + 1} of `{runbook.id}` was already done by <@{done.by}> "
            f"at {slack_date(done.at)}."
        )
        self.incident_number = incident_number
        self.runbook = runbook
        self.done = done


@dataclass(frozen=True)
class Tick:
    """A stored tick: enough for the Slack layer to redraw the checklist."""

    incident_number: int
    channel_id: str
    runbook: Runbook
    step_index: int
    done: dict[int, StepDone]


def tick(
    ctx: ServiceContext, *, channel_id: str, user: str, runbook_id: str, step_index: int
) -> Tick:
    """Record that `user` did step `step_index` (0-based) of a runbook, now.

    Refuses (writing nothing) outside an incident channel, for an unknown runbook or step,
    and when the step is already done (`AlreadyDone`).
    """
    runbook = library(ctx).get(runbook_id)
    if not 0 <= step_index < len(runbook.steps):
        raise NotFound(
            f"`{runbook.id}` has {len(runbook.steps)} steps; there is no step {step_index + 1}. "
            "The checklist may be from an older version of the runbook: post it again with "
            f"`/incident runbook {runbook.id}`."
        )
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.incident_by_channel(session, channel_id, command="runbook")
        number = incident.number
        earlier = _done(session, number, runbook.id).get(step_index)
        if earlier is not None:
            raise AlreadyDone(number, runbook, earlier)
        step = runbook.steps[step_index]
        try:
            with session.begin_nested():
                session.add(
                    RunbookStep(
                        incident_number=number,
                        runbook_id=runbook.id,
                        step_index=step_index,
                        step_text=step,
                        ticked_by=user,
                        ticked_at=now,
                    )
                )
        except IntegrityError:  # ticked by someone else between our read and our write
            raced = _done(session, number, runbook.id)[step_index]
            raise AlreadyDone(number, runbook, raced) from None
        repo.add_timeline_entry(
            session,
            incident,
            kind=EntryKind.RUNBOOK,
            author_id=user,
            text=f"Runbook `{runbook.id}` step {step_index + 1}/{len(runbook.steps)} done "
            f"by <@{user}>: {_first_line(step)}",
            occurred_at=now,
            recorded_at=now,
            data={"runbook_id": runbook.id, "step_index": step_index},
        )
        done = _done(session, number, runbook.id)
    return Tick(number, channel_id, runbook, step_index, done)


def _first_line(step: str) -> str:
    line = step.splitlines()[0] if step else ""
    return line if len(line) <= TIMELINE_STEP_CHARS else line[: TIMELINE_STEP_CHARS - 1] + "…"


def describe(ctx: ServiceContext, incident_number: int | None = None) -> str:
    """`/incident runbook` with no id: every runbook, when it applies, and which fit here."""
    runbooks = library(ctx).all()
    if not runbooks:
        return "No runbooks are loaded. Add some to the folder named by `WARROOM_RUNBOOKS_DIR`."
    fitting: set[str] = set()
    here = ""
    if incident_number is not None:
        found = for_incident(ctx, incident_number)
        fitting = {runbook.id for runbook in found.matching}
        here = f" for {reference(incident_number)}"
    lines = ["*Runbooks* (post one with `/incident runbook <id>`):"]
    for runbook in runbooks:
        mark = " :point_left: _suggested" + here + "_" if runbook.id in fitting else ""
        title = mrkdwn.escape(runbook.title)
        lines.append(f"• `{runbook.id}`: {title} ({_applies(runbook)}){mark}")
    return "\n".join(lines)


def _applies(runbook: Runbook) -> str:
    severities = (
        "any severity"
        if set(runbook.severities) == set(Severity)
        else ", ".join(s.label for s in runbook.severities)
    )
    if not runbook.keywords:
        return f"{len(runbook.steps)} steps; never suggested, post it by hand"
    keywords = mrkdwn.escape(", ".join(runbook.keywords))
    return f"{len(runbook.steps)} steps; {severities} with a title mentioning {keywords}"
