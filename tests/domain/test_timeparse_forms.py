"""The forms responders type that warroom once refused or misread (issue 11), and a
property: whatever accepted form an instant is written in, it is read back as that instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.domain.errors import InvalidTime
from bot.domain.timeparse import parse_when
from bot.domain.zones import ABBREVIATIONS, format_offset


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


NOW = utc(2026, 9, 16, 14, 0)  # 17:00 in Nairobi, 07:00 in California


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the harmful one: the minutes must not be dropped
        ("7.21 pm eat", utc(2026, 9, 15, 16, 21)),
        ("Sep 16 7.21 am EAT", utc(2026, 9, 16, 4, 21)),
        ("9.12pm EAT", utc(2026, 9, 15, 18, 12)),
        ("16.09 EAT", utc(2026, 9, 16, 13, 9)),
        # P.M. in capitals, and spaced
        ("6:38 P.M. EAT", utc(2026, 9, 15, 15, 38)),
        ("6:38 A.M. PDT", utc(2026, 9, 16, 13, 38)),
        ("6:38 p. m. CAT", utc(2026, 9, 15, 16, 38)),
        # four-digit clocks and 16h19
        ("0555 EAT", utc(2026, 9, 16, 2, 55)),
        ("1621Z", utc(2026, 9, 15, 16, 21)),
        ("1338Z", utc(2026, 9, 16, 13, 38)),
        ("1338 UTC+3", utc(2026, 9, 16, 10, 38)),
        ("16h19 EAT", utc(2026, 9, 16, 13, 19)),
        # noon and midnight with a zone
        ("noon EAT", utc(2026, 9, 16, 9, 0)),
        ("12 noon CAT", utc(2026, 9, 16, 10, 0)),
        ("midnight EAT", utc(2026, 9, 15, 21, 0)),
        ("noon Nairobi time", utc(2026, 9, 16, 9, 0)),
        # day-first dates that can only be day-first
        ("30/11 07:30 EAT", utc(2025, 11, 30, 4, 30)),
        ("13/09/2026 07:30 EAT", utc(2026, 9, 13, 4, 30)),
        ("15.09.2026 07:30 CAT", utc(2026, 9, 15, 5, 30)),
        # cities and regions
        ("09:00 Nairobi time", utc(2026, 9, 16, 6, 0)),
        ("9am London time", utc(2026, 9, 16, 8, 0)),
        ("6:38 Pacific", utc(2026, 9, 16, 13, 38)),
        ("6:38 am Pacific time", utc(2026, 9, 16, 13, 38)),
        ("9:00 Eastern", utc(2026, 9, 16, 13, 0)),
        ("Sep 15 10:00 New York time", utc(2026, 9, 15, 14, 0)),
        ("10:00 Dar es Salaam time", utc(2026, 9, 16, 7, 0)),
        ("15:30 Central Africa time", utc(2026, 9, 16, 13, 30)),
        ("16:30 East Africa time", utc(2026, 9, 16, 13, 30)),
        ("19:00 Singapore", utc(2026, 9, 16, 11, 0)),
        # abbreviations of inhabited zones
        ("05:00 AKDT", utc(2026, 9, 16, 13, 0)),
        ("03:00 HST", utc(2026, 9, 16, 13, 0)),
        ("16:00 EEST", utc(2026, 9, 16, 13, 0)),
        ("16:00 MSK", utc(2026, 9, 16, 13, 0)),
        ("22:00 KST", utc(2026, 9, 16, 13, 0)),
        ("21:00 SGT", utc(2026, 9, 16, 13, 0)),
        ("21:00 HKT", utc(2026, 9, 16, 13, 0)),
        ("21:00 AWST", utc(2026, 9, 16, 13, 0)),
        ("01:00 NZST", utc(2026, 9, 16, 13, 0)),
        ("18:00 PKT", utc(2026, 9, 16, 13, 0)),
        ("20:00 WIB", utc(2026, 9, 16, 13, 0)),
        ("21:00 PHT", utc(2026, 9, 16, 13, 0)),
        ("18:45 NPT", utc(2026, 9, 16, 13, 0)),
        # relative forms in words
        ("an hour ago", utc(2026, 9, 16, 13, 0)),
        ("half an hour ago", utc(2026, 9, 16, 13, 30)),
        ("a minute ago", utc(2026, 9, 16, 13, 59)),
        ("just now", NOW),
        ("1.5h ago", utc(2026, 9, 16, 12, 30)),
        ("an hour and a half ago", utc(2026, 9, 16, 12, 30)),
        ("2.5 hours ago", utc(2026, 9, 16, 11, 30)),
    ],
)
def test_forms_people_type(text: str, expected: datetime) -> None:
    parsed = parse_when(text, NOW)
    assert parsed.at == expected
    assert parsed.at.tzinfo is UTC


def test_ghana_gmt_stays_utc_plus_0_in_the_british_summer_and_says_so() -> None:
    parsed = parse_when("13:00 GMT", NOW)
    assert parsed.at == utc(2026, 9, 16, 13, 0)
    (note,) = parsed.notes
    assert "read as UTC+0" in note
    assert "`13:00 BST` or `13:00 Europe/London`" in note
    assert parse_when("13:00 Accra time", NOW).at == utc(2026, 9, 16, 13, 0)


@pytest.mark.parametrize(
    ("text", "at", "reading", "fixed"),
    [
        ("08:00 CST", utc(2026, 9, 16, 13, 0), "Central time (America/Chicago)", "`08:00 UTC-5`"),
        ("18:30 IST", utc(2026, 9, 16, 13, 0), "India time (Asia/Kolkata)", "`18:30 UTC+5:30`"),
        ("14:00 BST", utc(2026, 9, 16, 13, 0), "UK time (Europe/London)", "`14:00 UTC+1`"),
        ("10:00 AST", utc(2026, 9, 16, 13, 0), "Atlantic time (America/Halifax)", "`10:00 UTC-3`"),
    ],
)
def test_shared_abbreviations_state_their_reading_and_the_offsets(
    text: str, at: datetime, reading: str, fixed: str
) -> None:
    parsed = parse_when(text, NOW)
    assert parsed.at == at
    shared = [note for note in parsed.notes if "names more than one zone" in note]
    assert len(shared) == 1
    assert f"read as {reading}" in shared[0]
    assert f"To be exact write {fixed}" in shared[0]


def test_cst_names_china_and_ist_names_ireland_and_israel_with_offsets() -> None:
    (cst,) = [n for n in parse_when("08:00 CST", NOW).notes if "more than one" in n]
    assert "for China Standard Time write `08:00 UTC+8`" in cst
    (ist,) = parse_when("18:30 IST", NOW).notes
    assert "for Irish time write `18:30 UTC+1`" in ist
    assert "for Israel time write `18:30 UTC+3`" in ist


def test_a_time_with_no_zone_is_read_in_the_senders_slack_zone_and_says_so() -> None:
    asked: list[bool] = []

    def lusaka() -> str:
        asked.append(True)
        return "Africa/Lusaka"

    parsed = parse_when("15:30", NOW, lusaka)
    assert parsed.at == utc(2026, 9, 16, 13, 30)
    assert parsed.zone == "Africa/Lusaka"
    assert parsed.notes[0] == (
        "`15:30` has no zone: read in your Slack timezone, Africa/Lusaka (CAT, UTC+2 then). "
        "To give another, add it (`15:30 EAT`); for a fixed offset write `15:30 UTC+2`."
    )
    assert asked == [True]
    parse_when("15:30 CAT", NOW, lusaka)
    assert asked == [True]  # a zone was given: Slack is not asked


@pytest.mark.parametrize("profile", [None, "", "Mars/Olympus", "localtime"])
def test_no_zone_and_no_known_slack_zone_is_refused(profile: str | None) -> None:
    with pytest.raises(InvalidTime) as raised:
        parse_when("15:30", NOW, lambda: profile)
    assert "has no zone, and warroom won't guess one" in raised.value.user_message
    assert "`15:30 CAT`" in raised.value.user_message


@pytest.mark.parametrize(
    ("text", "says", "shows"),
    [
        ("Sep 2026 06:38 UTC", "gives part of a date", "`Sep 16 06:38 PDT`"),
        ("a few minutes ago", "write a number with units", "`an hour ago`"),
        ("03/04 06:38 UTC", "could be day/month or month/day", "`2026-09-16`"),
        ("6:38 atlantis", "not a zone warroom knows", "`Nairobi time`"),
        ("Sep 16 2026 EAT", "has no clock time", "`0555 EAT`"),
    ],
)
def test_refusals_say_why_and_show_a_form_that_works(text: str, says: str, shows: str) -> None:
    with pytest.raises(InvalidTime) as raised:
        parse_when(text, NOW)
    assert says in raised.value.user_message
    assert shows in raised.value.user_message


# --- the property: an accepted expression names the instant it was written from ---------

_ZONES = (
    "America/Los_Angeles",
    "America/New_York",
    "Africa/Nairobi",
    "Africa/Lusaka",
    "Africa/Accra",
    "Europe/London",
    "Europe/Moscow",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Singapore",
    "Australia/Sydney",
    "Australia/Perth",
    "Pacific/Auckland",
)
_PLACES = {
    "Africa/Nairobi": "Nairobi time",
    "Europe/London": "London time",
    "America/Los_Angeles": "Pacific",
    "America/New_York": "Eastern time",
    "Asia/Singapore": "Singapore",
}


def _zone_names(instant: datetime, key: str) -> list[str]:
    """Every way to name `key`'s clock at `instant` that reads literally."""
    local = instant.astimezone(ZoneInfo(key))
    offset = local.utcoffset()
    assert offset is not None
    names = [key, format_offset(offset)]
    if key in _PLACES:
        names.append(_PLACES[key])
    for abbreviation in ABBREVIATIONS.values():
        if abbreviation.zone == key and abbreviation.offset in (offset, None):
            names.append(abbreviation.name)
    return names


