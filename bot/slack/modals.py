"""The declare form, opened by `/incident declare` with no text."""

from __future__ import annotations

from typing import Any

from bot.domain.incident import Severity
from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.payloads import SlackPayload


class DeclareModalMetadata(SlackPayload):
    """What the form carries from the command to its submission (`private_metadata`)."""

    channel_id: str | None = None


def _option(severity: Severity) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": severity.label}, "value": severity.value}


def declare_modal(
    severity: Severity, drill: bool, metadata: DeclareModalMetadata | None = None
) -> dict[str, Any]:
    drill_option = {
        "text": {"type": "plain_text", "text": "This is a drill (game day)"},
        "value": "drill",
    }
    drill_element: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": ActionId.DECLARE_DRILL,
        "options": [drill_option],
    }
    if drill:
        drill_element["initial_options"] = [drill_option]
    return {
        "type": "modal",
        "callback_id": CallbackId.DECLARE_MODAL,
        "title": {"type": "plain_text", "text": "Declare an incident"},
        "submit": {"type": "plain_text", "text": "Declare"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": (metadata or DeclareModalMetadata()).dump(),
        "blocks": [
            {
                "type": "input",
                "block_id": BlockId.DECLARE_TITLE,
                "label": {"type": "plain_text", "text": "What is happening?"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": ActionId.DECLARE_TITLE,
                    "max_length": 300,
                    "placeholder": {"type": "plain_text", "text": "Production environment deleted"},
                },
            },
            {
                "type": "input",
                "block_id": BlockId.DECLARE_SEVERITY,
                "label": {"type": "plain_text", "text": "Severity"},
                "element": {
                    "type": "static_select",
                    "action_id": ActionId.DECLARE_SEVERITY,
                    "initial_option": _option(severity),
                    "options": [_option(s) for s in Severity],
                },
            },
            {
                "type": "input",
                "block_id": BlockId.DECLARE_DRILL,
                "optional": True,
                "label": {"type": "plain_text", "text": "Drill"},
                "element": drill_element,
            },
        ],
    }


def read_declare_submission(values: dict[str, Any]) -> tuple[str, Severity, bool]:
    title_state = values.get(BlockId.DECLARE_TITLE, {}).get(ActionId.DECLARE_TITLE, {})
    severity_state = values.get(BlockId.DECLARE_SEVERITY, {}).get(ActionId.DECLARE_SEVERITY, {})
    drill_state = values.get(BlockId.DECLARE_DRILL, {}).get(ActionId.DECLARE_DRILL, {})
    title = str(title_state.get("value") or "")
    selected = (severity_state.get("selected_option") or {}).get("value")
    severity = Severity.parse(selected) if selected else Severity.SEV2
    drill = bool(drill_state.get("selected_options"))
    return title, severity, drill
