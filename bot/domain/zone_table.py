"""The zone abbreviations and place words warroom reads, as data, each with its source.

Kept apart from the code that uses it so that adding a zone is one line here and a review
can check each meaning against its source:

* `tzdata`: the abbreviation IANA tzdata itself gives the zone (`zoneinfo` shows it as
  `tzname()`), e.g. `EAT` for Africa/Nairobi.
* `usage`: tzdata has no letters for the zone (it writes `+08` for Singapore) or gives
  other letters, and the name is the one the region's people and press use, e.g. `SGT`.

`also` lists the other zones people mean by the same letters. warroom takes the first
reading (the one its users meet most) and says so in the reply, with the fixed offset to
write for each other reading, so a shared name is never read silently.

Each row: name, IANA zone whose wall clock it names, what to call that clock in a reply,
the offset the letters literally mean (None for season-neutral names such as `PT`), the
source, and the other readings as (what they are called, an IANA zone keeping that clock).
"""

from __future__ import annotations

Other = tuple[str, str]
Row = tuple[str, str, str, float | None, str, tuple[Other, ...]]

_NONE: tuple[Other, ...] = ()

ABBREVIATION_ROWS: tuple[Row, ...] = (
    # North America. The region's clock moves with the season, so the S/D letters matter
    # only to flag an out-of-season name or to pick one of a fall-back night's two hours.
    # tzdata also writes PST for Asia/Manila; Philippine responders are read by `PHT` or
    # `PHST`, and `PST` stays US Pacific as the contract's own examples use it.
    ("PST", "America/Los_Angeles", "Pacific time", -8, "tzdata", _NONE),
    ("PDT", "America/Los_Angeles", "Pacific time", -7, "tzdata", _NONE),
    ("PT", "America/Los_Angeles", "Pacific time", None, "usage", _NONE),
    ("MST", "America/Denver", "Mountain time", -7, "tzdata", _NONE),
    ("MDT", "America/Denver", "Mountain time", -6, "tzdata", _NONE),
    ("MT", "America/Denver", "Mountain time", None, "usage", _NONE),
    (
        "CST",
        "America/Chicago",
        "Central time",
        -6,
        "tzdata",
        (("China Standard Time", "Asia/Shanghai"), ("Cuba time", "America/Havana")),
    ),
    ("CDT", "America/Chicago", "Central time", -5, "tzdata", _NONE),
    ("CT", "America/Chicago", "Central time", None, "usage", _NONE),
    ("EST", "America/New_York", "Eastern time", -5, "tzdata", _NONE),
    ("EDT", "America/New_York", "Eastern time", -4, "tzdata", _NONE),
    ("ET", "America/New_York", "Eastern time", None, "usage", _NONE),
    ("AKST", "America/Anchorage", "Alaska time", -9, "tzdata", _NONE),
    ("AKDT", "America/Anchorage", "Alaska time", -8, "tzdata", _NONE),
    ("AKT", "America/Anchorage", "Alaska time", None, "usage", _NONE),
    ("HST", "Pacific/Honolulu", "Hawaii time", -10, "tzdata", _NONE),
    (
        "AST",
        "America/Halifax",
        "Atlantic time",
        -4,
        "tzdata",
        (("Arabia Standard Time", "Asia/Riyadh"),),
    ),
    ("ADT", "America/Halifax", "Atlantic time", -3, "tzdata", _NONE),
    ("NST", "America/St_Johns", "Newfoundland time", -3.5, "tzdata", _NONE),
    ("NDT", "America/St_Johns", "Newfoundland time", -2.5, "tzdata", _NONE),
    # UTC and its aliases. GMT is UTC+0 as Ghana keeps it, never London's summer clock.
    ("UTC", "UTC", "UTC", 0, "tzdata", _NONE),
    ("GMT", "UTC", "UTC", 0, "tzdata", _NONE),
    ("Z", "UTC", "UTC", 0, "usage", _NONE),
    # Europe.
    ("WET", "Europe/Lisbon", "Western European time", 0, "tzdata", _NONE),
    ("WEST", "Europe/Lisbon", "Western European time", 1, "tzdata", _NONE),
    ("BST", "Europe/London", "UK time", 1, "tzdata", (("Bangladesh time", "Asia/Dhaka"),)),
    ("CET", "Europe/Paris", "Central European time", 1, "tzdata", _NONE),
    ("CEST", "Europe/Paris", "Central European time", 2, "tzdata", _NONE),
    ("EET", "Europe/Athens", "Eastern European time", 2, "tzdata", _NONE),
    ("EEST", "Europe/Athens", "Eastern European time", 3, "tzdata", _NONE),
    ("MSK", "Europe/Moscow", "Moscow time", 3, "tzdata", _NONE),
    ("TRT", "Europe/Istanbul", "Turkey time", 3, "usage", _NONE),
    # Africa: no summer time in any of these regions today.
    ("WAT", "Africa/Lagos", "West Africa time", 1, "tzdata", _NONE),
    ("CAT", "Africa/Lusaka", "Central Africa time", 2, "tzdata", _NONE),
    ("EAT", "Africa/Nairobi", "East Africa time", 3, "tzdata", _NONE),
    ("SAST", "Africa/Johannesburg", "South Africa time", 2, "tzdata", _NONE),
    # Asia.
    ("GST", "Asia/Dubai", "Gulf time", 4, "usage", _NONE),
    ("PKT", "Asia/Karachi", "Pakistan time", 5, "tzdata", _NONE),
    (
        "IST",
        "Asia/Kolkata",
        "India time",
        5.5,
        "tzdata",
        (("Irish time", "Europe/Dublin"), ("Israel time", "Asia/Jerusalem")),
    ),
    ("NPT", "Asia/Kathmandu", "Nepal time", 5.75, "usage", _NONE),
    ("ICT", "Asia/Bangkok", "Indochina time", 7, "usage", _NONE),
    ("WIB", "Asia/Jakarta", "western Indonesia time", 7, "tzdata", _NONE),
    ("WITA", "Asia/Makassar", "central Indonesia time", 8, "tzdata", _NONE),
    ("WIT", "Asia/Jayapura", "eastern Indonesia time", 9, "tzdata", _NONE),
    ("SGT", "Asia/Singapore", "Singapore time", 8, "usage", _NONE),
    ("MYT", "Asia/Kuala_Lumpur", "Malaysia time", 8, "usage", _NONE),
    ("PHT", "Asia/Manila", "Philippine time", 8, "usage", _NONE),
    ("PHST", "Asia/Manila", "Philippine time", 8, "usage", _NONE),
    ("HKT", "Asia/Hong_Kong", "Hong Kong time", 8, "tzdata", _NONE),
    ("KST", "Asia/Seoul", "Korea time", 9, "tzdata", _NONE),
    ("JST", "Asia/Tokyo", "Japan time", 9, "tzdata", _NONE),
    # Australia and New Zealand. Queensland keeps AEST and the Northern Territory ACST all
    # year; the season note tells a responder there to write the fixed offset.
    ("AWST", "Australia/Perth", "western Australia time", 8, "tzdata", _NONE),
    ("ACST", "Australia/Adelaide", "Adelaide time", 9.5, "tzdata", _NONE),
    ("ACDT", "Australia/Adelaide", "Adelaide time", 10.5, "tzdata", _NONE),
    ("AEST", "Australia/Sydney", "Sydney time", 10, "tzdata", _NONE),
    ("AEDT", "Australia/Sydney", "Sydney time", 11, "tzdata", _NONE),
    ("NZST", "Pacific/Auckland", "New Zealand time", 12, "tzdata", _NONE),
    ("NZDT", "Pacific/Auckland", "New Zealand time", 13, "tzdata", _NONE),
)

