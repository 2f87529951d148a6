"""Reading the time a responder typed: `/incident log 6:38 AM PST | rolled back`.

A timeline is only worth keeping if every entry sits at the instant it happened, whoever
typed it and wherever they were. So this module is strict where a guess would be silent
and wrong, and explains itself where it has to choose:

* A clock time must name its zone. There is no default: not UTC, not the server's zone.
* An abbreviation names a region's wall clock (see `bot.domain.zones`), so `PST` in
  September is read as Pacific time, i.e. PDT. When the abbreviation disagrees with the
  season, a note says which reading was taken and how to write a fixed offset instead.
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
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser
from dateutil.parser import UnknownTimezoneWarning

from bot.domain.clock import ensure_utc
from bot.domain.errors import InvalidTime
from bot.domain.timefmt import humanize_seconds, month_name, weekday_name
from bot.domain.zones import (
    ZONE_HELP,
    Abbreviation,
    canonical_iana_name,
    format_offset,
    lookup_abbreviation,
)

ACCEPTED_FORMS = (
    "Accepted: `6:38 AM PST`, `06:38 PDT`, `16:30 CAT`, "
    "`Sep 16 06:38 America/Los_Angeles`, `2026-09-16T13:38Z`, `06:38 UTC-8`, "
    "`15m ago`, `2h ago`, `now`."
)

MAX_FUTURE = timedelta(minutes=5)
"""How far ahead of the bot's clock a time may be: clock skew, not a prediction."""

MAX_WHEN_LENGTH = 100
"""Anything longer is not a time; refusing early keeps the parsers' work bounded."""

_MAX_OFFSET = timedelta(hours=14)  # UTC-12 .. UTC+14 are the offsets in use on Earth.

_FULL_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


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


def parse_when(text: str, now: datetime) -> ParsedTime:
    """Read `text` as an instant no later than `now` + 5 minutes.

    `now` must be aware (a naive `now` is a programming error: ValueError). Anything a
    responder typed that cannot be read, or may not be stored, raises InvalidTime.
    """
    now = ensure_utc(now)
    try:
        return _parse(text, now)
    except InvalidTime as error:
        raise InvalidTime(f"{error.user_message} {ACCEPTED_FORMS}") from None


def _parse(text: str, now: datetime) -> ParsedTime:
    when = " ".join(text.split())
    if not when:
        raise InvalidTime("No time given.")
    if len(when) > MAX_WHEN_LENGTH:
        raise InvalidTime(
            f"`{when[:40]}...` is too long to be a time. Did you mean to put the entry after a `|`?"
        )
    when = when.replace("\u2212", "-")  # a typographic minus, as some keyboards send
    if when.casefold() == "now":
        return ParsedTime(at=now)
    ago = _parse_ago(when)
    if ago is not None:
        try:
            return ParsedTime(at=now - ago)
        except OverflowError:
            raise InvalidTime(f"`{when}` is too far back.") from None
    if when.casefold().endswith(" ago"):
        raise InvalidTime(
            f"Could not read `{when}`: write whole numbers with units, like `90m ago` or "
            "`1h30m ago`."
        )
    return _parse_clock_time(when, now)


# ---------------------------------------------------------------------------------------
# `15m ago`, `1h30m ago`, `3 minutes ago`

_UNITS = (
    ("days", "day", "d"),
    ("hours", "hour", "hrs", "hr", "h"),
    ("minutes", "minute", "mins", "min", "m"),
    ("seconds", "second", "secs", "sec", "s"),
)
_UNIT_RE = "|".join(name for names in _UNITS for name in names)
_DURATION_PART = rf"(\d+)\s*({_UNIT_RE})(?![a-z])"
_DURATION = rf"(?:{_DURATION_PART}\s*,?\s*(?:and\s+)?)+"
_AGO_RE = re.compile(rf"({_DURATION})ago", re.IGNORECASE | re.ASCII)
_DURATION_ONLY_RE = re.compile(_DURATION, re.IGNORECASE | re.ASCII)
_PART_RE = re.compile(_DURATION_PART, re.IGNORECASE | re.ASCII)


def _unit_seconds(unit: str) -> int:
    unit = unit.casefold()
    for names, seconds in zip(_UNITS, (86400, 3600, 60, 1), strict=True):
        if unit in names:
            return seconds
    raise AssertionError(f"unit {unit!r} matched the pattern but is not in _UNITS")


def _parse_ago(when: str) -> timedelta | None:
    """The duration of `<duration> ago`, or None when `when` is not of that form."""
    match = _AGO_RE.fullmatch(when)
    if match is None:
        return None
    seconds = sum(
        int(amount) * _unit_seconds(unit) for amount, unit in _PART_RE.findall(match.group(1))
    )
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise InvalidTime(f"`{when}` is too far back.") from None


