"""What a responder gets back for the times they type into `/incident log`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.domain.errors import InvalidTime
from bot.domain.timefmt import format_local
from bot.domain.timeparse import ACCEPTED_FORMS, ParsedTime, parse_when, split_when
from bot.domain.zones import ABBREVIATIONS, format_offset, parse_zone


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


NOW = utc(2026, 9, 16, 14, 0)


def assert_utc(parsed: ParsedTime) -> None:
    assert parsed.at.tzinfo is UTC


# --- the product story -------------------------------------------------------------------


def test_pst_in_september_is_read_as_pdt_and_says_so() -> None:
    parsed = parse_when("6:38 AM PST", NOW)
    assert parsed.at == utc(2026, 9, 16, 13, 38)
    assert_utc(parsed)
    assert parsed.notes == (
        "`PST` in September: read as Pacific time, which is PDT (UTC-7) then. "
        "For a fixed UTC-8 write `6:38 AM UTC-8`.",
    )
    assert parsed.zone == "America/Los_Angeles"


def test_cat_is_zambia_time() -> None:
    parsed = parse_when("16:30 CAT", utc(2026, 9, 16, 15, 0))
    assert parsed.at == utc(2026, 9, 16, 14, 30)
    assert parsed.notes == ()
    assert parsed.zone == "Africa/Lusaka"


def test_utc_minus_8_is_eight_hours_behind_utc() -> None:
    parsed = parse_when("06:38 UTC-8", utc(2026, 9, 16, 15, 0))
    assert parsed.at == utc(2026, 9, 16, 14, 38)
    assert parsed.notes == ()


# --- every accepted form -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6:38 AM PST", utc(2026, 9, 16, 13, 38)),
        ("06:38 PDT", utc(2026, 9, 16, 13, 38)),
        ("06:38 PT", utc(2026, 9, 16, 13, 38)),
        ("13:30 CAT", utc(2026, 9, 16, 11, 30)),
        ("Sep 16 06:38 America/Los_Angeles", utc(2026, 9, 16, 13, 38)),
        ("sep 16 06:38 america/los_angeles", utc(2026, 9, 16, 13, 38)),
        ("2026-09-16T13:38Z", utc(2026, 9, 16, 13, 38)),
        ("2026-09-16T13:38:20Z", utc(2026, 9, 16, 13, 38, 20)),
        ("20260916T1338Z", utc(2026, 9, 16, 13, 38)),
        ("2026-09-16T06:38:00-07:00", utc(2026, 9, 16, 13, 38)),
        ("2026-09-16 15:38 +0200", utc(2026, 9, 16, 13, 38)),
        ("05:38 UTC-8", utc(2026, 9, 16, 13, 38)),
        ("05:38 UTC - 8", utc(2026, 9, 16, 13, 38)),
        ("05:38 utc−8", utc(2026, 9, 16, 13, 38)),  # a typographic minus
        ("16:38 GMT+3", utc(2026, 9, 16, 13, 38)),
        ("19:08 UTC+05:30", utc(2026, 9, 16, 13, 38)),
        ("19:08 UTC+0530", utc(2026, 9, 16, 13, 38)),
        ("13:38 UTC", utc(2026, 9, 16, 13, 38)),
        ("13:38 GMT", utc(2026, 9, 16, 13, 38)),
        ("13:38Z", utc(2026, 9, 16, 13, 38)),
        ("06:38 PDT.", utc(2026, 9, 16, 13, 38)),
        ("Sep 16th, 2026 at 6:38am PDT", utc(2026, 9, 16, 13, 38)),
        ("6:38 a.m. PDT", utc(2026, 9, 16, 13, 38)),
        ("12:00 PM CAT", utc(2026, 9, 16, 10, 0)),
        ("2026-09-16 10:38 America/Argentina/Buenos_Aires", utc(2026, 9, 16, 13, 38)),
        ("06:38PDT", utc(2026, 9, 16, 13, 38)),
        ("Sep 16 2026 6:38 AM PDT", utc(2026, 9, 16, 13, 38)),
        ("16 Sep 2026 15:38 CAT", utc(2026, 9, 16, 13, 38)),
        ("Wed Sep 16 06:38 PDT", utc(2026, 9, 16, 13, 38)),
        ("Wed 06:38 PDT", utc(2026, 9, 16, 13, 38)),
        ("yesterday 23:00 CAT", utc(2026, 9, 15, 21, 0)),
        ("today 6am PT", utc(2026, 9, 16, 13, 0)),
        ("15m ago", utc(2026, 9, 16, 13, 45)),
        ("2h ago", utc(2026, 9, 16, 12, 0)),
        ("90s ago", utc(2026, 9, 16, 13, 58, 30)),
        ("1h30m ago", utc(2026, 9, 16, 12, 30)),
        ("1h 30m ago", utc(2026, 9, 16, 12, 30)),
        ("3 minutes ago", utc(2026, 9, 16, 13, 57)),
        ("1 hour and 5 mins ago", utc(2026, 9, 16, 12, 55)),
        ("2 days ago", utc(2026, 9, 14, 14, 0)),
        ("0m ago", NOW),
        ("now", NOW),
        ("  NOW ", NOW),
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    parsed = parse_when(text, NOW)
    assert parsed.at == expected
    assert_utc(parsed)


def test_relative_times_keep_the_seconds_of_now() -> None:
    now = utc(2026, 9, 16, 14, 0, 7, 250)
    assert parse_when("15m ago", now).at == utc(2026, 9, 16, 13, 45, 7, 250)


def test_a_fixed_offset_names_no_region() -> None:
    assert parse_when("06:38 UTC-8", utc(2026, 9, 16, 15, 0)).zone is None
    assert parse_when("15m ago", NOW).zone is None


# --- each abbreviation, in January and in July -------------------------------------------

# (abbreviation, UTC offset of its region's clock in January, in July, out of season in)
ABBREVIATION_CASES = [
    ("PST", -8, -7, "July"),
    ("PDT", -8, -7, "January"),
    ("PT", -8, -7, None),
    ("MST", -7, -6, "July"),
    ("MDT", -7, -6, "January"),
    ("MT", -7, -6, None),
    ("CST", -6, -5, "July"),
    ("CDT", -6, -5, "January"),
    ("CT", -6, -5, None),
    ("EST", -5, -4, "July"),
    ("EDT", -5, -4, "January"),
    ("ET", -5, -4, None),
    ("UTC", 0, 0, None),
    ("GMT", 0, 0, None),
    ("Z", 0, 0, None),
    ("BST", 0, 1, "January"),
    ("CET", 1, 2, "July"),
    ("CEST", 1, 2, "January"),
    ("WAT", 1, 1, None),
    ("CAT", 2, 2, None),
    ("EAT", 3, 3, None),
    ("SAST", 2, 2, None),
    ("IST", 5.5, 5.5, None),
    ("JST", 9, 9, None),
    ("AEST", 11, 10, "January"),
    ("AEDT", 11, 10, "July"),
    ("AKST", -9, -8, "July"),
    ("AKDT", -9, -8, "January"),
    ("AKT", -9, -8, None),
    ("HST", -10, -10, None),
    ("AST", -4, -3, "July"),
    ("ADT", -4, -3, "January"),
    ("NST", -3.5, -2.5, "July"),
    ("NDT", -3.5, -2.5, "January"),
    ("WET", 0, 1, "July"),
    ("WEST", 0, 1, "January"),
    ("EET", 2, 3, "July"),
    ("EEST", 2, 3, "January"),
    ("MSK", 3, 3, None),
    ("TRT", 3, 3, None),
    ("GST", 4, 4, None),
    ("PKT", 5, 5, None),
    ("NPT", 5.75, 5.75, None),
    ("ICT", 7, 7, None),
    ("WIB", 7, 7, None),
    ("WITA", 8, 8, None),
    ("WIT", 9, 9, None),
    ("SGT", 8, 8, None),
    ("MYT", 8, 8, None),
    ("PHT", 8, 8, None),
    ("PHST", 8, 8, None),
    ("HKT", 8, 8, None),
    ("KST", 9, 9, None),
    ("AWST", 8, 8, None),
    ("ACST", 10.5, 9.5, "January"),
    ("ACDT", 10.5, 9.5, "July"),
    ("NZST", 13, 12, "January"),
    ("NZDT", 13, 12, "July"),
]


def test_every_abbreviation_in_the_table_is_tested() -> None:
    assert {case[0] for case in ABBREVIATION_CASES} == set(ABBREVIATIONS)


@pytest.mark.parametrize(("abbr", "january", "july", "out_of_season"), ABBREVIATION_CASES)
def test_abbreviation_reads_the_regions_wall_clock(
    abbr: str, january: float, july: float, out_of_season: str | None
) -> None:
    for month, short, month_name, hours in (
        (1, "Jan", "January", january),
        (7, "Jul", "July", july),
    ):
        parsed = parse_when(f"{short} 15 12:00 {abbr}", utc(2026, month, 20, 23, 0))
        assert parsed.at == utc(2026, month, 15, 12, 0) - timedelta(hours=hours)
        notes = list(parsed.notes)
        if ABBREVIATIONS[abbr].also:  # shared letters: always a stated reading
            shared = notes.pop()
            assert shared.startswith(f"`{abbr}` names more than one zone: read as ")
            assert f"`{short} 15 12:00 {format_offset(timedelta(hours=hours))}`" in shared
        if abbr == "GMT" and month == 7:  # London on BST: GMT stays UTC+0, and says so
            assert notes.pop().startswith("`GMT` read as UTC+0 (GMT as Ghana")
        if out_of_season == month_name:
            (note,) = notes
            assert note.startswith(f"`{abbr}` in {month_name}: read as ")
            assert f"For a fixed {format_offset(ABBREVIATIONS[abbr].offset)} write" in note
        else:
            assert notes == []


@pytest.mark.parametrize("abbr", ["pst", "Cat", "z", "aedt"])
def test_abbreviations_are_case_insensitive(abbr: str) -> None:
    assert parse_when(f"12:00 {abbr}", NOW).at == parse_when(f"12:00 {abbr.upper()}", NOW).at


def test_out_of_season_note_for_bst_in_winter() -> None:
    parsed = parse_when("6am BST", utc(2026, 1, 16, 13, 0))
    assert parsed.at == utc(2026, 1, 16, 6, 0)
    assert parsed.notes == (
        "`BST` in January: read as UK time, which is GMT (UTC+0) then. "
        "For a fixed UTC+1 write `6am UTC+1`.",
        "`BST` names more than one zone: read as UK time (Europe/London), UTC+0 then. "
        "To be exact write `6am UTC+0`; for Bangladesh time write `6am UTC+6`.",
    )


# --- zones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("America/Los_Angeles", "America/Los_Angeles"),
        ("america/los_angeles", "America/Los_Angeles"),
        ("  Africa/Lusaka ", "Africa/Lusaka"),
        ("AFRICA/ACCRA", "Africa/Accra"),
        ("UTC", "UTC"),
        ("PST", "America/Los_Angeles"),
        ("EST", "America/New_York"),  # not zoneinfo's fixed-offset `EST`
        ("cat", "Africa/Lusaka"),
        ("Etc/GMT+8", "Etc/GMT+8"),
    ],
)
def test_parse_zone(name: str, key: str) -> None:
    assert parse_zone(name) == ZoneInfo(key)


@pytest.mark.parametrize(
    "name", ["", "  ", "Mars/Olympus", "XYZ", "localtime", "Factory", "../etc"]
)
def test_parse_zone_refuses_unknown_zones(name: str) -> None:
    with pytest.raises(InvalidTime) as raised:
        parse_zone(name)
    assert "America/Los_Angeles" in raised.value.user_message  # it shows how to write one


def test_etc_gmt_plus_8_keeps_its_posix_meaning_utc_minus_8() -> None:
    # An IANA name means what the tz database says, even where that is inverted.
    assert parse_when("06:38 Etc/GMT+8", utc(2026, 9, 16, 15, 0)).at == utc(2026, 9, 16, 14, 38)


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "No time given"),
        ("   ", "No time given"),
        ("hello world", "Could not read `hello world`"),
        ("tomorrow 6:38 UTC", "Could not read `tomorrow 6:38 UTC`"),
        ("tomorrow 6:38", "`tomorrow` in `tomorrow 6:38` is not a zone warroom knows"),
        ("6:38 XYZ", "`XYZ` in `6:38 XYZ` is not a zone warroom knows"),
        ("6:38 atlantis", "`atlantis` in `6:38 atlantis` is not a zone warroom knows"),
        ("Sep 16 06:38 Mars/Olympus", "`Mars/Olympus` is not a zone warroom knows"),
        ("12:00 localtime", "`localtime` in `12:00 localtime` is not a zone warroom knows"),
        ("6:38 AM", "`6:38 AM` has no zone, and warroom won't guess one"),
        ("2026-09-16T13:38", "has no zone"),
        ("Sep 16 06:38", "has no zone"),
        ("Sep 16 PDT", "has no clock time"),
        ("PDT", "has no clock time"),
        ("5 UTC", "has no clock time"),
        ("16 06:38 UTC", "gives part of a date"),
        ("Sep 2026 06:38 UTC", "gives part of a date"),
        ("yesterday Sep 15 06:38 UTC", "gives two dates"),
        ("6:38 UTC PST", "names more than one zone (`UTC`, `PST`)"),
        ("06:38 -8", "`-8` in `06:38 -8` is not an offset"),
        ("06:38 UTC+15", "not an offset in use anywhere"),
        ("06:38 UTC+05:75", "is not an offset"),
        ("15m", "did you mean `15m ago`?"),
        ("1h30m", "did you mean `1h30m ago`?"),
        ("03/04 06:38 UTC", "`03/04` in `03/04 06:38 UTC` could be day/month or month/day"),
        ("Tue Sep 16 06:38 PDT", "Sep 16 2026 is a Wed, not a Tue"),
        ("2026-09-16T14:06Z", "is 6m after now (2026-09-16 14:00 UTC)"),
        ("today 23:00 UTC", "can't be in the future"),
        ("2026-09-17 06:38 CAT", "can't be in the future"),
        ("99999999999 days ago", "too far back"),
        ("1,5h ago", "write a number with units, like `90m ago`"),
        ("a few minutes ago", "write a number with units"),
        ("x" * 101, "too long to be a time"),
    ],
)
def test_errors_say_what_is_wrong_and_show_the_accepted_forms(text: str, says: str) -> None:
    with pytest.raises(InvalidTime) as raised:
        parse_when(text, NOW)
    assert says in raised.value.user_message
    assert raised.value.user_message.endswith(ACCEPTED_FORMS)


def test_unambiguous_numeric_dates_are_read() -> None:
    assert parse_when("16/09/2026 15:38 CAT", NOW).at == utc(2026, 9, 16, 13, 38)


def test_up_to_five_minutes_ahead_is_clock_skew_and_is_kept() -> None:
    assert parse_when("2026-09-16T14:05Z", NOW).at == utc(2026, 9, 16, 14, 5)
    with pytest.raises(InvalidTime):
        parse_when("2026-09-16T14:05:01Z", NOW)


def test_a_time_ahead_of_the_clock_is_kept_today_with_a_note() -> None:
    parsed = parse_when("14:03 UTC", NOW)
    assert parsed.at == utc(2026, 9, 16, 14, 3)
    assert parsed.notes == (
        "`14:03 UTC` is 3m ahead of the bot's clock (14:00 UTC); stored as given.",
    )


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="naive"):
        parse_when("15m ago", datetime(2026, 9, 16, 14, 0))


# --- most recent occurrence not in the future --------------------------------------------


@pytest.mark.parametrize(
    ("text", "now", "expected", "note"),
    [
        ("23:50 UTC", utc(2026, 9, 16, 0, 10), utc(2026, 9, 15, 23, 50), "read as yesterday"),
        ("00:05 UTC", utc(2026, 9, 16, 0, 10), utc(2026, 9, 16, 0, 5), None),
        ("00:14 UTC", utc(2026, 9, 16, 0, 10), utc(2026, 9, 16, 0, 14), "ahead of the bot"),
        ("00:16 UTC", utc(2026, 9, 16, 0, 10), utc(2026, 9, 15, 0, 16), "read as yesterday"),
        # 00:30 PDT on Sep 16: 23:45 is the evening before, in Pacific time.
        ("23:45 PDT", utc(2026, 9, 16, 7, 30), utc(2026, 9, 16, 6, 45), "Tue Sep 15"),
        # 00:30 CAT on Sep 16 is 22:30 UTC on Sep 15: "today" is Lusaka's today.
        ("23:00 CAT", utc(2026, 9, 15, 22, 30), utc(2026, 9, 15, 21, 0), "Tue Sep 15"),
        ("00:10 CAT", utc(2026, 9, 15, 22, 30), utc(2026, 9, 15, 22, 10), None),
        # 23:58 UTC on Dec 31: a time two minutes after midnight is skew, not last year.
        (
            "00:01 UTC",
            utc(2026, 12, 31, 23, 58),
            utc(2027, 1, 1, 0, 1),
            "read as tomorrow, Fri Jan 1",
        ),
        ("Sep 17 06:38 PDT", NOW, utc(2025, 9, 17, 13, 38), "Wed Sep 17 2025"),
        ("Feb 29 12:00 UTC", NOW, utc(2024, 2, 29, 12, 0), "Thu Feb 29 2024"),
    ],
)
def test_a_time_without_a_date_is_its_most_recent_occurrence(
    text: str, now: datetime, expected: datetime, note: str | None
) -> None:
    parsed = parse_when(text, now)
    assert parsed.at == expected
    if note is None:
        assert parsed.notes == ()
    else:
        assert note in parsed.notes[0]


def test_a_weekday_alone_is_its_most_recent_day() -> None:
    # Sunday Sep 20: "Wed" is four days back, not the coming Wednesday.
    assert parse_when("Wed 06:38 PDT", utc(2026, 9, 20, 12, 0)).at == utc(2026, 9, 16, 13, 38)


# --- DST edges ---------------------------------------------------------------------------


def test_los_angeles_spring_forward_gap_with_a_region_name() -> None:
    parsed = parse_when("Mar 8 02:30 America/Los_Angeles", utc(2026, 3, 8, 18, 0))
    assert parsed.at == utc(2026, 3, 8, 10, 30)  # 02:30 PST, i.e. 03:30 PDT
    assert parsed.notes == (
        "02:30 did not exist in America/Los_Angeles on Sun Mar 8: the clocks jumped forward. "
        "Read with the offset before the jump, UTC-8: 10:30 UTC, which is 03:30 PDT there.",
    )


def test_los_angeles_spring_forward_gap_with_an_abbreviation_uses_its_offset() -> None:
    parsed = parse_when("02:30 PDT", utc(2026, 3, 8, 18, 0))
    assert parsed.at == utc(2026, 3, 8, 9, 30)
    (note,) = parsed.notes
    assert "did not exist in Pacific time on Sun Mar 8" in note
    assert "Read as written, UTC-7: 09:30 UTC" in note


def test_los_angeles_either_side_of_the_gap() -> None:
    now = utc(2026, 3, 8, 18, 0)
    assert parse_when("01:59 PT", now).at == utc(2026, 3, 8, 9, 59)
    assert parse_when("03:00 PT", now).at == utc(2026, 3, 8, 10, 0)
    assert parse_when("03:00 PT", now).notes == ()


def test_los_angeles_fall_back_fold_takes_the_first_and_says_how_to_get_the_second() -> None:
    parsed = parse_when("01:30 America/Los_Angeles", utc(2026, 11, 1, 18, 0))
    assert parsed.at == utc(2026, 11, 1, 8, 30)
    assert parsed.notes == (
        "01:30 happened twice in America/Los_Angeles on Sun Nov 1: the clocks went back. "
        "Read as the first, 01:30 PDT (08:30 UTC). For the second write `01:30 UTC-8`.",
    )
    assert parse_when("01:30 UTC-8", utc(2026, 11, 1, 18, 0)).at == utc(2026, 11, 1, 9, 30)


@pytest.mark.parametrize(
    ("abbr", "expected"), [("PDT", utc(2026, 11, 1, 8, 30)), ("PST", utc(2026, 11, 1, 9, 30))]
)
def test_los_angeles_fold_abbreviation_picks_the_reading(abbr: str, expected: datetime) -> None:
    parsed = parse_when(f"01:30 {abbr}", utc(2026, 11, 1, 18, 0))
    assert parsed.at == expected
    assert parsed.notes == ()


def test_london_spring_forward_gap() -> None:
    parsed = parse_when("Mar 29 01:30 Europe/London", utc(2026, 3, 29, 12, 0))
    assert parsed.at == utc(2026, 3, 29, 1, 30)  # read as GMT, the offset before the jump
    (note,) = parsed.notes
    assert "01:30 did not exist in Europe/London on Sun Mar 29" in note
    assert "which is 02:30 BST there" in note


def test_london_fall_back_fold() -> None:
    now = utc(2026, 10, 25, 12, 0)
    first = parse_when("01:30 Europe/London", now)
    assert first.at == utc(2026, 10, 25, 0, 30)
    assert "For the second write `01:30 UTC+0`" in first.notes[0]
    assert parse_when("01:30 BST", now).at == utc(2026, 10, 25, 0, 30)
    assert not any("twice" in note for note in parse_when("01:30 BST", now).notes)
    assert parse_when("01:30 UTC+0", now).at == utc(2026, 10, 25, 1, 30)


# --- split_when ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6:38 AM PST | rolled back the stack", ("6:38 AM PST", "rolled back the stack")),
        ("rolled back the stack", (None, "rolled back the stack")),
        ("15m ago|paged AWS", ("15m ago", "paged AWS")),
        ("06:38 PDT | a | b", ("06:38 PDT", "a | b")),
        ("| no time", (None, "no time")),
        ("<@U123|alice> restarted the db", (None, "<@U123|alice> restarted the db")),
        ("<https://x.test|runbook> followed", (None, "<https://x.test|runbook> followed")),
        ("2h ago | <@U1|bob> paged <@U2|carol>", ("2h ago", "<@U1|bob> paged <@U2|carol>")),
        ("  spaced  ", (None, "spaced")),
    ],
)
def test_split_when(text: str, expected: tuple[str | None, str]) -> None:
    assert split_when(text) == expected


# --- properties --------------------------------------------------------------------------

TEAM_ZONES = [
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Africa/Lagos",
    "Africa/Lusaka",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Africa/Accra",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
]

nows = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2099, 12, 31),
    timezones=st.just(UTC),
)
zone_specs = st.one_of(
    st.sampled_from(sorted(ABBREVIATIONS)),
    st.sampled_from(TEAM_ZONES),
    st.builds(
        lambda sign, hours, minutes: f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else ""),
        st.sampled_from("+-"),
        st.integers(0, 12),
        st.sampled_from([0, 30, 45]),
    ),
    st.builds(
        lambda sign, hours: f"{sign}{hours:02d}:00", st.sampled_from("+-"), st.integers(0, 12)
    ),
)
clock_texts = st.one_of(
    st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59)),
    st.builds(
        lambda h, m, ampm: f"{h}:{m:02d} {ampm}",
        st.integers(1, 12),
        st.integers(0, 59),
        st.sampled_from(["AM", "PM", "am", "pm"]),
    ),
)
months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
date_prefixes = st.one_of(
    st.just(""),
    st.just("yesterday "),
    st.builds(lambda m, d: f"{m} {d} ", st.sampled_from(months), st.integers(1, 28)),
    st.sampled_from(["Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun "]),
)
clock_inputs = st.builds(
    lambda date, clock, zone: f"{date}{clock} {zone}", date_prefixes, clock_texts, zone_specs
)
relative_inputs = st.one_of(
    st.just("now"),
    st.builds(
        lambda n, unit: f"{n}{unit} ago",
        st.integers(0, 10_000),
        st.sampled_from(["s", "m", "h", "d", " minutes", " hours"]),
    ),
)


@settings(max_examples=400, deadline=None)
@given(now=nows, text=st.one_of(clock_inputs, relative_inputs))
def test_any_accepted_input_is_aware_utc_and_not_in_the_future(now: datetime, text: str) -> None:
    parsed = parse_when(text, now)
    assert parsed.at.tzinfo is UTC
    assert parsed.at <= now + timedelta(minutes=5)


@settings(max_examples=200, deadline=None)
@given(now=nows, day_offset=st.integers(-400, 400), clock=clock_texts, zone=zone_specs)
def test_an_explicit_date_is_stored_or_refused_as_future(
    now: datetime, day_offset: int, clock: str, zone: str
) -> None:
    day = (now + timedelta(days=day_offset)).date()
    text = f"{day.isoformat()} {clock} {zone}"
    try:
        parsed = parse_when(text, now)
    except InvalidTime as error:
        assert "can't be in the future" in error.user_message
        assert day_offset >= -1
    else:
        assert parsed.at.tzinfo is UTC
        assert parsed.at <= now + timedelta(minutes=5)
        assert day_offset <= 1


FRAGMENTS = [
    "06:38",
    "6",
    ":",
    "38",
    "AM",
    "pm",
    "PST",
    "cat",
    "Z",
    "T",
    "UTC",
    "GMT",
    "+",
    "-",
    "−",
    "8",
    "05:30",
    "0800",
    "Sep",
    "16",
    "29",
    "Feb",
    "2026",
    "2026-09-16",
    "Wed",
    "/",
    ".",
    ",",
    "|",
    "America/Los_Angeles",
    "Etc/GMT+8",
    "ago",
    "m",
    "h",
    "s",
    "minutes",
    "now",
    "today",
    "yesterday",
    "99999999999",
    "00",
    "24:00",
    "12:60",
    " ",
    "XYZ",
]
messy_texts = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(FRAGMENTS), max_size=7).map(" ".join),
    st.lists(st.sampled_from(FRAGMENTS), max_size=7).map("".join),
)


@settings(max_examples=500, deadline=None)
@given(text=messy_texts, now=nows)
def test_any_text_is_read_or_refused_with_a_message(text: str, now: datetime) -> None:
    try:
        parsed = parse_when(text, now)
    except InvalidTime as error:
        assert error.user_message.endswith(ACCEPTED_FORMS)
    else:
        assert parsed.at.tzinfo is UTC
        assert parsed.at <= now + timedelta(minutes=5)


instants = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2037, 12, 31),
    timezones=st.just(UTC),
).map(lambda at: at.replace(second=0, microsecond=0))


def in_fold(at: datetime, zone: str) -> bool:
    wall = at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    first = wall.replace(tzinfo=ZoneInfo(zone), fold=0).utcoffset()
    return first != wall.replace(tzinfo=ZoneInfo(zone), fold=1).utcoffset()


@settings(max_examples=300, deadline=None)
@given(at=instants, zone=st.sampled_from(TEAM_ZONES), later=st.integers(0, 300 * 24 * 60))
def test_a_rendered_local_time_reads_back_as_the_same_instant(
    at: datetime, zone: str, later: int
) -> None:
    # `Wed Sep 16 06:38 PDT`, pasted back: the abbreviation even settles fall-back hours.
    now = at + timedelta(minutes=later)
    assert parse_when(format_local(at, zone), now).at == at


@settings(max_examples=300, deadline=None)
@given(at=instants, zone=st.sampled_from(TEAM_ZONES), later=st.integers(-5, 23 * 60))
def test_a_wall_time_with_its_region_reads_back_as_the_same_instant(
    at: datetime, zone: str, later: int
) -> None:
    assume(not in_fold(at, zone))
    wall = at.astimezone(ZoneInfo(zone))
    now = at + timedelta(minutes=later)
    assert parse_when(f"{wall:%H:%M} {zone}", now).at == at
    assert parse_when(f"{wall:%Y-%m-%d %H:%M} {zone}", now).at == at
