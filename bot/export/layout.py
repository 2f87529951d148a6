"""How the postmortem reads, beyond its facts: what both the Markdown and the HTML show.

The timeline a reader scans is not the raw record: consecutive roster moves by one person
("6 people pulled in by @ada") read as one row, and the key moments (declared, the AWS case
opened, mitigated, resolved) are marked. An instant reads first in the reader's zone, with
the team's other zones and UTC beneath it. The JSON keeps the record as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.export.model import Postmortem, TimelineEntry
from bot.export.timefmt import MONTHS

MILESTONE_LABELS = {
    "declared": "Declared",
    "case_opened": "AWS case opened",
    "mitigated": "Mitigated",
    "resolved": "Resolved",
}

# Moves made by one person within this span of each other read as one row.
_GROUP_WITHIN = timedelta(minutes=5)
_GROUP_PHRASES = {
    "need": "pulled in by",
    "standby": "released to standby by",
    "release": "released by",
    "recall": "recalled by",
}


@dataclass(frozen=True)
class Moment:
    """One instant as the export shows it: `primary` in the reader's zone (with its date),
    then `others` (each team zone and UTC; the date only where it differs)."""

    primary: str
    others: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    """A timeline row: one entry, or several consecutive roster moves by one person."""

    numbers: tuple[int, ...]
    entry: TimelineEntry
    people: tuple[str, ...] = ()
    """For a group: the people moved (Slack ids), in order."""

    @property
    def number_text(self) -> str:
        if len(self.numbers) == 1:
            return str(self.numbers[0])
        return f"{self.numbers[0]}–{self.numbers[-1]}"

    @property
    def milestone_label(self) -> str | None:
        return MILESTONE_LABELS.get(self.entry.milestone or "")

    @property
    def group_phrase(self) -> str | None:
        if not self.people:
            return None
        return _GROUP_PHRASES.get(self.entry.roster_move or "", "moved by")


def moment(value: datetime, zones: Sequence[ZoneInfo]) -> Moment:
    """`zones[0]` is the reader's zone (UTC when there is none); UTC always closes the list."""
    reader = zones[0] if zones else None
    first = value.astimezone(reader or UTC)
    primary = f"{MONTHS[first.month - 1]} {first.day} {first:%H:%M} {first.tzname()}"
    others: list[str] = []
    for zone in [*zones[1:], None] if reader is not None else []:
        local = value.astimezone(zone or UTC)
        name = "UTC" if zone is None else local.tzname()
        date = f"{MONTHS[local.month - 1]} {local.day} " if local.date() != first.date() else ""
        others.append(f"{date}{local:%H:%M} {name}")
    return Moment(primary, tuple(others))


def timeline_rows(pm: Postmortem) -> list[Row]:
    """Entries oldest first; runs of two or more plain roster moves of one kind, by one
    person, a few minutes apart, become one row. A move with a reason stays its own row:
    the reason is what the reader needs."""
    rows: list[Row] = []
    run: list[tuple[int, TimelineEntry]] = []

    def flush() -> None:
        if len(run) >= 2:
            people = tuple(e.roster_user for _, e in run if e.roster_user)
            rows.append(Row(tuple(n for n, _ in run), run[0][1], people))
        else:
            rows.extend(Row((n,), e) for n, e in run)
        run.clear()

    for number, entry in enumerate(pm.timeline, start=1):
        if _groupable(entry) and run and _continues(run[-1][1], entry):
            run.append((number, entry))
            continue
        flush()
        if _groupable(entry):
            run.append((number, entry))
        else:
            rows.append(Row((number,), entry))
    flush()
    return rows


def _groupable(entry: TimelineEntry) -> bool:
    return (
        entry.kind == "roster"
        and entry.roster_move in _GROUP_PHRASES
        and entry.roster_user is not None
        and ": " not in entry.text  # no reason given
    )


def _continues(previous: TimelineEntry, entry: TimelineEntry) -> bool:
    return (
        previous.roster_move == entry.roster_move
        and previous.author == entry.author
        and entry.occurred_at - previous.occurred_at <= _GROUP_WITHIN
    )


@dataclass(frozen=True)
class Section:
    """One section of the review: its heading, what to write there, and what was written."""

    key: str
    title: str
    prompt: str
    text: str | None


_SECTIONS: dict[str, tuple[str, str]] = {
    "summary": ("Summary", "What happened, in two or three sentences a newcomer understands."),
    "impact": (
        "Impact",
        "Who and what was affected, for how long, and how we know: customers, data, money, "
        "and people's time.",
    ),
    "trigger": ("Trigger", "The change or event that set it off."),
    "root_cause": ("Root cause", "Why the system let the trigger become an incident."),
    "contributing_factors": (
        "Contributing factors",
        "What made it worse or slower to fix: missing safeguards, unclear ownership, tooling.",
    ),
    "detection": ("Detection", "How and when we found out, and how we could have known sooner."),
    "resolution": ("Resolution", "What fixed it, in order, and what we tried that did not."),
    "went_well": (
        "What went well",
        "What worked: in the systems, the tools, the plan, the way people worked together.",
    ),
    "went_wrong": ("What went wrong", "What did not work, in the systems and in the response."),
    "lucky": ("Where we got lucky", "What went right by chance, and would not next time."),
}


def sections(pm: Postmortem, keys: Sequence[str]) -> list[Section]:
    values = pm.analysis.model_dump()
    return [Section(key, *_SECTIONS[key], values.get(key)) for key in keys]