# ---------------------------------------------------------------------------------------
# Zones inside the text


@dataclass(frozen=True)
class _Zone:
    """The zone part of what a responder typed, resolved."""

    text: str
    clock: tzinfo
    region: ZoneInfo | None = None  # set when the text names a region's wall clock
    abbreviation: Abbreviation | None = None


_IANA_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)+", re.ASCII)
_PREFIXED_OFFSET_RE = re.compile(
    r"(?:UTC|GMT|Z)([+-])(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE | re.ASCII
)
_BARE_OFFSET_RE = re.compile(r"([+-])(\d{2}):?(\d{2})", re.ASCII)
_SIGNED_NUMBER_RE = re.compile(r"[+-]\d.*", re.ASCII)
# `13:38Z`, `06:38PDT`, `16:38-07:00`: a zone glued to a clock time gets its own token.
_GLUED_ZONE_RE = re.compile(r"(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?=[A-Za-z+-])", re.ASCII)
# `20260916T1338Z`
_GLUED_Z_RE = re.compile(r"(?<=\d)(?=Z\b)", re.IGNORECASE | re.ASCII)
# `UTC - 8` -> `UTC-8`
_SPACED_OFFSET_RE = re.compile(r"\b(UTC|GMT)\s*([+-])\s*(?=\d)", re.IGNORECASE | re.ASCII)
_ZONE_WRAPPING = "()[],;."


def _fixed_offset(when: str, token: str, sign: str, hours: str, minutes: str | None) -> _Zone:
    if minutes is not None and int(minutes) >= 60:
        raise InvalidTime(f"`{token}` in `{when}` is not an offset. {ZONE_HELP}")
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if offset > _MAX_OFFSET:
        raise InvalidTime(
            f"`{token}` in `{when}` is not an offset in use anywhere "
            f"(they run from UTC-12 to UTC+14)."
        )
    return _Zone(text=token, clock=timezone(-offset if sign == "-" else offset))


def _zone_of_token(when: str, token: str) -> _Zone | None:
    """The zone a single token names, None if it names none; unknown IANA names raise."""
    if _IANA_TOKEN_RE.fullmatch(token):
        canonical = canonical_iana_name(token)
        if canonical is None:
            raise InvalidTime(f"`{token}` is not a zone warroom knows. {ZONE_HELP}")
        region = ZoneInfo(canonical)
        return _Zone(text=token, clock=region, region=region)
    match = _PREFIXED_OFFSET_RE.fullmatch(token) or _BARE_OFFSET_RE.fullmatch(token)
    if match is not None:
        return _fixed_offset(when, token, *match.groups())
    abbreviation = lookup_abbreviation(token) if token.isalpha() else None
    if abbreviation is None:
        return None
    if abbreviation.zone == "UTC":
        return _Zone(text=token, clock=UTC)
    region = ZoneInfo(abbreviation.zone)
    return _Zone(text=token, clock=region, region=region, abbreviation=abbreviation)


def _split_zone(when: str) -> tuple[_Zone | None, str]:
    """Take the zone out of `when`; return it and the date/time text that is left."""
    spaced = _SPACED_OFFSET_RE.sub(r"\1\2", when)
    spaced = _GLUED_Z_RE.sub(" ", _GLUED_ZONE_RE.sub(r"\1 ", spaced))
    zones: list[_Zone] = []
    rest: list[str] = []
    for token in spaced.split():
        zone = _zone_of_token(when, token.strip(_ZONE_WRAPPING))
        if zone is None:
            rest.append(token)
        else:
            zones.append(zone)
    if len(zones) > 1:
        named = ", ".join(f"`{zone.text}`" for zone in zones)
        raise InvalidTime(f"`{when}` names more than one zone ({named}): give one.")
    return (zones[0] if zones else None), " ".join(rest)


# ---------------------------------------------------------------------------------------
# The date and clock part


@dataclass(frozen=True)
class _Fields:
    """What the responder said about the date and the clock; None where they said nothing."""

    hour: int
    minute: int
    second: int
    microsecond: int
    year: int | None
    month: int | None
    day: int | None
    weekday: int | None
    days_back: int | None  # 0 for "today", 1 for "yesterday"


_INFO = dateutil_parser.parserinfo()
_RELATIVE_DAYS = {"today": 0, "yesterday": 1}
# `03/04` is 3 April in Lusaka and March 4 in Los Angeles: refuse rather than pick.
_AMBIGUOUS_DATE_RE = re.compile(r"(?<![\d/.\-])(\d{1,2})[/.\-](\d{1,2})(?!\d)", re.ASCII)
# Two defaults that differ in every field: a field the text did not set differs too. Both
# are leap years in 31-day months, so `Feb 29` or `31` fits either.
_DEFAULT_A = datetime(2000, 1, 1, 0, 0, 0, 0)  # noqa: DTZ001 - a template for dateutil
_DEFAULT_B = datetime(2004, 3, 3, 1, 1, 1, 1)  # noqa: DTZ001 - a template for dateutil


