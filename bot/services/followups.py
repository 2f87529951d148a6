"""Action items: `followup <text>` (owner from the first mention, `due YYYY-MM-DD` at the
end) and `followup done <n>`. Numbers are fixed when an item is recorded, like timeline
entry numbers, so "item 3" means the same thing in Slack and in the postmortem."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.domain.errors import NotFound, NotPermitted, UsageError
from bot.domain.incident import reference
from bot.domain.permissions import is_commander_or_admin
from bot.domain.text_clean import clean_text
from bot.domain.timeline import EntryKind
from bot.services.context import ServiceContext
from bot.services.timeline import validate_text
from bot.store import repo, review_repo
from bot.store.models import FollowUp

FOLLOWUP_USAGE = "followup <text> [@owner] [due YYYY-MM-DD]"
DONE_USAGE = "followup done <n>"
_OWNER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_DUE = re.compile(r"\s+due\s+(\S+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class FollowupAdded:
    incident_number: int
    number: int
    text: str
    owner: str | None
    due: date | None


@dataclass(frozen=True)
class FollowupDone:
    incident_number: int
    number: int
    text: str
    already: bool


def parse_followup(text: str) -> tuple[str, str | None, date | None]:
    """(text, owner, due): the first mention is the owner, a trailing `due 2026-09-30` the
    due date (taken off the text); a due date that is not a date is refused."""
    text = validate_text(clean_text(text), FOLLOWUP_USAGE)
    due: date | None = None
    match = _DUE.search(" " + text)
    if match:
        try:
            due = date.fromisoformat(match.group(1))
        except ValueError:
            raise UsageError(
                f"`{match.group(1)}` is not a due date; write it as `due YYYY-MM-DD`. "
                "Nothing was recorded."
            ) from None
        text = validate_text((" " + text)[: match.start()], FOLLOWUP_USAGE)
    owner = _OWNER.search(text)
    return text, owner.group(1) if owner else None, due


def add_followup(
    ctx: ServiceContext, *, incident_number: int, user: str, text: str
) -> FollowupAdded:
    """An action item for the postmortem; also a `followup` timeline entry, so the timeline
    shows when during the incident it was raised."""
    body, owner, due = parse_followup(text)
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, incident_number, for_update=True)
        number = review_repo.next_followup_number(session, incident_number)
        session.add(
            FollowUp(
                incident_number=incident_number,
                number=number,
                text=body,
                author_id=user,
                created_at=now,
                owner_id=owner,
                due=due,
                status="open",
            )
        )
        repo.add_timeline_entry(
            session,
            incident,
            kind=EntryKind.FOLLOWUP,
            text=f"Action item {number}: {body}" + (f" (due {due.isoformat()})" if due else ""),
            author_id=user,
            occurred_at=now,
            recorded_at=now,
            data={"followup": number},
        )
    return FollowupAdded(incident_number, number, body, owner, due)


def parse_done(args: str) -> int:
    word = args.strip().lstrip("#")
    if not word.isdigit() or int(word) < 1:
        raise UsageError(f"Which action item? `/incident {DONE_USAGE}`")
    return int(word)


def mark_done(ctx: ServiceContext, *, incident_number: int, user: str, number: int) -> FollowupDone:
    """Its owner, its author, the commander or an admin may."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, incident_number, for_update=True)
        item = review_repo.followup(session, incident_number, number, for_update=True)
        if item is None:
            raise NotFound(
                f"{reference(incident_number)} has no action item {number}. Nothing changed."
            )
        allowed = user in (item.owner_id, item.author_id) or is_commander_or_admin(
            user, incident.commander_id, ctx.policy.admins
        )
        if not allowed:
            raise NotPermitted(
                f"Only action item {number}'s owner, its author or the incident commander "
                "may mark it done. Nothing changed."
            )
        if item.status == "done":
            return FollowupDone(incident_number, number, item.text, already=True)
        item.status, item.done_at, item.done_by = "done", now, user
        repo.add_timeline_entry(
            session,
            incident,
            kind=EntryKind.FOLLOWUP,
            text=f"Action item {number} done: {item.text}",
            author_id=user,
            occurred_at=now,
            recorded_at=now,
            data={"followup": number, "done": True},
        )
        return FollowupDone(incident_number, number, item.text, already=False)