PLACE_WORDS: tuple[tuple[str, str], ...] = (
    # Region words (usage), read with or without a following "time": `Pacific`,
    # `Eastern time`. US usage for the four continental regions, as responders write them.
    ("pacific", "America/Los_Angeles"),
    ("mountain", "America/Denver"),
    ("central", "America/Chicago"),
    ("eastern", "America/New_York"),
    ("alaska", "America/Anchorage"),
    ("hawaii", "Pacific/Honolulu"),
    ("atlantic", "America/Halifax"),
    ("uk", "Europe/London"),
    ("british", "Europe/London"),
    ("india", "Asia/Kolkata"),
    ("indian", "Asia/Kolkata"),
    ("japan", "Asia/Tokyo"),
    ("korea", "Asia/Seoul"),
    ("china", "Asia/Shanghai"),
    ("pakistan", "Asia/Karachi"),
    ("nepal", "Asia/Kathmandu"),
    ("philippine", "Asia/Manila"),
    ("philippines", "Asia/Manila"),
    ("kenya", "Africa/Nairobi"),
    ("zambia", "Africa/Lusaka"),
    ("ghana", "Africa/Accra"),
    ("nigeria", "Africa/Lagos"),
    ("west africa", "Africa/Lagos"),
    ("central africa", "Africa/Lusaka"),
    ("east africa", "Africa/Nairobi"),
    ("south africa", "Africa/Johannesburg"),
    ("western european", "Europe/Lisbon"),
    ("central european", "Europe/Paris"),
    ("eastern european", "Europe/Athens"),
    # Cities that tzdata does not name but responders do (usage). Cities tzdata names
    # (`Nairobi`, `London`, `Singapore`, `New York`) come from tzdata itself.
    ("san francisco", "America/Los_Angeles"),
    ("seattle", "America/Los_Angeles"),
    ("austin", "America/Chicago"),
    ("dallas", "America/Chicago"),
    ("houston", "America/Chicago"),
    ("boston", "America/New_York"),
    ("washington", "America/New_York"),
    ("atlanta", "America/New_York"),
    ("miami", "America/New_York"),
    ("mumbai", "Asia/Kolkata"),
    ("delhi", "Asia/Kolkata"),
    ("new delhi", "Asia/Kolkata"),
    ("bangalore", "Asia/Kolkata"),
    ("bengaluru", "Asia/Kolkata"),
    ("beijing", "Asia/Shanghai"),
)
"""Place words a responder may name a zone by; "region wall clock" throughout."""