def _is_date_word(word: str) -> bool:
    return (
        _INFO.jump(word)
        or _INFO.month(word) is not None
        or _INFO.weekday(word) is not None
        or _INFO.ampm(word) is not None
        or word.casefold() in _RELATIVE_DAYS
    )


def _check_words(when: str, rest: str, zone_found: bool) -> None:
    """Refuse words dateutil would skip or misread.

    With no zone found yet, an unknown word next to a clock time is most likely a zone
    warroom does not know (`6:38 HST`), and the message says so.
    """
    if _DURATION_ONLY_RE.fullmatch(rest):
        raise InvalidTime(f"`{when}` is a duration: did you mean `{when} ago`?")
    zone_like = not zone_found and any(char.isdigit() for char in when)
    for word in re.findall(r"[A-Za-z]+", rest):
        if _is_date_word(word):
            continue
        if zone_like:
            raise InvalidTime(f"`{word}` in `{when}` is not a zone warroom knows. {ZONE_HELP}")
        raise InvalidTime(f"Could not read `{when}` as a time (`{word}`?).")
    for token in rest.split():
        if _SIGNED_NUMBER_RE.fullmatch(token):
            raise InvalidTime(f"`{token}` in `{when}` is not an offset: write `UTC-8` or `-08:00`.")
    for first, second in _AMBIGUOUS_DATE_RE.findall(rest):
        if first != second and int(first) <= 12 and int(second) <= 12:
            raise InvalidTime(
                f"`{first}/{second}` in `{when}` could be day/month or month/day. Write the "
                "month as a word (`Sep 16`) or the date as `2026-09-16`."
            )


def _run_dateutil(when: str, text: str, default: datetime) -> datetime:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UnknownTimezoneWarning)
            parsed = dateutil_parser.parse(text, default=default)
    except (ValueError, OverflowError, UnknownTimezoneWarning):
        raise InvalidTime(f"Could not read `{when}` as a time.") from None
    if parsed.tzinfo is not None:  # a zone slipped past _split_zone: never trust dateutil's
        raise InvalidTime(f"Could not read the zone in `{when}`. {ZONE_HELP}")
    return parsed


def _read_fields(when: str, rest: str, zone_found: bool) -> _Fields:
    """The date/time fields of `rest` (the text without its zone)."""
    _check_words(when, rest, zone_found)
    weekday: int | None = None
    days_back: int | None = None
    kept: list[str] = []
    for token in rest.split():
        word = token.strip(",.").casefold()
        if word in _RELATIVE_DAYS:
            days_back = _RELATIVE_DAYS[word]
        elif word.isalpha() and _INFO.weekday(word) is not None:
            weekday = _INFO.weekday(word)
        else:
            kept.append(token)
    text = " ".join(kept)
    if not text.strip(" ,."):
        raise InvalidTime(f"`{when}` has no clock time.")
    a = _run_dateutil(when, text, _DEFAULT_A)
    b = _run_dateutil(when, text, _DEFAULT_B)
    if a.hour != b.hour:
        raise InvalidTime(f"`{when}` has no clock time.")
    year = a.year if a.year == b.year else None
    month = a.month if a.month == b.month else None
    day = a.day if a.day == b.day else None
    if (year is not None and month is None) or (month is None) != (day is None):
        raise InvalidTime(
            f"`{when}` gives part of a date. Give the month and day (`Sep 16 06:38 PDT`), "
            f"the full date (`2026-09-16 06:38 PDT`), or only the time."
        )
    if days_back is not None and day is not None:
        raise InvalidTime(f"`{when}` gives two dates: give one.")
    return _Fields(
        hour=a.hour,
        minute=a.minute if a.minute == b.minute else 0,
        second=a.second if a.second == b.second else 0,
        microsecond=a.microsecond if a.microsecond == b.microsecond else 0,
        year=year,
        month=month,
        day=day,
        weekday=weekday,
        days_back=days_back,
    )


# ---------------------------------------------------------------------------------------
# From wall time to instant


def _long_date(day: date) -> str:
    return f"{weekday_name(day)} {month_name(day)} {day.day}"


