"""How an instant is shown to people in several timezones.

Instants are stored in UTC; zones are a rendering concern. Every echo of a time shows UTC
beside each team zone and names the weekday wherever the local date differs from UTC's,
so a responder who typed the wrong zone sees "Thu" where they expected "Wed" and catches
it on the spot, instead of in the postmortem.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime

from bot.domain.clock import ensure_utc
from bot.domain.zones import is_utc, parse_zone

SEPARATOR = " · "

# English names, independent of the process locale: strftime's %a/%b follow LC_TIME, and a
# server started with another locale must not change what responders read or paste back.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def weekday_name(day: date) -> str:
    """`Wed`: the short English weekday name."""
    return _WEEKDAYS[day.weekday()]


def month_name(day: date) -> str:
    """`Sep`: the short English month name."""
    return _MONTHS[day.month - 1]


def format_utc(at: datetime) -> str:
    """`2026-09-16 13:38 UTC (Wed)`: the reference line every echo starts with."""
    utc = ensure_utc(at)
    return f"{utc:%Y-%m-%d %H:%M} UTC ({weekday_name(utc)})"


def in_zones(at: datetime, zones: Sequence[str]) -> str:
    """One line with the instant in UTC and in each zone, e.g.

    `2026-09-16 13:38 UTC (Wed) · 06:38 PDT America/Los_Angeles · Thu 00:38 AEST
    Australia/Sydney`.

    A zone that is UTC itself is skipped (it would repeat the first part), and a zone
    named twice is shown once. Zones are read with `parse_zone`, so an unknown one raises
    InvalidTime rather than vanishing from the echo.
    """
    utc = ensure_utc(at)
    parts = [format_utc(utc)]
    seen: set[str] = set()
    for name in zones:
        if is_utc(name):
            continue
        zone = parse_zone(name)
        if zone.key in seen:
            continue
        seen.add(zone.key)
        local = utc.astimezone(zone)
        clock = f"{local:%H:%M}"
        if local.date() != utc.date():
            clock = f"{weekday_name(local)} {clock}"
        parts.append(f"{clock} {local.tzname()} {zone.key}")
    return SEPARATOR.join(parts)


def _escape_slack(text: str) -> str:
    """Slack's three control characters; anything else in message text is literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_date(at: datetime, fallback: str | None = None) -> str:
    """Slack's date token: each reader sees the time in their own Slack timezone.

    The fallback (shown by clients that cannot render the token, and in notifications)
    defaults to the UTC text, so it is never a local time without its zone.
    """
    utc = ensure_utc(at)
    text = fallback if fallback is not None else f"{utc:%Y-%m-%d %H:%M} UTC"
    # The fallback ends the token at `>` and `|` would be read as a separator.
    text = _escape_slack(text).replace("|", "¦")
    return f"<!date^{math.floor(utc.timestamp())}^{{date_short_pretty}} {{time}}|{text}>"


def format_local(at: datetime, zone: str) -> str:
    """`Wed Sep 16 06:38 PDT`: the wall time in `zone`, with the abbreviation in force then.

    The output can be pasted back into `/incident log` and reads as the same instant.
    """
    local = ensure_utc(at).astimezone(parse_zone(zone))
    return f"{weekday_name(local)} {month_name(local)} {local:%d %H:%M} {local.tzname()}"


def day_key(at: datetime, zone: str) -> date:
    """The local calendar day of an instant, for "— Wed Sep 16 —" separators in a timeline."""
    return ensure_utc(at).astimezone(parse_zone(zone)).date()


def humanize_seconds(seconds: float) -> str:
    """A duration for people: `45s`, `12m`, `1h 05m`, `2d 03h`.

    Precision drops as the duration grows because nobody on a call cares about the seconds
    of a two-hour outage. Fractions are truncated, so `59.9` is `59s`, never `1m`. A
    negative duration (a time in the future) gets a leading minus.
    """
    if math.isnan(seconds) or math.isinf(seconds):
        raise ValueError(f"not a duration: {seconds!r}")
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds))
    if total < 60:
        return f"{sign}{total}s"
    minutes, _ = divmod(total, 60)
    if minutes < 60:
        return f"{sign}{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{sign}{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{sign}{days}d {hours:02d}h"
