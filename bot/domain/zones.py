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
* Several abbreviations are ambiguous worldwide. warroom picks one reading for each,
  documents it in `bot.domain.zone_table` (with the other readings) and says in every
  reply which one it took, with the fixed offset to write for the others:

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
from datetime import UTC, datetime, timedelta
from functools import cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, available_timezones

from bot.domain.errors import InvalidTime
from bot.domain.zone_table import ABBREVIATION_ROWS, PLACE_WORDS, Row


@dataclass(frozen=True)
class Abbreviation:
    """A zone abbreviation: whose wall clock it names, and what offset it literally means.

    `offset` is None for the season-neutral names (`PT`, `ET`, ...), which mean "whatever
    the region's clock shows" and so can never disagree with the season. `source` says
    where the meaning comes from (`tzdata` or `usage`, see `bot.domain.zone_table`);
    `also` names the other zones people mean by the same letters, as (name, IANA zone).
    """

    name: str
    zone: str
    region: str
    offset: timedelta | None
    source: str = "tzdata"
    also: tuple[tuple[str, str], ...] = ()


def _abbreviation(row: Row) -> Abbreviation:
    name, zone, region, hours, source, also = row
    offset = None if hours is None else timedelta(hours=hours)
    return Abbreviation(name, zone, region, offset, source, also)


_TABLE: tuple[Abbreviation, ...] = tuple(_abbreviation(row) for row in ABBREVIATION_ROWS)

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
    "Use a zone abbreviation (PST, PT, EST, AKST, HST, UTC, BST, CET, EET, MSK, WAT, CAT, "
    "EAT, SAST, IST, PKT, SGT, HKT, KST, JST, AWST, AEST, NZST, ...), a place (`Nairobi "
    "time`, `Pacific`), an IANA name such as `America/Los_Angeles` or `Africa/Lusaka`, or "
    "a fixed offset such as `UTC-8`."
)


def lookup_abbreviation(name: str) -> Abbreviation | None:
    """The table entry for `name` (any case), or None if it is not an abbreviation we know."""
    return ABBREVIATIONS.get(name.strip().upper())


@cache
def _iana_by_folded_name() -> Mapping[str, str]:
    """Case-folded IANA name -> canonical spelling. Built on first use, not at import."""
    names = available_timezones() - _REFUSED_IANA
    return MappingProxyType({name.casefold(): name for name in names})


_IANA_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)


# tzdata's backward-compatible `Australia/West`, `Australia/North`...: compass words, not
# places anyone names a clock by.
_NOT_PLACES = frozenset({"north", "south", "east", "west", "acre", "yukon"})


@cache
def _places() -> Mapping[str, str]:
    """Place word (case-folded, spaces for underscores) -> IANA zone. Built on first use.

    tzdata's own city names (`Nairobi`, `New York`, `Buenos Aires`) come first; a city
    name that two different zones share is left out rather than guessed. The usage words
    of `zone_table.PLACE_WORDS` (`Pacific`, `Eastern`, `Beijing`) win over tzdata's.
    """
    seen: dict[str, set[str]] = {}
    for name in _iana_by_folded_name().values():
        area, _, city = name.rpartition("/")
        if area.split("/")[0] not in _IANA_AREAS:
            continue
        word = city.replace("_", " ").casefold()
        if word in _NOT_PLACES or word.upper() in ABBREVIATIONS:
            continue
        seen.setdefault(word, set()).add(name)
    places = {word: min(zones) for word, zones in seen.items() if _same_clock(zones)}
    places.update(PLACE_WORDS)
    return MappingProxyType(places)


_SAMPLES = tuple(
    datetime(year, month, 15, tzinfo=UTC) for year in range(2020, 2031) for month in (1, 7)
)


def _same_clock(zones: set[str]) -> bool:
    """Whether every zone named by one city word keeps the same clock (tzdata aliases such
    as America/Indianapolis and America/Indiana/Indianapolis do)."""
    if len(zones) == 1:
        return True
    clocks = {tuple(at.astimezone(ZoneInfo(z)).utcoffset() for at in _SAMPLES) for z in zones}
    return len(clocks) == 1


def lookup_place(words: str) -> str | None:
    """The IANA zone of a place word (`nairobi`, `new york`, `pacific`), or None."""
    return _places().get(" ".join(words.split()).casefold())


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
