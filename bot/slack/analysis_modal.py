"""The review form `/incident analysis` opens: the ten sections, prefilled."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.incident import reference
from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.payloads import SlackPayload

_MAX = 3000  # Slack's limit on a plain_text_input


class AnalysisModalMetadata(SlackPayload):
    """What the form carries to its submission (`private_metadata`)."""

    incident: int
    channel_id: str | None = None


def block_id(section: str) -> str:
    return f"{BlockId.ANALYSIS_PREFIX}{section}"


def analysis_modal(
    metadata: AnalysisModalMetadata, titles: Mapping[str, str], values: Mapping[str, str]
) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    for key, title in titles.items():
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": ActionId.ANALYSIS_TEXT,
            "multiline": True,
            "max_length": _MAX,
        }
        if values.get(key):
            element["initial_value"] = values[key][:_MAX]
        blocks.append(
            {
                "type": "input",
                "block_id": block_id(key),
                "optional": True,
                "label": {"type": "plain_text", "text": title},
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": CallbackId.ANALYSIS_MODAL,
        "title": {"type": "plain_text", "text": f"{reference(metadata.incident)} review"[:24]},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": metadata.dump(),
        "blocks": blocks,
    }


def read_analysis_submission(
    values: Mapping[str, Any], sections: Mapping[str, str]
) -> dict[str, str | None]:
    """Every section's text as submitted; None for an emptied one."""
    read: dict[str, str | None] = {}
    for key in sections:
        state = (values.get(block_id(key)) or {}).get(ActionId.ANALYSIS_TEXT) or {}
        text = state.get("value")
        read[key] = str(text) if text else None
    return read