def _clocks(local: datetime) -> list[str]:
    hour12 = local.hour % 12 or 12
    ampm = "am" if local.hour < 12 else "pm"
    clocks = [
        f"{local:%H:%M}",
        f"{local.hour}:{local:%M}",
        f"{hour12}:{local:%M} {ampm}",
        f"{hour12}:{local:%M} {ampm.upper()}",
        f"{hour12}.{local:%M} {ampm}",
        f"{hour12}:{local:%M} {ampm[0].upper()}.M.",
        f"{local.hour}h{local:%M}",
    ]
    if local.minute == 0 and local.hour == 12:
        clocks.append("noon")
    return clocks


def _dates(local: datetime) -> list[str]:
    dates = [f"{local:%b} {local.day} {local.year}", f"{local:%Y-%m-%d}", f"{local.day} {local:%b}"]
    if local.day > 12:
        dates.append(f"{local.day}/{local.month}/{local.year}")
    return dates


@settings(max_examples=400, deadline=None)
@given(
    instant=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    key=st.sampled_from(_ZONES),
    ahead=st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=20)),
    pick=st.data(),
)
def test_every_accepted_form_names_the_instant_it_was_written_from(
    instant: datetime, key: str, ahead: timedelta, pick: st.DataObject
) -> None:
    instant = instant.replace(second=0, microsecond=0)
    region = ZoneInfo(key)
    local = instant.astimezone(region)
    wall = local.replace(tzinfo=None)
    folded = {wall.replace(tzinfo=region, fold=f).utcoffset() for f in (0, 1)}
    zone = pick.draw(st.sampled_from(_zone_names(instant, key)))
    # A wall time that happens twice is ambiguous in a region's name: a fixed offset is not.
    assume(len(folded) == 1 or zone.startswith("UTC"))
    clock = pick.draw(st.sampled_from(_clocks(local)))
    dated = pick.draw(st.booleans())
    date = pick.draw(st.sampled_from(_dates(local))) if dated else ""
    if dated and date.count(" ") == 1:  # `16 Sep` has no year: keep it within the year
        assume(instant + ahead < datetime(instant.year + 1, 1, 1, tzinfo=UTC) - timedelta(days=2))
    text = f"{date} {clock} {zone}".strip()
    now = instant + ahead
    assert parse_when(text, now).at == instant, text


@settings(max_examples=200, deadline=None)
@given(
    minutes=st.integers(min_value=0, max_value=60 * 24 * 30),
    form=st.sampled_from(["{m}m ago", "{m} minutes ago", "{h}h ago", "{h} hours ago"]),
)
def test_relative_forms_name_the_instant(minutes: int, form: str) -> None:
    if "{h}" in form:
        minutes -= minutes % 30  # halves of hours, written `1.5h`
        hours = f"{minutes / 60:g}"
        text = form.format(h=hours)
    else:
        text = form.format(m=minutes)
    assert parse_when(text, NOW).at == NOW - timedelta(minutes=minutes)
