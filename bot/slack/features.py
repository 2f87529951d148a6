"""The feature areas of the bot. Each module in `bot/slack/commands/` is one family of
`/incident` subcommands: it adds them to the registry (`register`), may add event, shortcut
and action listeners (`register_listeners`), and says where its family stands in
`/incident help` (`HELP_ORDER`). They are found here, so a new family is one new file.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from bot.slack import capture, commands

NOT_FAMILIES = {"registry"}


def command_families() -> list[ModuleType]:
    """Every family module, in `/incident help` order."""
    families = []
    for info in pkgutil.iter_modules(commands.__path__):
        if info.name in NOT_FAMILIES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if not hasattr(module, "register") and not hasattr(module, "register_listeners"):
            continue
        order = getattr(module, "HELP_ORDER", None)
        if not isinstance(order, int):
            raise TypeError(f"{module.__name__} must say where it stands in help: HELP_ORDER")
        families.append(module)
    return sorted(families, key=lambda module: (module.HELP_ORDER, module.__name__))


def feature_modules() -> list[ModuleType]:
    """The families, then the listener-only areas (capture by pushpin and shortcut)."""
    return [*command_families(), capture]
