"""Fixed UTC offsets a responder typed: `UTC-8`, `GMT+3`, `UTC+05:30`, `-07:00`, `Z+2`.

`UTC-8` means eight hours behind UTC, as people mean it. dateutil reads POSIX-style
offsets the other way round (`UTC-8` as UTC+8), so offsets are read here and zones never
go through dateutil. Offsets are also checked against the range in use on Earth, so a
typo such as `UTC+30` is refused rather than stored.
"""

from __future__ import annotations

import re
from datetime import timedelta, timezone

from bot.domain.errors import InvalidTime
from bot.domain.zones import ZONE_HELP

_MAX_OFFSET = timedelta(hours=14)  # UTC-12 .. UTC+14 are the offsets in use on Earth.

_PREFIXED_OFFSET_RE = re.compile(
    r"(?:UTC|GMT|Z)([+-])(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE | re.ASCII
)
_BARE_OFFSET_RE = re.compile(r"([+-])(\d{2}):?(\d{2})", re.ASCII)


def read_offset(when: str, token: str) -> timezone | None:
    """The fixed offset `token` names, None if it is not an offset; bad offsets raise."""
    match = _PREFIXED_OFFSET_RE.fullmatch(token) or _BARE_OFFSET_RE.fullmatch(token)
    if match is None:
        return None
    return _fixed_offset(when, token, *match.groups())


def _fixed_offset(when: str, token: str, sign: str, hours: str, minutes: str | None) -> timezone:
    if minutes is not None and int(minutes) >= 60:
        raise InvalidTime(f"`{token}` in `{when}` is not an offset. {ZONE_HELP}")
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if offset > _MAX_OFFSET:
        raise InvalidTime(
            f"`{token}` in `{when}` is not an offset in use anywhere "
            f"(they run from UTC-12 to UTC+14)."
        )
    return timezone(-offset if sign == "-" else offset)
