"""Slack user mentions as they arrive in command text: `<@U123>` or `<@U123|name>`."""

from __future__ import annotations

import re

from bot.domain.errors import UsageError

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def parse_user(token: str, usage: str) -> str:
    match = MENTION.fullmatch(token.strip())
    if not match:
        raise UsageError(
            f"`{token}` is not a Slack user. Mention the person with @, like this: `{usage}`"
        )
    return match.group(1)


def split_leading_user(text: str, usage: str) -> tuple[str, str]:
    """`<@U1|ann> going home` -> ("U1", "going home")."""
    text = text.strip()
    match = MENTION.match(text)
    if not match:
        first = text.split(maxsplit=1)[0] if text else "(nothing)"
        raise UsageError(
            f"`{first}` is not a Slack user. Mention the person with @, like this: `{usage}`"
        )
    return match.group(1), text[match.end() :].strip()


def parse_users(text: str, usage: str) -> list[str]:
    tokens = text.split()
    if not tokens:
        raise UsageError(f"Name at least one person: `{usage}`")
    users: list[str] = []
    for token in tokens:
        user_id = parse_user(token, usage)
        if user_id not in users:
            users.append(user_id)
    return users
