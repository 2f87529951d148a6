"""From a wall time in a named zone to the instant it was, across DST changes.

A region's wall clock is not a fixed offset, and twice a year it misbehaves:

* An abbreviation names a region's wall clock, so `PST` in September is read as Pacific
  time, i.e. PDT. When the abbreviation disagrees with the season, a note says which
  reading was taken and how to write a fixed offset instead.
* A wall time that does not exist (spring forward) is read with the offset in force
  before the jump, or with the abbreviation's own offset if one was given (`02:30 PST`);
  one that happens twice (fall back) is the first of the two unless the abbreviation
  picks one (`01:30 PST` is the second). Either way a note says what was taken.

Fixed offsets have none of this and pass straight through.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.domain.time_day import long_date
from bot.domain.time_zone_text import Zone
from bot.domain.zones import format_offset

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


def resolve_wall(wall: datetime, zone: Zone, time_text: str) -> tuple[datetime, list[str]]:
    """The UTC instant of a naive wall time in `zone`, with notes on any choice made."""
    if zone.region is None:
        return wall.replace(tzinfo=zone.clock).astimezone(UTC), []
    region = zone.region
    where = zone.abbreviation.region if zone.abbreviation else region.key
    literal = zone.abbreviation.offset if zone.abbreviation else None
    first = wall.replace(tzinfo=region, fold=0)
    second = wall.replace(tzinfo=region, fold=1)
    first_offset, second_offset = _offset(first), _offset(second)
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
            f"{clock} did not exist in {where} on {long_date(wall)}: the clocks jumped "
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
        f"{clock} happened twice in {where} on {long_date(wall)}: the clocks went back. "
        f"Read as the first, {clock} {first.tzname()} ({at:%H:%M} UTC). For the second "
        f"write `{time_text} {format_offset(second_offset)}`."
    ]


def _offset(moment: datetime) -> timedelta:
    """A zone-aware moment's UTC offset (zoneinfo always has one)."""
    offset = moment.utcoffset()
    assert offset is not None, "an aware datetime"
    return offset


def stated_readings(zone: Zone, wall: datetime, at: datetime, time_text: str) -> list[str]:
    """Notes for the readings that are not the literal one (see CONTRACT, `log`): an
    abbreviation several zones share, and `GMT` while London keeps summer time."""
    abbreviation = zone.abbreviation
    if abbreviation is None:
        return []
    if abbreviation.also and zone.region is not None:
        offset = at.astimezone(zone.region).utcoffset()
        assert offset is not None
        others = ", ".join(
            f"for {label} write `{time_text} {format_offset(_offset_at(wall, iana))}`"
            for label, iana in abbreviation.also
        )
        return [
            f"`{zone.text}` names more than one zone: read as {abbreviation.region} "
            f"({zone.region.key}), {format_offset(offset)} then. To be exact write "
            f"`{time_text} {format_offset(offset)}`; {others}."
        ]
    if abbreviation.name == "GMT":
        london = at.astimezone(ZoneInfo("Europe/London"))
        if london.utcoffset():
            return [
                f"`{zone.text}` read as UTC+0 (GMT as Ghana and West Africa keep it all "
                f"year), not London's clock, which is {london.tzname()} "
                f"({format_offset(london.utcoffset() or timedelta())}) then. For London "
                f"write `{time_text} {london.tzname()}` or `{time_text} Europe/London`."
            ]
    return []


def _offset_at(wall: datetime, iana: str) -> timedelta:
    return wall.replace(tzinfo=ZoneInfo(iana)).utcoffset() or timedelta()
