"""Incident channel names under Slack's rules: lowercase `[a-z0-9_-]`, at most 80 characters."""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 80


def slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return words or "incident"


def channel_name(
    prefix: str, number: int, title: str, *, drill: bool = False, attempt: int = 1
) -> str:
    """`inc-7-production-environment-deleted`; attempt 2 and on add `-2`, `-3`... so a
    taken name (an archived channel of that name, say) still yields a free one."""
    head = f"{prefix}-{number}-" + ("drill-" if drill else "")
    suffix = "" if attempt <= 1 else f"-{attempt}"
    room = MAX_LENGTH - len(head) - len(suffix)
    body = slug(title)[:room].rstrip("-") or "incident"
    return f"{head}{body}{suffix}"
