"""Rewriting the clock forms people type into the ones the field reader knows.

Responders write `7.21 pm`, `P.M.`, `16h19`, `0555`, `noon` and `30/11`; dateutil reads
some of them wrongly rather than not at all (`7.21 pm` is 19:00 to it: the minutes are
dropped without a word). So each form is rewritten here, before anything else reads the
text, into one whose meaning is not in doubt (`7:21 pm`, `16:19`, `05:55`, `12:00`,
`30 Nov`). A rewrite happens only where the form can mean one thing; anything that could
be a date or a clock is left for the field reader to refuse.
"""

from __future__ import annotations

import re

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# `P.M.`, `p. m.`, `A.M` -> `pm` / `am`
_DOTTED_AMPM_RE = re.compile(r"(?<![A-Za-z])([AaPp])\.\s?[Mm]\.?(?![A-Za-z])")
# `12 noon`, `noon`, `12 midnight`, `midnight`
_NOON_RE = re.compile(r"(?<![\w:])(?:12\s*)?noon\b", re.IGNORECASE)
_MIDNIGHT_RE = re.compile(r"(?<![\w:])(?:12\s*)?midnight\b", re.IGNORECASE)
# `16h19` (French and West African usage) -> `16:19`
_H_CLOCK_RE = re.compile(r"(?<![\w.:/-])([01]?\d|2[0-3])[hH]([0-5]\d)(?![\w:.])")
# `7.21 pm`, `9.12pm`: a dot between hours and minutes, made certain by am/pm
_DOT_AMPM_RE = re.compile(r"(?<![\w.:/-])(1[0-2]|0?[1-9])\.([0-5]\d)(?=\s?[AaPp][Mm]\b)")
# `19.21`: a dot clock standing alone (no other clock or date in the text)
_DOT_CLOCK_RE = re.compile(r"(?<![\w.:/+-])([01]?\d|2[0-3])\.([0-5]\d)(?![\w.:/])")
# `0555`, `1621` (`1621Z`): a four-digit clock standing alone
_FOUR_DIGIT_RE = re.compile(r"(?<![\w.:/+-])([01]\d|2[0-3])([0-5]\d)(?=Z\b|(?![\w.:/-]))")
# `30/11`, `30.11.2026`: day first, as only a day can be over 12
_DAY_FIRST_RE = re.compile(
    r"(?<![\w.:/-])(1[3-9]|2\d|3[01])([/.])(0?[1-9]|1[0-2])(?:[/.](\d{4}))?(?![\w:/]|\.\d)"
)
_COLON_CLOCK_RE = re.compile(r"\d:\d")
_DIGITS_RE = re.compile(r"\d+")
# Digits that belong to a zone rather than to the date or clock: `UTC+3`, `+05:30`.
_OFFSET_DIGITS_RE = re.compile(r"(?:UTC|GMT|Z)?\s?[+-]\s?\d{1,2}(?::?\d{2})?", re.IGNORECASE)


def normalize_clock(when: str) -> str:
    """`when` with every unambiguous local clock form rewritten; otherwise unchanged."""
    text = _DOTTED_AMPM_RE.sub(lambda m: m.group(1).lower() + "m", when)
    text = _NOON_RE.sub("12:00", text)
    text = _MIDNIGHT_RE.sub("00:00", text)
    text = _H_CLOCK_RE.sub(r"\1:\2", text)
    text = _DOT_AMPM_RE.sub(r"\1:\2", text)
    has_clock = _COLON_CLOCK_RE.search(text) is not None
    text = _DAY_FIRST_RE.sub(lambda m: _day_first(m, has_clock), text)
    if len(_DOT_CLOCK_RE.findall(text)) == 1 and not _COLON_CLOCK_RE.search(text):
        text = _DOT_CLOCK_RE.sub(r"\1:\2", text)
    if _alone(text, _FOUR_DIGIT_RE):
        text = _FOUR_DIGIT_RE.sub(r"\1:\2", text)
    return text


def _day_first(match: re.Match[str], has_clock: bool) -> str:
    """`30/11` -> `30 Nov`. `16.09` alone is a clock (16:09), not the 16th of September:
    with a dot, only a day over 23, a year or another clock makes it a date."""
    day, separator, month, year = (
        match.group(1),
        match.group(2),
        int(match.group(3)),
        match.group(4),
    )
    if separator == "." and year is None and int(day) <= 23 and not has_clock:
        return match.group(0)
    return f"{int(day)} {_MONTHS[month - 1]}" + (f" {year}" if year else "")


def _alone(text: str, pattern: re.Pattern[str]) -> bool:
    """Whether `pattern` matches once and its digits are the only ones outside the zone:
    `1621 EAT` is a clock, while in `Sep 16 2026` the 2026 is a year."""
    found = list(pattern.finditer(text))
    if len(found) != 1:
        return False
    outside = _OFFSET_DIGITS_RE.sub(" ", text[: found[0].start()] + " " + text[found[0].end() :])
    return _DIGITS_RE.search(outside) is None
