"""How instants and durations read in the export: UTC first, then each team zone.

Zones are a rendering concern: the postmortem stores UTC and the renderer shows every instant
in UTC and in each of the team's IANA zones, with the zone's own abbreviation (PDT, EAT, CAT,
GMT) so a reader in Lusaka and one in Los Angeles read the same line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.errors import InvalidTime

# Names of UTC itself: UTC is always shown, so these add no column.
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"})

# Month names spelled out here rather than by strftime("%b"), which follows the process locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def team_zones(names: Sequence[str]) -> list[ZoneInfo]:
    """The distinct non-UTC zones among `names`, in the order given.

    An unknown name is refused with a message the operator can act on, rather than silently
    dropped: a postmortem missing a team's zone reads wrong to that team.
    """
    zones: list[ZoneInfo] = []
    for raw in names:
        name = raw.strip()
        if not name or name in _UTC_NAMES:
            continue
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidTime(
                f"`{name}` is not an IANA timezone (like `Africa/Nairobi`). "
                "Check WARROOM_TEAM_TIMEZONES."
            ) from None
        if zone not in zones:
            zones.append(zone)
    return zones


def utc_text(value: datetime | None) -> str | None:
    """`2026-09-16 10:20 UTC`, or None when unknown."""
    if value is None:
        return None
    at = value.astimezone(UTC)
    return f"{at:%Y-%m-%d %H:%M} UTC"


def zone_text(value: datetime | None, zone: ZoneInfo) -> str | None:
    """`Sep 16 03:20 PDT`: the date is kept because team zones straddle midnight."""
    if value is None:
        return None
    local = value.astimezone(zone)
    return f"{MONTHS[local.month - 1]} {local.day} {local:%H:%M} {local.tzname()}"


def duration_text(seconds: float | None) -> str | None:
    """`42 min`, `3 h 38 min`, `2 d 4 h`, `45 s`; a negative span reads `-5 min`.

    The document's spelling; chat uses the shorter `bot.domain.timefmt.humanize_seconds`
    (`3h 38m`), where a line must stay short."""
    if seconds is None:
        return None
    sign = "-" if seconds < 0 else ""
    total = round(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        parts = [f"{days} d", f"{hours} h" if hours else ""]
    elif hours:
        parts = [f"{hours} h", f"{minutes} min" if minutes else ""]
    elif minutes:
        parts = [f"{minutes} min"]
    else:
        parts = [f"{secs} s"]
    return sign + " ".join(p for p in parts if p)


def hours_text(hours: float | None) -> str | None:
    """`12.5 h`: two decimals at most, no trailing zeros."""
    if hours is None:
        return None
    return f"{hours:.2f}".rstrip("0").rstrip(".") + " h"
