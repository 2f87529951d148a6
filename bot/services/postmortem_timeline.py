"""The timeline as the postmortem reads it: struck entries left out, captured messages
unescaped, AWS's replies authored "AWS Support", the AWS case opening marked, roster moves
labelled (so runs of them can read as one row) and ticked runbook steps whole."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.incident import Status
from bot.domain.timeline import EntryKind
from bot.export import RunbookStep, TimelineEntry
from bot.store import models

# Timeline kinds whose `data` is {"old": ..., "new": ...} of the incident's status.
_STATUS_KINDS = frozenset({EntryKind.STATUS.value, EntryKind.RESOLVED.value})


def load_timeline(session: Session, number: int) -> list[TimelineEntry]:
    """Struck entries are left out; plain columns, not ORM objects (10,000 rows stay cheap)."""
    t = models.TimelineEntry
    rows = session.execute(
        select(
            t.occurred_at,
            t.recorded_at,
            t.author_id,
            t.kind,
            t.text,
            t.number,
            t.backdated,
            t.permalink,
            t.data,
        )
        .where(t.incident_number == number, t.struck_at.is_(None))
        .order_by(t.occurred_at, t.id)
    ).all()
    entries = []
    for row in rows:
        data = row.data if isinstance(row.data, dict) else {}
        from_aws = row.kind == EntryKind.SUPPORT and data.get("direction") == "from_aws"
        roster = row.kind == EntryKind.ROSTER
        entries.append(
            TimelineEntry(
                occurred_at=row.occurred_at,
                recorded_at=row.recorded_at,
                author=AWS_AUTHOR if from_aws else row.author_id,
                kind=row.kind,
                text=slack_unescape(row.text) if row.kind == EntryKind.MESSAGE else row.text,
                number=row.number,
                backdated=bool(row.backdated),
                permalink=row.permalink,
                to_status=_to_status(row.kind, row.data),
                milestone=_milestone(row.kind, data),
                roster_move=str(data.get("move")) if roster and data.get("move") else None,
                roster_user=str(data.get("user")) if roster and data.get("user") else None,
                runbook_step=_runbook_key(row.kind, data),
            )
        )
    return entries


AWS_AUTHOR = "AWS Support"
"""Who AWS's replies on a case are from, in the export (AWS gives no person's name)."""


def _milestone(kind: str, data: dict[str, Any]) -> str | None:
    """The AWS case opening: a support entry that carries the case id AWS gave, written
    when the case was opened (the declaration, mitigation and resolution follow from the
    entry's kind and status, in build.py)."""
    if kind == EntryKind.SUPPORT and data.get("case_id") and "display_id" in data:
        return "case_opened"
    return None


def _runbook_key(kind: str, data: dict[str, Any]) -> str | None:
    if kind != EntryKind.RUNBOOK or "runbook_id" not in data or "step_index" not in data:
        return None
    return f"{data['runbook_id']}#{data['step_index']}"


def with_runbook_steps(
    timeline: list[TimelineEntry], steps: Sequence[RunbookStep]
) -> list[TimelineEntry]:
    """A ticked step reads on the timeline as the runbook wrote it, whole: the stored entry
    carries only its first line, cut to fit a Slack message."""
    by_key = {f"{s.runbook_id}#{s.step_index}": s for s in steps if s.step_index is not None}
    result = []
    for entry in timeline:
        step = by_key.get(entry.runbook_step or "")
        if step is not None:
            index = (step.step_index or 0) + 1
            # The runbook's Markdown wraps its lines; a step reads as one paragraph.
            text = " ".join(step.step.split())
            entry = entry.model_copy(
                update={"text": f"Runbook {step.runbook_id}, step {index} done: {text}"}
            )
        result.append(entry)
    return result


def slack_unescape(text: str) -> str:
    """Slack sends `<`, `>` and `&` in message text as `&lt;`, `&gt;`, `&amp;`: the captured
    message reads in the export as it did in Slack. `&amp;` last, so `&amp;lt;` is `&lt;`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _to_status(kind: str, data: Any) -> Status | None:
    if kind not in _STATUS_KINDS or not isinstance(data, dict):
        return None
    try:
        return Status(str(data.get("new")))
    except ValueError:
        return None
