"""Text as it is stored: no control characters (other than newline and tab) and no
bidirectional overrides, which could make an update read differently than it was typed."""

from __future__ import annotations

import re

_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    return _UNWANTED.sub("", text)
