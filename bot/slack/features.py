"""The feature areas of the bot. Each module adds its `/incident` subcommands to the
registry and its event, shortcut and action listeners to the app; `app.py` wires them all."""

from __future__ import annotations

from types import ModuleType

from bot.slack.commands import lifecycle


def feature_modules() -> list[ModuleType]:
    return [lifecycle]
