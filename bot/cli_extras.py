"""CLI subcommands of the feature areas: each is a function that adds a subparser."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bot.cli_postmortem import add_postmortem_command
from bot.cli_readiness import add_readiness_command

COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [  # type: ignore[type-arg]
    add_postmortem_command,
    add_readiness_command,
]
