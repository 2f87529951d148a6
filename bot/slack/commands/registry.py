"""One table of `/incident` subcommands.

Each subcommand is declared once with its words, its usage, who may run it, where it may
run and a one-line description. Parsing, the permission check and `/incident help` all
come from this table, so they cannot drift apart.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.services.context import ServiceContext
from bot.store.models import Incident


class Scope(enum.Enum):
    ANYWHERE = "anywhere"
    INCIDENT = "incident channel"


@dataclass
class Invocation:
    """Who typed what, where. `incident` is filled in for incident-channel commands."""

    user_id: str
    channel_id: str
    args: str
    trigger_id: str | None = None
    response_url: str | None = None
    incident: Incident | None = None


@dataclass
class Reply:
    """The acknowledgement (shown at once) and the work to do after it."""

    text: str | None = None
    blocks: list[Any] | None = None
    in_channel: bool = False
    after: Callable[[], None] | None = None
    # Outbox ids the service queued: the dispatcher delivers them after the ack, then `after`.
    deliver: tuple[int, ...] = ()


Handler = Callable[[ServiceContext, Invocation], Reply]


@dataclass(frozen=True)
class Command:
    words: str
    usage: str
    summary: str
    handler: Handler
    scope: Scope = Scope.INCIDENT
    commander_only: bool = False

    @property
    def word_count(self) -> int:
        return len(self.words.split())


@dataclass
class Registry:
    commands: list[Command] = field(default_factory=list)

    def add(self, *commands: Command) -> None:
        for command in commands:
            if any(c.words == command.words for c in self.commands):
                raise ValueError(f"command {command.words!r} declared twice")
            self.commands.append(command)

    def match(self, text: str) -> tuple[Command, str] | None:
        """Longest words first, so `support open` wins over `support`."""
        tokens = text.split()
        for command in sorted(self.commands, key=lambda c: -c.word_count):
            n = command.word_count
            if [t.lower() for t in tokens[:n]] == command.words.split():
                rest = text.strip()
                for _ in range(n):
                    rest = rest.split(maxsplit=1)[1] if len(rest.split(maxsplit=1)) > 1 else ""
                return command, rest.strip()
        return None

    def help_text(self) -> str:
        lines = ["*warroom: `/incident` commands*", "", "*Anywhere*"]
        for command in self.commands:
            if command.scope is Scope.ANYWHERE:
                lines.append(_help_line(command))
        lines += ["", "*Inside an incident channel*"]
        for command in self.commands:
            if command.scope is Scope.INCIDENT:
                lines.append(_help_line(command))
        lines += [
            "",
            ":crown: = the incident commander or a warroom admin only.",
            "Mention people as @name. Times for `log` may carry a zone: `6:38 AM PST |`, "
            "`16:30 CAT |`, `2026-09-16T13:38Z |`, `15m ago |`.",
        ]
        return "\n".join(lines)


def _help_line(command: Command) -> str:
    crown = " :crown:" if command.commander_only else ""
    return f"• `/incident {command.usage}`{crown}: {command.summary}"
