"""How instants read to responders in several timezones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidTime
from bot.domain.timefmt import (
    day_key,
    format_local,
    format_utc,
    humanize_seconds,
    in_zones,
    slack_date,
)

AT = datetime(2026, 9, 16, 13, 38, tzinfo=UTC)  # Wed


def test_in_zones_names_the_weekday_where_the_date_differs_from_utc() -> None:
    line = in_zones(AT, ["America/Los_Angeles", "Africa/Lusaka", "Pacific/Auckland"])
    assert line == (
        "2026-09-16 13:38 UTC (Wed) · 06:38 PDT America/Los_Angeles · 15:38 CAT Africa/Lusaka"
        " · Thu 01:38 NZST Pacific/Auckland"
    )


def test_in_zones_shows_the_day_before_too() -> None:
    early = datetime(2026, 9, 16, 3, 5, tzinfo=UTC)
    assert in_zones(early, ["America/Los_Angeles"]) == (
        "2026-09-16 03:05 UTC (Wed) · Tue 20:05 PDT America/Los_Angeles"
    )


def test_in_zones_skips_utc_and_repeats() -> None:
    line = in_zones(AT, ["UTC", "Etc/UTC", "Africa/Lusaka", "africa/lusaka", "CAT", "GMT"])
    assert line == "2026-09-16 13:38 UTC (Wed) · 15:38 CAT Africa/Lusaka"


def test_in_zones_keeps_regions_that_merely_sit_at_utc() -> None:
    winter = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert in_zones(winter, ["Europe/London", "Africa/Accra"]) == (
        "2026-01-05 09:00 UTC (Mon) · 09:00 GMT Europe/London · 09:00 GMT Africa/Accra"
    )


def test_in_zones_with_no_zones_is_utc_alone() -> None:
    assert in_zones(AT, []) == "2026-09-16 13:38 UTC (Wed)"


def test_in_zones_converts_from_any_aware_zone() -> None:
    local = AT.astimezone(ZoneInfo("Asia/Tokyo"))
    assert in_zones(local, []) == "2026-09-16 13:38 UTC (Wed)"


def test_in_zones_refuses_an_unknown_zone() -> None:
    with pytest.raises(InvalidTime, match="Mars/Olympus"):
        in_zones(AT, ["Mars/Olympus"])


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 9, 16, 13, 38)
    for render in (format_utc, lambda at: in_zones(at, []), slack_date):
        with pytest.raises(ValueError, match="naive"):
            render(naive)


def test_slack_date_token() -> None:
    assert slack_date(AT) == ("<!date^1789565880^{date_short_pretty} {time}|2026-09-16 13:38 UTC>")
    assert datetime.fromtimestamp(1789565880, UTC) == AT


def test_slack_date_escapes_the_fallback() -> None:
    token = slack_date(AT, fallback="<b> & a|b")
    assert token.endswith("|&lt;b&gt; &amp; a¦b>")
    assert token.count(">") == 1


def test_slack_date_floors_fractional_seconds() -> None:
    assert slack_date(AT + timedelta(seconds=59.9)).startswith("<!date^1789565939^")


@pytest.mark.parametrize(
    ("at", "zone", "expected"),
    [
        (AT, "America/Los_Angeles", "Wed Sep 16 06:38 PDT"),
        (datetime(2026, 1, 5, 14, 0, tzinfo=UTC), "America/Los_Angeles", "Mon Jan 05 06:00 PST"),
        (AT, "Australia/Sydney", "Wed Sep 16 23:38 AEST"),
        (AT, "Asia/Kolkata", "Wed Sep 16 19:08 IST"),
        (AT, "UTC", "Wed Sep 16 13:38 UTC"),
        (AT, "PST", "Wed Sep 16 06:38 PDT"),
        # The two 01:30s of a fall-back night differ in their abbreviation.
        (datetime(2026, 11, 1, 8, 30, tzinfo=UTC), "America/Los_Angeles", "Sun Nov 01 01:30 PDT"),
        (datetime(2026, 11, 1, 9, 30, tzinfo=UTC), "America/Los_Angeles", "Sun Nov 01 01:30 PST"),
    ],
)
def test_format_local(at: datetime, zone: str, expected: str) -> None:
    assert format_local(at, zone) == expected


@pytest.mark.parametrize(
    ("at", "zone", "expected"),
    [
        (datetime(2026, 9, 16, 6, 59, tzinfo=UTC), "America/Los_Angeles", date(2026, 9, 15)),
        (datetime(2026, 9, 16, 7, 0, tzinfo=UTC), "America/Los_Angeles", date(2026, 9, 16)),
        (datetime(2026, 9, 15, 22, 0, tzinfo=UTC), "Africa/Lusaka", date(2026, 9, 16)),
        (datetime(2026, 9, 15, 21, 59, tzinfo=UTC), "Africa/Lusaka", date(2026, 9, 15)),
        (datetime(2026, 9, 15, 23, 59, tzinfo=UTC), "UTC", date(2026, 9, 15)),
    ],
)
def test_day_key_is_the_local_calendar_day(at: datetime, zone: str, expected: date) -> None:
    assert day_key(at, zone) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0s"),
        (45, "45s"),
        (59.9, "59s"),
        (60, "1m"),
        (12 * 60 + 59, "12m"),
        (3599, "59m"),
        (3600, "1h 00m"),
        (3900, "1h 05m"),
        (23 * 3600 + 59 * 60, "23h 59m"),
        (86400, "1d 00h"),
        (2 * 86400 + 3 * 3600 + 59 * 60, "2d 03h"),
        (-90, "-1m"),
    ],
)
def test_humanize_seconds(seconds: float, expected: str) -> None:
    assert humanize_seconds(seconds) == expected


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_humanize_seconds_refuses_non_durations(bad: float) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        humanize_seconds(bad)


@given(st.floats(min_value=0, max_value=10**9, allow_nan=False))
def test_humanize_seconds_never_overstates(seconds: float) -> None:
    text = humanize_seconds(seconds)
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    shown = sum(int(part[:-1]) * units[part[-1]] for part in text.split())
    assert shown <= seconds
    assert seconds - shown < {"s": 1, "m": 60, "h": 3600}[text[-1]]
