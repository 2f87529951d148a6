"""Reading the date and clock part of a time, once its zone has been taken out.

dateutil does the reading, but it is lenient in ways a timeline cannot afford: it skips
words it does not know, fills unstated fields from a default, and picks a side for
`03/04`. So this module refuses what dateutil would skip or misread, and runs dateutil
twice with defaults that differ in every field to learn which fields the responder
actually gave. The result says None wherever they said nothing, for the day-picking rules
to fill in.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import datetime

from dateutil import parser as dateutil_parser
from dateutil.parser import UnknownTimezoneWarning

from bot.domain.errors import InvalidTime
from bot.domain.time_relative import is_duration
from bot.domain.zones import ZONE_HELP


@dataclass(frozen=True)
class Fields:
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
_SIGNED_NUMBER_RE = re.compile(r"[+-]\d.*", re.ASCII)
# `03/04` is 3 April in Lusaka and March 4 in Los Angeles: refuse rather than pick.
_AMBIGUOUS_DATE_RE = re.compile(r"(?<![\d/.\-])(\d{1,2})[/.\-](\d{1,2})(?!\d)", re.ASCII)
# Two defaults that differ in every field: a field the text did not set differs too. Both
# are leap years in 31-day months, so `Feb 29` or `31` fits either.
_DEFAULT_A = datetime(2000, 1, 1, 0, 0, 0, 0)  # noqa: DTZ001 - a template for dateutil
_DEFAULT_B = datetime(2004, 3, 3, 1, 1, 1, 1)  # noqa: DTZ001 - a template for dateutil


def read_fields(when: str, rest: str, zone_found: bool) -> Fields:
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
    return Fields(
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
    if is_duration(rest):
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
    if parsed.tzinfo is not None:  # a zone slipped past split_zone: never trust dateutil's
        raise InvalidTime(f"Could not read the zone in `{when}`. {ZONE_HELP}")
    return parsed
