"""How stakeholder updates read in Slack: the stakeholder message, the reminder DM with its
button, and the update form. User text is escaped; the page link is ours."""

from __future__ import annotations

from typing import Any

from bot.domain import mrkdwn
from bot.domain.incident import Severity, reference
from bot.services.update_reminders import Reminder
from bot.services.updates import MAX_TEXT, StakeholderFacts
from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.payloads import SlackPayload

_STATUS_ICON = {
    "investigating": ":mag:",
    "identified": ":dart:",
    "monitoring": ":eyes:",
    "resolved": ":white_check_mark:",
}


class UpdateFormMetadata(SlackPayload):
    """The update form's `private_metadata` and the reminder button's `value`."""

    incident: int


def render_stakeholder_update(facts: StakeholderFacts) -> str:
    drill = " :test_tube: *DRILL*" if facts.is_drill else ""
    icon = _STATUS_ICON.get(facts.status, ":information_source:")
    lines = [
        f":loudspeaker: *{reference(facts.incident_number)}: {mrkdwn.escape(facts.title)}*{drill}",
        f"*Severity:* {Severity(facts.severity).label}    *Status:* {icon} {facts.status}",
    ]
    if facts.not_ok:
        surfaces = ", ".join(
            f"{mrkdwn.escape(s.surface)} ({s.status}"
            + (f": {mrkdwn.escape(s.note)}" if s.note else "")
            + ")"
            for s in facts.not_ok
        )
        lines.append(f"*Not ok:* {surfaces}")
    lines.append(f"*Update* ({mrkdwn.user(facts.author_id)}, " + _when(facts) + "):")
    lines.append(mrkdwn.escape(facts.text))
    lines.append(f"*Commander:* {mrkdwn.user(facts.commander_id)}")
    if facts.page_url:
        lines.append(f"<{facts.page_url}|Incident page>")
    return "\n".join(lines)


def _when(facts: StakeholderFacts) -> str:
    at = facts.posted_at
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{at:%Y-%m-%d %H:%M} UTC>"


def render_reminder(reminder: Reminder) -> tuple[str, list[Any]]:
    ref = reference(reminder.incident_number)
    since = "since the last update" if reminder.last_update_at else "since it was declared"
    text = (
        f":alarm_clock: {ref} ({mrkdwn.escape(reminder.title)}, "
        f"{Severity(reminder.severity).label}) has had no stakeholder update for "
        f"{reminder.minutes} minutes {since}. Time to tell people outside "
        f"{mrkdwn.channel(reminder.channel_id)} where things stand."
    )
    value = UpdateFormMetadata(incident=reminder.incident_number).dump()
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "actions",
            "block_id": BlockId.UPDATE_REMINDER_ACTIONS,
            "elements": [
                {
                    "type": "button",
                    "action_id": ActionId.UPDATE_REMINDER_OPEN,
                    "value": value,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Post an update"},
                }
            ],
        },
    ]
    return text, blocks


def update_modal(number: int, draft: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.UPDATE_MODAL,
        "title": {"type": "plain_text", "text": f"Update {reference(number)}"[:24]},
        "submit": {"type": "plain_text", "text": "Post"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": UpdateFormMetadata(incident=number).dump(),
        "blocks": [
            {
                "type": "input",
                "block_id": BlockId.UPDATE_TEXT,
                "label": {"type": "plain_text", "text": "What stakeholders should know"},
                "hint": {
                    "type": "plain_text",
                    "text": "Prefilled with what changed since the last update. Edit freely.",
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": ActionId.UPDATE_TEXT,
                    "multiline": True,
                    "max_length": MAX_TEXT,
                    "initial_value": draft,
                },
            }
        ],
    }


def read_update_submission(values: dict[str, Any]) -> str:
    state = values.get(BlockId.UPDATE_TEXT, {}).get(ActionId.UPDATE_TEXT, {})
    return str(state.get("value") or "")
