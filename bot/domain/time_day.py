"""Which day a clock time falls on when the responder did not say, and saying so.

A time with no date is its most recent occurrence that is not in the future. "Not in the
future" allows the same 5 minutes of clock skew as the future check, so `14:02` typed at
14:00 by someone whose watch runs ahead is today, not yesterday. This module lists the
days a wall time may fall on, newest first, and writes the notes that tell the responder
when the day taken is not the obvious one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from bot.domain.time_fields import Fields
from bot.domain.timefmt import humanize_seconds, month_name, weekday_name


def long_date(day: date) -> str:
    return f"{weekday_name(day)} {month_name(day)} {day.day}"


def candidate_days(fields: Fields, today: date) -> Iterator[date]:
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


def wall_time(day: date, fields: Fields) -> datetime:
    return datetime(  # noqa: DTZ001 - a wall time; resolve_wall gives it its zone
        day.year, day.month, day.day, fields.hour, fields.minute, fields.second, fields.microsecond
    )


def day_notes(
    when: str, fields: Fields, day: date, today: date, at: datetime, now: datetime
) -> list[str]:
    """Say so when the day was inferred to be other than the obvious one."""
    notes = []
    if fields.year is None and fields.month is None and fields.days_back is None:
        if fields.weekday is None and day < today:
            which = "yesterday, " if day == today - timedelta(days=1) else ""
            notes.append(
                f"`{when}` read as {which}{long_date(day)}: the most recent such time "
                "that is not in the future."
            )
        elif fields.weekday is None and day > today:
            notes.append(
                f"`{when}` read as tomorrow, {long_date(day)}: it is within the 5 minutes "
                "of clock skew allowed."
            )
    elif fields.year is None and fields.days_back is None and day.year != today.year:
        notes.append(
            f"`{when}` read as {long_date(day)} {day.year}: the most recent one that is not "
            "in the future."
        )
    ahead = (at - now).total_seconds()
    if ahead >= 60:
        notes.append(
            f"`{when}` is {humanize_seconds(ahead)} ahead of the bot's clock "
            f"({now:%H:%M} UTC); stored as given."
        )
    return notes
