"""Text as warroom stores and exports it: without control characters and bidirectional
overrides.

A NUL cannot be stored in a PostgreSQL text column at all, other control characters garble
terminals and exports, and a bidi override (U+202E) can make a timeline line read
backwards from what it says. Newline and tab are kept: people write them.
"""

from __future__ import annotations

import re

_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean_text(s: str) -> str:
    """`s` without U+0000-U+001F (except newline and tab), U+007F, U+202A-U+202E and
    U+2066-U+2069."""
    return _UNWANTED.sub("", s)
