"""The Slack app manifest declares what the bot handles."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.slack.ids import CallbackId

MANIFEST = Path(__file__).resolve().parent.parent / "slack-app-manifest.yml"


def test_manifest_declares_the_command_shortcut_events_and_scopes() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())

    features = manifest["features"]
    assert [c["command"] for c in features["slash_commands"]] == ["/incident"]
    assert [s["callback_id"] for s in features["shortcuts"]] == [CallbackId.ADD_TO_TIMELINE]
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {
        "reaction_added",
        "member_joined_channel",
        "member_left_channel",
        "message.channels",
    } <= events
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {
        "commands",
        "channels:manage",
        "chat:write",
        "pins:write",
        "users:read",
        "reactions:read",
        "channels:history",
        "im:write",
        "files:write",
    } <= scopes
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
