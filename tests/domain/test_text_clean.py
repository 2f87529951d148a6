"""What is stored of a person's text: no control characters, no bidi overrides."""

from __future__ import annotations

import pytest

from bot.domain.text_clean import clean_text

REMOVED = [chr(c) for c in range(0x20) if c not in (0x09, 0x0A)] + [
    "\x7f",
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
]


@pytest.mark.parametrize("char", REMOVED, ids=lambda c: f"U+{ord(c):04X}")
def test_each_unwanted_character_is_removed(char: str) -> None:
    assert clean_text(f"a{char}b") == "ab"


def test_newlines_tabs_and_ordinary_unicode_are_kept() -> None:
    text = "line one\n\tline two: café, 東京, 🚨, \u200d, \u2067 gone"
    assert clean_text(text) == "line one\n\tline two: café, 東京, 🚨, \u200d,  gone"
