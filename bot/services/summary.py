"""The pinned summary of an incident, as Slack mrkdwn. Titles are escaped: they are user
text."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import mrkdwn
from bot.domain.incident import Severity, reference
from bot.domain.timefmt import slack_date
from bot.services.health_facts import IncidentHealth, summary_health_line, summary_plan_note
from bot.services.impact import Surface
from bot.store.models import Incident

_PLAN_TEXT = {
    None: "checking…",
    "not_configured": "AWS is not configured for this bot, so the support plan is unknown.",
}


def support_line(incident: Incident) -> str:
    if incident.support_plan in _PLAN_TEXT:
        return _PLAN_TEXT[incident.support_plan]
    return incident.support_plan_detail or incident.support_plan or "unknown"


def impact_line(surfaces: Sequence[Surface]) -> str | None:
    """The surfaces users see broken, worst first: `*Impact:* vendor web app down (no data)`."""
    shown = sorted((s for s in surfaces if s.status != "ok"), key=lambda s: s.status != "down")
    if not shown:
        return None
    parts = [
        f"{mrkdwn.escape(s.surface)} *{s.status}*"
        + (f" ({mrkdwn.escape(s.note)})" if s.note else "")
        for s in shown
    ]
    return "*Impact:* " + "; ".join(parts)


def summary_text(
    incident: Incident, health: IncidentHealth | None = None, impact: Sequence[Surface] = ()
) -> str:
    drill = " :test_tube: *DRILL*" if incident.is_drill else ""
    severity = Severity(incident.severity).label
    lines = [
        f":rotating_light: *{reference(incident.number)}: {mrkdwn.escape(incident.title)}*{drill}",
        f"*Severity:* {severity}    *Status:* {incident.status}",
        f"*Commander:* {mrkdwn.user(incident.commander_id)}"
        + (f"    *Scribe:* {mrkdwn.user(incident.scribe_id)}" if incident.scribe_id else "")
        + (f"    *Comms:* {mrkdwn.user(incident.comms_id)}" if incident.comms_id else ""),
        f"*Declared:* {slack_date(incident.declared_at)}",
        f"*AWS support plan:* {support_line(incident)}",
    ]
    if health is not None:
        # AWS Health (bot.services.health_facts): said once on the plan line without a plan.
        note = summary_plan_note(health)
        if note:
            lines[-1] += f" {note}"
        line = summary_health_line(health)
        if line:
            lines.append(f"*AWS Health:* {line}")
    if incident.resolved_at is not None:
        lines.append(f"*Resolved:* {slack_date(incident.resolved_at)}")
    impact_text = impact_line(impact)
    if impact_text:
        lines.append(impact_text)
    if incident.summary:
        lines.append(f"*Summary:* {mrkdwn.escape(incident.summary)}")
    lines.append("Type `/incident help` for what you can do here.")
    return "\n".join(lines)
