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


# Each Web API method the bot calls, and the bot scopes it needs (Slack's method docs).
# A method the code starts calling must be added here with its scope, and to the manifest.
METHOD_SCOPES: dict[str, set[str]] = {
    "auth_test": set(),
    "chat_getPermalink": set(),
    "chat_postEphemeral": {"chat:write"},
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "conversations_create": {"channels:manage"},
    "conversations_history": {"channels:history"},
    "conversations_info": {"channels:read"},
    "conversations_list": {"channels:read"},
    "conversations_setPurpose": {"channels:manage"},
    "conversations_invite": {"channels:manage"},
    "conversations_open": {"im:write"},
    "conversations_replies": {"channels:history"},
    "files_upload_v2": {"files:write"},
    "pins_add": {"pins:write"},
    "users_info": {"users:read"},
    "views_open": set(),
}
EVENT_SCOPES = {
    "member_joined_channel": {"channels:read"},
    "member_left_channel": {"channels:read"},
    "message.channels": {"channels:history"},
    "reaction_added": {"reactions:read"},
}
# Slash commands and shortcuts.
FEATURE_SCOPES = {"commands"}
CODE = Path(__file__).resolve().parent.parent / "bot"


def _web_api_methods_called() -> set[str]:
    """`client.<method>(...)`, `self.client.<method>(...)` and `self._call("<method>", ...)`
    in the code that talks to Slack, where <method> is a slack_sdk WebClient method."""
    import ast

    from slack_sdk import WebClient

    called: set[str] = set()
    for path in [*(CODE / "slack").rglob("*.py"), *(CODE / "app").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name = node.func.attr
            if name == "_call" and node.args and isinstance(node.args[0], ast.Constant):
                called.add(str(node.args[0].value))
            elif (
                hasattr(WebClient, name)
                and not name.startswith("_")
                and name not in ("api_call", "get_paginator")
                and "client" in ast.unparse(node.func.value)
            ):
                called.add(name)
    return called


def test_the_manifest_asks_only_for_the_scopes_the_code_uses() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    called = _web_api_methods_called()
    assert {"chat_postMessage", "conversations_create", "pins_add"} <= called  # the scan works
    unknown = called - set(METHOD_SCOPES)
    assert not unknown, f"add these Web API methods and their scopes to METHOD_SCOPES: {unknown}"

    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    needed = set(FEATURE_SCOPES)
    for method in called:
        needed |= METHOD_SCOPES[method]
    for event in events:
        needed |= EVENT_SCOPES[event]

    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed
    assert "chat:write.public" not in needed and not any(s.startswith("groups:") for s in needed)
