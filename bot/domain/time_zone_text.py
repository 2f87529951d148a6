"""Finding the zone inside what a responder typed, and resolving it to a clock.

A clock time must name its zone: there is no default, not UTC and not the server's zone.
This module pulls that zone out of the text (an IANA name, a fixed offset or an
abbreviation, glued to the clock time or not) so that the date and clock part can be read
on its own and dateutil never sees a zone. An abbreviation names a region's wall clock
(see `bot.domain.zones`), so the zone keeps both the region and the abbreviation: the
wall-clock rules need the one, and notes about the season need the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidTime
from bot.domain.time_offsets import read_offset
from bot.domain.zones import (
    ZONE_HELP,
    Abbreviation,
    canonical_iana_name,
    lookup_abbreviation,
    lookup_place,
)


@dataclass(frozen=True)
class Zone:
    """The zone part of what a responder typed, resolved."""

    text: str
    clock: tzinfo
    region: ZoneInfo | None = None  # set when the text names a region's wall clock
    abbreviation: Abbreviation | None = None


_IANA_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)+", re.ASCII)
# `13:38Z`, `06:38PDT`, `16:38-07:00`: a zone glued to a clock time gets its own token.
_GLUED_ZONE_RE = re.compile(r"(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?=[A-Za-z+-])", re.ASCII)
# `20260916T1338Z`
_GLUED_Z_RE = re.compile(r"(?<=\d)(?=Z\b)", re.IGNORECASE | re.ASCII)
# `UTC - 8` -> `UTC-8`
_SPACED_OFFSET_RE = re.compile(r"\b(UTC|GMT)\s*([+-])\s*(?=\d)", re.IGNORECASE | re.ASCII)
_ZONE_WRAPPING = "()[],;."


def split_zone(when: str) -> tuple[Zone | None, str]:
    """Take the zone out of `when`; return it and the date/time text that is left."""
    spaced = _SPACED_OFFSET_RE.sub(r"\1\2", when)
    spaced = _GLUED_Z_RE.sub(" ", _GLUED_ZONE_RE.sub(r"\1 ", spaced))
    zones: list[Zone] = []
    rest: list[str] = []
    place, tokens = _take_place(spaced.split())
    if place is not None:
        zones.append(place)
    for token in tokens:
        zone = _zone_of_token(when, token.strip(_ZONE_WRAPPING))
        if zone is None:
            rest.append(token)
        else:
            zones.append(zone)
    if len(zones) > 1:
        named = ", ".join(f"`{zone.text}`" for zone in zones)
        raise InvalidTime(f"`{when}` names more than one zone ({named}): give one.")
    return (zones[0] if zones else None), " ".join(rest)


_MAX_PLACE_WORDS = 3  # `Dar es Salaam`, `Ho Chi Minh`


def _take_place(tokens: list[str]) -> tuple[Zone | None, list[str]]:
    """A place named in words (`Nairobi time`, `New York`, `Central Africa time`,
    `Pacific`) and the tokens left. The longest run of words that names a place wins, so
    `Central Africa time` is Lusaka's clock, not US Central; a `time` after it is part of
    the name."""
    words = [token.strip(_ZONE_WRAPPING) for token in tokens]
    for start in range(len(words)):
        for size in range(min(_MAX_PLACE_WORDS, len(words) - start), 0, -1):
            phrase = words[start : start + size]
            if not all(word.isalpha() for word in phrase):
                continue
            name = lookup_place(" ".join(phrase))
            if name is None:
                continue
            stop = start + size
            if stop < len(words) and words[stop].casefold() == "time":
                stop += 1
            region = ZoneInfo(name)
            text = " ".join(tokens[start:stop]).strip(_ZONE_WRAPPING)
            zone = Zone(text=text, clock=region, region=region)
            return zone, tokens[:start] + tokens[stop:]
    return None, tokens


def _zone_of_token(when: str, token: str) -> Zone | None:
    """The zone a single token names, None if it names none; unknown IANA names raise."""
    if _IANA_TOKEN_RE.fullmatch(token):
        canonical = canonical_iana_name(token)
        if canonical is None:
            raise InvalidTime(f"`{token}` is not a zone warroom knows. {ZONE_HELP}")
        region = ZoneInfo(canonical)
        return Zone(text=token, clock=region, region=region)
    offset = read_offset(when, token)
    if offset is not None:
        return Zone(text=token, clock=offset)
    abbreviation = lookup_abbreviation(token) if token.isalpha() else None
    if abbreviation is None:
        return None
    if abbreviation.zone == "UTC":
        return Zone(text=token, clock=UTC, abbreviation=abbreviation)
    region = ZoneInfo(abbreviation.zone)
    return Zone(text=token, clock=region, region=region, abbreviation=abbreviation)
