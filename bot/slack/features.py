"""The feature areas of the bot. Each module adds its `/incident` subcommands to the
registry and its event, shortcut and action listeners to the app; `app.py` wires them all."""

from __future__ import annotations

from types import ModuleType

from bot.slack import capture
from bot.slack.commands import lifecycle
from bot.slack.commands import postmortem as postmortem_commands
from bot.slack.commands import readiness as readiness_commands
from bot.slack.commands import review as review_commands
from bot.slack.commands import roster as roster_commands
from bot.slack.commands import runbooks as runbook_commands
from bot.slack.commands import support as support_commands
from bot.slack.commands import timeline as timeline_commands


def feature_modules() -> list[ModuleType]:
    """In the order `/incident help` lists them: the incident, then what happened, who is
    on it, AWS, runbooks and the write-up."""
    return [
        lifecycle,
        timeline_commands,
        capture,
        roster_commands,
        support_commands,
        runbook_commands,
        review_commands,
        postmortem_commands,
        readiness_commands,
    ]
