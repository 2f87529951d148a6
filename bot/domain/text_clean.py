"""Text as warroom stores and exports it: without the characters that hide or reorder words.

Control characters (a NUL that PostgreSQL cannot store, a backspace or an escape sequence
that rewrites a terminal line) and bidirectional overrides (U+202E turns `gpj.exe` into what
looks like `exe.jpg`) change what a reader sees without being seen themselves, and an HTML
document holding them is invalid. Newline and tab are kept: they are how people lay text out.
Shared by every place that takes text in and by the export, so all of them agree.
"""

from __future__ import annotations

import re

# U+0000-U+001F except tab (U+0009) and newline (U+000A), U+007F, the embeddings and
# overrides U+202A-U+202E, and the isolates U+2066-U+2069.
_UNSEEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """`text` with control characters and bidirectional overrides removed, nothing else."""
    return _UNSEEN.sub("", text)


def clean_optional(text: str | None) -> str | None:
    return None if text is None else clean_text(text)
