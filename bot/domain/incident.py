"""Incident states, severities and references."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from bot.domain.errors import UsageError


class Severity(enum.StrEnum):
    SEV1 = "sev1"
    SEV2 = "sev2"
    SEV3 = "sev3"
    SEV4 = "sev4"

    @property
    def label(self) -> str:
        return self.value.upper()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise UsageError(
                f"`{text}` is not a severity. Use one of: sev1, sev2, sev3, sev4."
            ) from None


DEFAULT_SEVERITY = Severity.SEV2


class Status(enum.StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"

    @classmethod
    def parse(cls, text: str) -> Status:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise UsageError(
                f"`{text}` is not a status. Use one of: " + ", ".join(s.value for s in cls) + "."
            ) from None


class Role(enum.StrEnum):
    COMMANDER = "commander"
    SCRIBE = "scribe"
    COMMS = "comms"

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise UsageError(
                f"`{text}` is not a role. Use one of: commander, scribe, comms."
            ) from None


@dataclass(frozen=True)
class IncidentRef:
    """Which incident a command acts on, as the dispatcher found it: enough to check who
    may act and to name it, without carrying a database object past its session."""

    number: int
    channel_id: str | None
    commander_id: str
    is_drill: bool

    @property
    def reference(self) -> str:
        return reference(self.number)


_REFERENCE = re.compile(r"^(?:inc-?)?(\d+)$", re.IGNORECASE)


def reference(number: int) -> str:
    return f"INC-{number}"


def parse_reference(text: str) -> int:
    """`7`, `INC-7` and `inc-7` all name incident 7."""
    match = _REFERENCE.match(text.strip())
    if not match:
        raise UsageError(
            f"`{text}` is not an incident. Give its number (`7`) or reference (`INC-7`)."
        )
    return int(match.group(1))
