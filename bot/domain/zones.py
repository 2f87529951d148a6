"""Which clock a responder means when they name a zone.

Responders on one call sit in several countries and write times the way they speak:
`6:38 AM PST`, `16:30 CAT`, `America/Los_Angeles`. This module is the one place that says
what each of those names means, so the parser, the timeline and the export agree.

Two decisions shape the table below:

* An abbreviation names a REGION's wall clock (an IANA zone), not a fixed offset. People
  say "PST" all year round; in September the clock on their wall shows PDT (UTC-7), and
  that is the time they read off it. Each entry also records the offset the abbreviation
  literally means (`PST` is UTC-8), so the parser can notice when the two disagree, tell
  the responder which reading it took, and use the literal offset to tell apart the two
  01:30s of a fall-back night.
* Several abbreviations are ambiguous worldwide. warroom picks one reading for each and
  documents it here rather than guessing per message:

  - `CST` is US Central (America/Chicago), not China Standard Time.
  - `IST` is India (Asia/Kolkata), not Ireland or Israel.
  - `MST` is US Mountain as observed in Denver, which has summer time; Arizona keeps
    UTC-7 all year, so a responder there should write `UTC-7` (the parser's note says so).
  - `BST` is British Summer Time (Europe/London), not Bangladesh.
  - `GMT` and `Z` are plain UTC (as in Ghana, Africa/Accra), not London's wall clock; for
    London's summer clock write `BST` or `Europe/London`.
  - `CAT` is Central Africa Time as in Zambia (Africa/Lusaka), where the team sits.

A name that is not in the table and is not an IANA zone is an error. Nothing here ever
falls back to UTC or to the server's zone: a silent guess is an hour-off timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, available_timezones

from bot.domain.errors import InvalidTime


@dataclass(frozen=True)
class Abbreviation:
    """A zone abbreviation: whose wall clock it names, and what offset it literally means.

    `offset` is None for the season-neutral names (`PT`, `ET`, ...), which mean "whatever
    the region's clock shows" and so can never disagree with the season.
    """

    name: str
    zone: str
    region: str
    offset: timedelta | None


def _abbr(name: str, zone: str, region: str, hours: float | None) -> Abbreviation:
    offset = None if hours is None else timedelta(hours=hours)
    return Abbreviation(name=name, zone=zone, region=region, offset=offset)


_TABLE: tuple[Abbreviation, ...] = (
    # North America: the region's clock moves with the season, so the letters S/D matter
    # only to disambiguate a fall-back hour or to flag an out-of-season name.
    _abbr("PST", "America/Los_Angeles", "Pacific time", -8),
    _abbr("PDT", "America/Los_Angeles", "Pacific time", -7),
    _abbr("PT", "America/Los_Angeles", "Pacific time", None),
    _abbr("MST", "America/Denver", "Mountain time", -7),
    _abbr("MDT", "America/Denver", "Mountain time", -6),
    _abbr("MT", "America/Denver", "Mountain time", None),
    _abbr("CST", "America/Chicago", "Central time", -6),
    _abbr("CDT", "America/Chicago", "Central time", -5),
    _abbr("CT", "America/Chicago", "Central time", None),
    _abbr("EST", "America/New_York", "Eastern time", -5),
    _abbr("EDT", "America/New_York", "Eastern time", -4),
    _abbr("ET", "America/New_York", "Eastern time", None),
    # UTC and its aliases. GMT is read as UTC (Ghana's clock), never as London's.
    _abbr("UTC", "UTC", "UTC", 0),
    _abbr("GMT", "UTC", "UTC", 0),
    _abbr("Z", "UTC", "UTC", 0),
    # Europe.
    _abbr("BST", "Europe/London", "UK time", 1),
    _abbr("CET", "Europe/Paris", "Central European time", 1),
    _abbr("CEST", "Europe/Paris", "Central European time", 2),
    # Africa: no summer time in any of these regions today.
    _abbr("WAT", "Africa/Lagos", "West Africa time", 1),
    _abbr("CAT", "Africa/Lusaka", "Central Africa time", 2),
    _abbr("EAT", "Africa/Nairobi", "East Africa time", 3),
    _abbr("SAST", "Africa/Johannesburg", "South Africa time", 2),
    # Asia and Australia.
    _abbr("IST", "Asia/Kolkata", "India time", 5.5),
    _abbr("JST", "Asia/Tokyo", "Japan time", 9),
    _abbr("AEST", "Australia/Sydney", "Sydney time", 10),
    _abbr("AEDT", "Australia/Sydney", "Sydney time", 11),
)

ABBREVIATIONS: Mapping[str, Abbreviation] = MappingProxyType({a.name: a for a in _TABLE})
"""Every abbreviation warroom understands, keyed by its upper-case name."""

# Names zoneinfo offers that must never be accepted: `localtime` is the server's own zone
# (exactly the silent fallback this module refuses) and `Factory` means "no zone set".
_REFUSED_IANA = frozenset({"localtime", "Factory", "posixrules"})

# IANA names that are UTC itself; a rendering beside UTC skips them.
_UTC_ALIASES = frozenset(
    name.casefold()
    for name in (
        "UTC",
        "Etc/UTC",
        "UCT",
        "Etc/UCT",
        "Universal",
        "Etc/Universal",
        "Zulu",
        "Etc/Zulu",
        "GMT",
        "Etc/GMT",
        "GMT0",
        "Etc/GMT0",
        "GMT+0",
        "Etc/GMT+0",
        "GMT-0",
        "Etc/GMT-0",
        "Greenwich",
        "Etc/Greenwich",
        "Z",
    )
)

ZONE_HELP = (
    "Use a zone abbreviation (PST, PT, EST, UTC, BST, CET, WAT, CAT, EAT, SAST, IST, JST, "
    "AEST, ...), an IANA name such as `America/Los_Angeles` or `Africa/Lusaka`, or a fixed "
    "offset such as `UTC-8`."
)


def lookup_abbreviation(name: str) -> Abbreviation | None:
    """The table entry for `name` (any case), or None if it is not an abbreviation we know."""
    return ABBREVIATIONS.get(name.strip().upper())


@cache
def _iana_by_folded_name() -> Mapping[str, str]:
    """Case-folded IANA name -> canonical spelling. Built on first use, not at import."""
    names = available_timezones() - _REFUSED_IANA
    return MappingProxyType({name.casefold(): name for name in names})


def canonical_iana_name(name: str) -> str | None:
    """The IANA spelling of `name` (case-insensitive), or None if zoneinfo has no such zone."""
    return _iana_by_folded_name().get(name.strip().casefold())


def parse_zone(name: str) -> ZoneInfo:
    """Resolve a zone a responder or an operator typed.

    Accepts an IANA name in any case (`america/los_angeles`) and the abbreviations of the
    table above, which win over zoneinfo's legacy names of the same spelling: zoneinfo's
    `EST` is a fixed UTC-5 with no summer time, while warroom's `EST` is New York's wall
    clock, and one word must mean one thing everywhere in warroom.

    Raises InvalidTime for anything else, including the server-dependent `localtime`.
    """
    text = name.strip()
    if not text:
        raise InvalidTime(f"No zone given. {ZONE_HELP}")
    abbreviation = lookup_abbreviation(text)
    if abbreviation is not None:
        return ZoneInfo(abbreviation.zone)
    canonical = canonical_iana_name(text)
    if canonical is None:
        raise InvalidTime(f"`{text}` is not a zone warroom knows. {ZONE_HELP}")
    return ZoneInfo(canonical)


def zone_label(name: str) -> str:
    """The name to show for a zone: the IANA key it resolves to (`PST` -> America/Los_Angeles)."""
    return parse_zone(name).key


def is_utc(name: str) -> bool:
    """True when `name` is UTC itself (UTC, Etc/UTC, GMT, Z, ...), not merely a +0 region.

    Africa/Accra and Europe/London in winter show UTC's digits, but they are regions a
    reader may be in, so they are not UTC here.
    """
    text = name.strip().casefold()
    if text in _UTC_ALIASES:
        return True
    abbreviation = lookup_abbreviation(text)
    return abbreviation is not None and abbreviation.zone == "UTC"


def format_offset(offset: timedelta) -> str:
    """`UTC-7`, `UTC+5:30`, `UTC+0`: how warroom writes a fixed offset, and how it reads one."""
    total_minutes = round(offset.total_seconds() / 60)
    sign = "-" if total_minutes < 0 else "+"
    hours, minutes = divmod(abs(total_minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")
