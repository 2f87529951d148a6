"""Escaping user text for Slack.

Slack reads `<!channel>`, `<@U123>` and `<http://x|label>` as control sequences. Escaping
`&`, `<` and `>` (Slack's documented rule) turns them back into plain text, so a title
typed by a responder can never ping a channel or hide a link.
"""

from __future__ import annotations

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    return text.translate(_ESCAPES)


def unescape(text: str) -> str:
    """What the person typed: Slack sends `&`, `<`, `>` in command text as entities.

    Stored text is what the human meant; it is escaped again whenever it is shown, so a
    literal `<` typed in a title never turns into `&amp;lt;` on the way back out.
    """
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def user(user_id: str | None) -> str:
    """A mention of a user the bot itself names (ids come from Slack, not from free text)."""
    return f"<@{user_id}>" if user_id else "_unknown_"


def channel(channel_id: str | None) -> str:
    return f"<#{channel_id}>" if channel_id else "_no channel_"
