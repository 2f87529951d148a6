"""Reading the time a responder typed: `/incident log 6:38 AM PST | rolled back`.

A timeline is only worth keeping if every entry sits at the instant it happened, whoever
typed it and wherever they were. So this module is strict where a guess would be silent
and wrong, and explains itself where it has to choose:

* A clock time names its zone, or is read in the sender's own Slack timezone (and the
  reply says so). There is no other default: not UTC, not the server's zone.
* `7.21 pm`, `P.M.`, `16h19`, `0555`, `noon`, `30/11` are rewritten into plain forms
  first (`time_normalize`), and only where they can mean one thing.
* An abbreviation names a region's wall clock (see `bot.domain.zones`), so `PST` in
  September is read as Pacific time, i.e. PDT. When the abbreviation disagrees with the
  season, or several zones share it (`CST`, `IST`), a note says which reading was taken
  and the fixed offset to write instead.
* `UTC-8` means eight hours behind UTC, as people mean it. (dateutil reads POSIX-style
  offsets the other way round; zones never go through dateutil here.)
* A time with no date is its most recent occurrence that is not in the future. "Not in
  the future" allows the same 5 minutes of clock skew as the future check, so `14:02`
  typed at 14:00 by someone whose watch runs ahead is today, not yesterday.
* A wall time that does not exist (spring forward) is read with the offset in force
  before the jump, or with the abbreviation's own offset if one was given (`02:30 PST`);
  one that happens twice (fall back) is the first of the two unless the abbreviation
  picks one (`01:30 PST` is the second). Either way a note says what was taken.
* The result is always an aware datetime in UTC; nothing naive leaves this module.

Every refusal is an `InvalidTime` whose message is written for the responder and shows
the accepted forms.

The pipeline lives here; each step has a module of its own: `time_relative` (`now`,
`15m ago`), `time_zone_text` and `time_offsets` (the zone in the text), `time_fields`
(the date and clock part), `time_day` (which day a dateless time falls on) and
`time_wallclock` (wall time to instant across DST changes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.clock import ensure_utc
from bot.domain.errors import InvalidTime
from bot.domain.time_day import candidate_days, day_notes, wall_time
from bot.domain.time_fields import read_fields
from bot.domain.time_normalize import normalize_clock
from bot.domain.time_relative import parse_relative
from bot.domain.time_wallclock import resolve_wall, stated_readings
from bot.domain.time_zone_text import Zone, split_zone
from bot.domain.timefmt import humanize_seconds, month_name, weekday_name
from bot.domain.zones import canonical_iana_name, format_offset, lookup_abbreviation

SenderZone = Callable[[], str | None]
"""Asked only for a time with no zone: the sender's IANA zone (Slack's `users.info` tz)."""

ACCEPTED_FORMS = (
    "Accepted: `6:38 AM PST`, `06:38 PDT`, `16:30 CAT`, `7.21 pm EAT`, `0555 EAT`, "
    "`1621Z`, `noon Nairobi time`, `9am Pacific`, `30/11 07:30 EAT`, "
    "`Sep 16 06:38 America/Los_Angeles`, `2026-09-16T13:38Z`, `06:38 UTC-8`, "
    "`15m ago`, `an hour ago`, `1.5h ago`, `now`."
)

MAX_FUTURE = timedelta(minutes=5)
"""How far ahead of the bot's clock a time may be: clock skew, not a prediction."""

MAX_WHEN_LENGTH = 100
"""Anything longer is not a time; refusing early keeps the parsers' work bounded."""


@dataclass(frozen=True)
class ParsedTime:
    """An instant a responder gave, and what to tell them about how it was read.

    `at` is aware and in UTC. `notes` are messages for the responder (which reading of
    an ambiguous time was taken, and how to say otherwise). `zone` is the IANA zone the
    time was read in when the responder named a region, so the echo can include it.
    """

    at: datetime
    notes: tuple[str, ...] = ()
    zone: str | None = None


# ---------------------------------------------------------------------------------------
# `/incident log [<when> |] <text>`


def split_when(text: str) -> tuple[str | None, str]:
    """Split `<when> | <text>` into its parts; without a `|` the whole text is the entry.

    Only a `|` outside Slack's `<...>` tokens counts: mentions and links arrive as
    `<@U123|alice>` and `<https://x|label>`, and their bar is not a separator. An empty
    `<when>` (`| text`) means no time was given.
    """
    inside_token = False
    for index, char in enumerate(text):
        if char == "<":
            inside_token = True
        elif char == ">":
            inside_token = False
        elif char == "|" and not inside_token:
            when = text[:index].strip()
            return (when or None), text[index + 1 :].strip()
    return None, text.strip()


