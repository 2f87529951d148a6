"""Every Slack id the bot builds and handles, named once (views, actions, callbacks)."""

from __future__ import annotations

import enum


class CallbackId(enum.StrEnum):
    DECLARE_MODAL = "declare_modal"
    ADD_TO_TIMELINE = "add_to_timeline"
    UPDATE_MODAL = "update_modal"
    ANALYSIS_MODAL = "analysis_modal"


class BlockId(enum.StrEnum):
    DECLARE_TITLE = "declare_title"
    DECLARE_SEVERITY = "declare_severity"
    DECLARE_DRILL = "declare_drill"
    NUDGE_ACTIONS = "nudge_actions"
    UPDATE_TEXT = "update_text"
    UPDATE_REMINDER_ACTIONS = "update_reminder_actions"
    # One input block per analysis section: "analysis_" + the section's key.
    ANALYSIS_PREFIX = "analysis_"


class ActionId(enum.StrEnum):
    DECLARE_TITLE = "title"
    DECLARE_SEVERITY = "severity"
    DECLARE_DRILL = "drill"
    RUNBOOK_TICK = "runbook_tick"
    NUDGE_RELEASE = "nudge_release_to_standby"
    NUDGE_KEEP = "nudge_keep"
    POSTMORTEM_EXPORT = "postmortem_export"
    UPDATE_TEXT = "update_text"
    UPDATE_REMINDER_OPEN = "update_reminder_open"
    ANALYSIS_TEXT = "analysis_text"
