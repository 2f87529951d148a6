"""Times given relative to now: `now`, `15m ago`, `1h30m ago`, `3 minutes ago`, and the
words people use for them: `just now`, `an hour ago`, `half an hour ago`, `1.5h ago`.

These need no zone and no date, so they are read before anything else and never reach
the clock-time parser. The duration grammar lives here too, because the clock-time
parser must recognise a bare duration (`15m`) to suggest the missing `ago`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

from bot.domain.errors import InvalidTime

_UNITS = (
    ("days", "day", "d"),
    ("hours", "hour", "hrs", "hr", "h"),
    ("minutes", "minute", "mins", "min", "m"),
    ("seconds", "second", "secs", "sec", "s"),
)
_UNIT_RE = "|".join(name for names in _UNITS for name in names)
_DURATION_PART = rf"(\d+(?:\.\d+)?)\s*({_UNIT_RE})(?![a-z])"
_DURATION = rf"(?:{_DURATION_PART}\s*,?\s*(?:and\s+)?)+"
_AGO_RE = re.compile(rf"({_DURATION})ago", re.IGNORECASE | re.ASCII)
_DURATION_ONLY_RE = re.compile(_DURATION, re.IGNORECASE | re.ASCII)
_PART_RE = re.compile(_DURATION_PART, re.IGNORECASE | re.ASCII)
_NOW_WORDS = frozenset({"now", "just now", "right now"})
# Words for amounts, rewritten to digits before the duration grammar reads them. Longest
# first, so `an hour and a half` is not read as `an hour` and a stray `a half`.
_WORD_AMOUNTS = (
    (re.compile(r"\b(?:an|one) hour and a half\b", re.IGNORECASE), "90 minutes"),
    (re.compile(r"\b(\d+) and a half hours?\b", re.IGNORECASE), r"\1.5 hours"),
    (re.compile(r"\bhalf an? hour\b", re.IGNORECASE), "30 minutes"),
    (re.compile(r"\ba quarter of an hour\b", re.IGNORECASE), "15 minutes"),
    (re.compile(r"\b(?:an?|one) (day|hour|minute|second)\b", re.IGNORECASE), r"1 \1"),
)


def is_duration(text: str) -> bool:
    """Whether `text` is a bare duration such as `15m` or `1h 30m` (no `ago`)."""
    return _DURATION_ONLY_RE.fullmatch(text) is not None


def parse_relative(when: str, now: datetime) -> datetime | None:
    """The instant `when` names relative to `now`, or None when it is not relative.

    `when` is already normalised (single spaces, ASCII minus). Text that ends in `ago`
    but is not a duration is refused here rather than handed to the clock-time parser.
    """
    if when.casefold() in _NOW_WORDS:
        return now
    ago = _parse_ago(_amounts_in_digits(when))
    if ago is not None:
        try:
            return now - ago
        except OverflowError:
            raise InvalidTime(f"`{when}` is too far back.") from None
    if when.casefold().endswith(" ago"):
        raise InvalidTime(
            f"Could not read `{when}`: write a number with units, like `90m ago`, "
            "`1.5h ago`, `an hour ago` or `1h30m ago`."
        )
    return None


def _amounts_in_digits(when: str) -> str:
    for pattern, digits in _WORD_AMOUNTS:
        when = pattern.sub(digits, when)
    return when


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
    parts = _PART_RE.findall(match.group(1))
    seconds = sum((Decimal(amount) * _unit_seconds(unit) for amount, unit in parts), Decimal(0))
    try:
        return timedelta(seconds=int(seconds.to_integral_value()))
    except OverflowError:
        raise InvalidTime(f"`{when}` is too far back.") from None