# ---------------------------------------------------------------------------------------
# Entry point


def parse_when(text: str, now: datetime, sender_zone: SenderZone | None = None) -> ParsedTime:
    """Read `text` as an instant no later than `now` + 5 minutes.

    `now` must be aware (a naive `now` is a programming error: ValueError). Anything a
    responder typed that cannot be read, or may not be stored, raises InvalidTime.
    `sender_zone` is called only when the text names no zone.
    """
    now = ensure_utc(now)
    try:
        return _parse(text, now, sender_zone)
    except InvalidTime as error:
        raise InvalidTime(f"{error.user_message} {ACCEPTED_FORMS}") from None


def _parse(text: str, now: datetime, sender_zone: SenderZone | None) -> ParsedTime:
    when = " ".join(text.split())
    if not when:
        raise InvalidTime("No time given.")
    if len(when) > MAX_WHEN_LENGTH:
        raise InvalidTime(
            f"`{when[:40]}...` is too long to be a time. Did you mean to put the entry after a `|`?"
        )
    when = when.replace("\u2212", "-")  # a typographic minus, as some keyboards send
    relative = parse_relative(when, now)
    if relative is not None:
        return ParsedTime(at=relative)
    return _parse_clock_time(when, now, sender_zone)


# ---------------------------------------------------------------------------------------
# A clock time: zone, then fields, then the most recent day it fits, then the instant


def _parse_clock_time(when: str, now: datetime, sender_zone: SenderZone | None) -> ParsedTime:
    zone, rest = split_zone(normalize_clock(when))
    fields = read_fields(when, rest, zone is not None)
    zone_notes: list[str] = []
    if zone is None:
        zone = _sender_zone(when, rest, sender_zone)
        zone_notes.append("")  # filled in once the instant is known
    limit = now + MAX_FUTURE
    today = now.astimezone(zone.clock).date()
    explicit_day = fields.year is not None or fields.days_back is not None
    try:
        for day in candidate_days(fields, today):
            at, notes = resolve_wall(wall_time(day, fields), zone, rest)
            if at <= limit:
                break
            if explicit_day:
                raise InvalidTime(
                    f"`{when}` is {humanize_seconds((at - now).total_seconds())} after now "
                    f"({now:%Y-%m-%d %H:%M} UTC). A timeline entry can't be in the future: "
                    f"check the zone, or leave the time out to log it now."
                )
        else:
            raise InvalidTime(f"`{when}` matches no recent day.")
    except (OverflowError, ValueError) as error:  # dates at the edge of datetime's range
        raise InvalidTime(f"`{when}` is out of range.") from error
    if fields.weekday is not None and day.weekday() != fields.weekday:
        raise InvalidTime(
            f"`{when}`: {month_name(day)} {day.day} {day.year} is a {weekday_name(day)}, "
            f"not a {weekday_name(date(2024, 1, 1) + timedelta(days=fields.weekday))}."
        )
    if zone_notes:
        notes.insert(0, _sender_zone_note(when, rest, zone, at))
    notes.extend(stated_readings(zone, wall_time(day, fields), at, rest))
    notes.extend(day_notes(when, fields, day, today, at, now))
    region = zone.region.key if zone.region is not None else None
    return ParsedTime(at=at, notes=tuple(notes), zone=region)


def _sender_zone(when: str, rest: str, sender_zone: SenderZone | None) -> Zone:
    """The zone of a time that names none: the sender's Slack timezone, if known."""
    name = sender_zone() if sender_zone is not None else None
    canonical = canonical_iana_name(name) if name else None
    if canonical is None or lookup_abbreviation(canonical) is not None:
        raise InvalidTime(
            f"`{when}` has no zone, and warroom won't guess one: your Slack profile has no "
            f"timezone it knows. Add it: `{rest} PDT`, `{rest} CAT`, `{rest} UTC` or "
            f"`{rest} UTC-8`."
        )
    region = ZoneInfo(canonical)
    return Zone(text=canonical, clock=region, region=region)


def _sender_zone_note(when: str, rest: str, zone: Zone, at: datetime) -> str:
    local = at.astimezone(zone.clock)
    offset = format_offset(local.utcoffset() or timedelta())
    return (
        f"`{when}` has no zone: read in your Slack timezone, {zone.text} ({local.tzname()}, "
        f"{offset} then). To give another, add it (`{rest} EAT`); for a fixed offset write "
        f"`{rest} {offset}`."
    )