def _resolve_wall(wall: datetime, zone: _Zone, time_text: str) -> tuple[datetime, list[str]]:
    """The UTC instant of a naive wall time in `zone`, with notes on any choice made."""
    if zone.region is None:
        return wall.replace(tzinfo=zone.clock).astimezone(UTC), []
    region = zone.region
    where = zone.abbreviation.region if zone.abbreviation else region.key
    literal = zone.abbreviation.offset if zone.abbreviation else None
    first = wall.replace(tzinfo=region, fold=0)
    second = wall.replace(tzinfo=region, fold=1)
    first_offset, second_offset = first.utcoffset(), second.utcoffset()
    if first_offset == second_offset:
        notes = []
        if literal is not None and literal != first_offset:
            notes.append(
                f"`{zone.text}` in {_FULL_MONTHS[wall.month - 1]}: read as {where}, which "
                f"is {first.tzname()} ({format_offset(first_offset)}) then. For a fixed "
                f"{format_offset(literal)} write `{time_text} {format_offset(literal)}`."
            )
        return first.astimezone(UTC), notes
    exists = first.astimezone(UTC).astimezone(region).replace(tzinfo=None) == wall
    clock = f"{wall:%H:%M}"
    if not exists:  # spring forward: this wall time was skipped
        offset = literal if literal is not None else first_offset
        at = wall.replace(tzinfo=timezone(offset)).astimezone(UTC)
        how = "as written" if literal is not None else "with the offset before the jump"
        return at, [
            f"{clock} did not exist in {where} on {_long_date(wall)}: the clocks jumped "
            f"forward. Read {how}, {format_offset(offset)}: {at:%H:%M} UTC, which is "
            f"{at.astimezone(region):%H:%M %Z} there."
        ]
    # Fall back: this wall time happened twice. A literal abbreviation says which.
    if literal == first_offset:
        return first.astimezone(UTC), []
    if literal == second_offset:
        return second.astimezone(UTC), []
    at = first.astimezone(UTC)
    return at, [
        f"{clock} happened twice in {where} on {_long_date(wall)}: the clocks went back. "
        f"Read as the first, {clock} {first.tzname()} ({at:%H:%M} UTC). For the second "
        f"write `{time_text} {format_offset(second_offset)}`."
    ]


def _candidate_days(fields: _Fields, today: date) -> Iterator[date]:
    """Days the wall time may fall on, newest first."""
    if fields.year is not None and fields.month is not None and fields.day is not None:
        yield date(fields.year, fields.month, fields.day)
    elif fields.days_back is not None:
        yield today - timedelta(days=fields.days_back)
    elif fields.month is not None and fields.day is not None:
        for year in range(today.year + 1, today.year - 9, -1):  # Feb 29 recurs within 8
            try:
                yield date(year, fields.month, fields.day)
            except ValueError:
                continue
    else:  # a clock time, maybe with a weekday: today, tomorrow (skew) or a day before
        for back in range(-1, 9):
            day = today - timedelta(days=back)
            if fields.weekday is None or day.weekday() == fields.weekday:
                yield day


def _wall_time(day: date, fields: _Fields) -> datetime:
    return datetime(  # noqa: DTZ001 - a wall time; _resolve_wall gives it its zone
        day.year, day.month, day.day, fields.hour, fields.minute, fields.second, fields.microsecond
    )


def _parse_clock_time(when: str, now: datetime) -> ParsedTime:
    zone, rest = _split_zone(when)
    fields = _read_fields(when, rest, zone is not None)
    if zone is None:
        raise InvalidTime(
            f"`{when}` has no zone, and warroom won't guess one. Add it: `{rest} PDT`, "
            f"`{rest} CAT`, `{rest} UTC` or `{rest} UTC-8`."
        )
    limit = now + MAX_FUTURE
    today = now.astimezone(zone.clock).date()
    explicit_day = fields.year is not None or fields.days_back is not None
    try:
        for day in _candidate_days(fields, today):
            at, notes = _resolve_wall(_wall_time(day, fields), zone, rest)
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
    notes.extend(_day_notes(when, fields, day, today, at, now))
    region = zone.region.key if zone.region is not None else None
    return ParsedTime(at=at, notes=tuple(notes), zone=region)


def _day_notes(
    when: str, fields: _Fields, day: date, today: date, at: datetime, now: datetime
) -> list[str]:
    """Say so when the day was inferred to be other than the obvious one."""
    notes = []
    if fields.year is None and fields.month is None and fields.days_back is None:
        if fields.weekday is None and day < today:
            which = "yesterday, " if day == today - timedelta(days=1) else ""
            notes.append(
                f"`{when}` read as {which}{_long_date(day)}: the most recent such time "
                "that is not in the future."
            )
        elif fields.weekday is None and day > today:
            notes.append(
                f"`{when}` read as tomorrow, {_long_date(day)}: it is within the 5 minutes "
                "of clock skew allowed."
            )
    elif fields.year is None and fields.days_back is None and day.year != today.year:
        notes.append(
            f"`{when}` read as {_long_date(day)} {day.year}: the most recent one that is not "
            "in the future."
        )
    ahead = (at - now).total_seconds()
    if ahead >= 60:
        notes.append(
            f"`{when}` is {humanize_seconds(ahead)} ahead of the bot's clock "
            f"({now:%H:%M} UTC); stored as given."
        )
    return notes
