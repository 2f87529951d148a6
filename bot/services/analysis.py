"""The review's analysis: ten sections (`summary` ... `lucky`), written with
`/incident analysis <section> <text>` or all at once in the form `/incident analysis`
opens, prefilled from what warroom already knows so nobody starts from a blank page.

Only what a person wrote (or kept) is stored: a suggestion never reaches the export on its
own, where an unwritten section stays `null`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.errors import UsageError
from bot.domain.text_clean import clean_text
from bot.export.timefmt import duration_text
from bot.services.context import ServiceContext
from bot.services.postmortem_timeline import slack_unescape
from bot.store import repo, review_repo
from bot.store.models import AnalysisSection

ANALYSIS_USAGE = "analysis [<section> <text>]"
# The command's words (`root-cause`) and the stored/exported keys (`root_cause`).
SECTION_WORDS: dict[str, str] = {
    "summary": "summary",
    "impact": "impact",
    "trigger": "trigger",
    "root-cause": "root_cause",
    "contributing-factors": "contributing_factors",
    "detection": "detection",
    "resolution": "resolution",
    "went-well": "went_well",
    "went-wrong": "went_wrong",
    "lucky": "lucky",
}
TITLES: dict[str, str] = {
    "summary": "Summary",
    "impact": "Impact",
    "trigger": "Trigger",
    "root_cause": "Root cause",
    "contributing_factors": "Contributing factors",
    "detection": "Detection",
    "resolution": "Resolution",
    "went_well": "What went well",
    "went_wrong": "What went wrong",
    "lucky": "Where we got lucky",
}
MAX_SECTION = 3000


@dataclass(frozen=True)
class SectionSet:
    incident_number: int
    section: str
    text: str


def parse_section(args: str) -> tuple[str, str]:
    """(`root_cause`, text) from `root-cause The stack had no termination protection`."""
    words = args.strip().split(maxsplit=1)
    key = SECTION_WORDS.get(words[0].lower().replace("_", "-")) if words else None
    if key is None:
        raise UsageError(
            f"`/incident {ANALYSIS_USAGE}`; the sections are "
            + ", ".join(f"`{w}`" for w in SECTION_WORDS)
            + ". `/incident analysis` alone opens the form."
        )
    text = clean_text(words[1]).strip() if len(words) > 1 else ""
    if not text:
        raise UsageError(f"What should `{words[0]}` say? `/incident analysis {words[0]} <text>`")
    if len(text) > MAX_SECTION:
        raise UsageError(f"Keep a section to {MAX_SECTION:,} characters. Nothing was saved.")
    return key, text


def set_section(
    ctx: ServiceContext, *, incident_number: int, user: str, section: str, text: str
) -> SectionSet:
    save_sections(ctx, incident_number=incident_number, user=user, values={section: text})
    return SectionSet(incident_number, section, text)


def save_sections(
    ctx: ServiceContext, *, incident_number: int, user: str, values: Mapping[str, str | None]
) -> list[str]:
    """Store what the form (or a command) says; an emptied section is removed. Returns the
    sections that changed."""
    now = ctx.clock.now()
    changed: list[str] = []
    with ctx.db.transaction() as session:
        repo.incident_by_number(session, incident_number, for_update=True)
        for key, raw in values.items():
            if key not in TITLES:
                continue
            text = clean_text(raw or "").strip()[:MAX_SECTION]
            row = review_repo.analysis_section(session, incident_number, key)
            if not text:
                if row is not None:
                    session.delete(row)
                    changed.append(key)
                continue
            if row is None:
                session.add(
                    AnalysisSection(
                        incident_number=incident_number,
                        section=key,
                        text=text,
                        updated_at=now,
                        updated_by=user,
                    )
                )
                changed.append(key)
            elif row.text != text:
                row.text, row.updated_at, row.updated_by = text, now, user
                changed.append(key)
    return changed


def draft(ctx: ServiceContext, incident_number: int) -> dict[str, str]:
    """Every section as the form shows it: what was written, else warroom's suggestion."""
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, incident_number)
        written = review_repo.analysis(session, incident_number)
        entries = repo.timeline(session, incident_number, include_struck=False)
        surfaces = review_repo.surfaces(session, incident_number)
        suggested: dict[str, str] = {}
        people = [e for e in entries if e.kind not in ("declared", "roster", "runbook")]
        if people:
            first = people[0]
            suggested["trigger"] = (
                f"{first.occurred_at:%Y-%m-%d %H:%M} UTC: {slack_unescape(first.text)}"
            )
        declared = (
            f"Declared {incident.declared_at:%Y-%m-%d %H:%M} UTC by <@{incident.declared_by}>."
        )
        backdated = next((e for e in entries if e.backdated), None)
        if backdated is not None:
            lag = (incident.declared_at - backdated.occurred_at).total_seconds()
            declared += (
                f" The first entry logged after the fact happened at "
                f"{backdated.occurred_at:%H:%M} UTC"
                + (f", {duration_text(lag)} before the declaration" if lag >= 60 else "")
                + f": {slack_unescape(backdated.text)}"
            )
        suggested["detection"] = declared
        if incident.summary:
            suggested["resolution"] = incident.summary
        if surfaces:
            suggested["impact"] = "\n".join(
                f"{s.surface}: {s.status}" + (f" ({s.note})" if s.note else "") for s in surfaces
            )
        suggested["summary"] = incident.title + (
            f". {incident.summary}" if incident.summary else ""
        )
    return {key: written.get(key) or suggested.get(key, "") for key in TITLES}
