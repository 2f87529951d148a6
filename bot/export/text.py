"""User text on its way into a document: Slack markup decoded, then made inert for Markdown.

Everything a responder typed (titles, timeline entries, follow-ups, reasons) is untrusted.
HTML gets Jinja2's autoescape; Markdown has no such thing, so `escape_md` backslash-escapes
every character that could start a link, image, heading, table cell, emphasis, code span or
raw HTML, and the Markdown template applies it to every value by default (see render.py).
Nothing here changes what was said: JSON keeps the text exactly as stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from markupsafe import Markup, escape

# Slack's wire format, recognised only in the shapes Slack produces, so that anything else in
# angle brackets (`<b>`, `<script>`) stays exactly as typed: <@U123>, <@U123|name>,
# <#C123|name>, <!here>, <!subteam^S1|@team>, <!date^...|fallback>, <https://x|label>.
_SLACK_TOKEN = re.compile(
    r"<(?:(@)([UW][A-Z0-9]+)|(#)(C[A-Z0-9]+)|(!)([a-z]+(?:\^[^<>|]*)?)"
    r"|((?:https?|mailto):[^<>|\s]+))(?:\|([^<>]*))?>"
)


class MdSafe(str):
    """Markdown written by warroom itself (not user text): the template leaves it as is."""

    __slots__ = ()


def slack_to_plain(text: str, names: Mapping[str, str] | None = None) -> str:
    """Read Slack markup the way Slack shows it: `<@U1|dana>` is `@dana`, `<!here>` `@here`.

    Slack's `&lt;`/`&gt;`/`&amp;` are left alone: turning them back into characters belongs
    to the Slack edge, when text is stored, not to every renderer.
    """

    def token(match: re.Match[str]) -> str:
        at, user, hash_, channel, bang, special, url, label = match.groups()
        if at:
            return "@" + (label or (names or {}).get(user) or user)
        if hash_:
            return "#" + (label or channel)
        if bang:
            return label or "@" + special.split("^", 1)[0]
        if label and label != url:
            return f"{label} ({url})"
        return url

    return _SLACK_TOKEN.sub(token, text)


# Characters that mean something to CommonMark/GFM anywhere in a line. `&` is included so an
# entity like `&lt;` stays the four characters the user typed.
_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|~!&])")
# Characters that mean something only at the start of a line: list markers, setext
# underlines, ordered-list numbers (`)` is already escaped above).
_LINE_START_MARKER = re.compile(r"^([-+=])")
_LINE_START_NUMBER = re.compile(r"^(\d{1,9})\.(?=\s|$)")


def escape_md(text: str) -> MdSafe:
    """One line of inert Markdown: newlines fold to spaces, so a table row cannot break."""
    if (
        "\n" in text
        or "\r" in text
        or "\t" in text
        or "  " in text
        or text[:1].isspace()
        or text[-1:].isspace()
    ):
        text = " ".join(text.split())
    return MdSafe(_escape_line(text))


def escape_md_block(text: str) -> MdSafe:
    """Several lines of inert Markdown, each kept as a line (hard breaks), paragraphs kept."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    rendered = []
    for paragraph in paragraphs:
        lines = [_md_with_links(" ".join(line.split())) for line in paragraph.splitlines()]
        rendered.append("  \n".join(line for line in lines if line))
    return MdSafe("\n\n".join(p for p in rendered if p))


_INLINE_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#|~!&"})


def _escape_line(line: str) -> str:
    # str.translate is one C pass; a 10,000-entry export escapes ~90,000 values.
    escaped = line.translate(_INLINE_ESCAPES)
    if escaped[:1].isdigit():
        escaped = _LINE_START_NUMBER.sub(r"\1\\.", escaped)
    elif escaped[:1] in ("-", "+", "="):
        escaped = "\\" + escaped
    return escaped


# A token no line can hold whole: a URL, an ARN, a long id. Only these may break anywhere.
_LONG_TOKEN = re.compile(r"(\S{28,}|(?:https?://|arn:)\S+)")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def html_rich(text: str) -> Markup:
    """User text as HTML: escaped, Slack's `code` as <code>, long tokens marked so that
    only they may break mid-token (everything else wraps between words)."""
    parts: list[str] = []
    for index, piece in enumerate(_CODE_SPAN.split(text)):
        inner = "".join(
            f'<span class="token">{escape(chunk)}</span>' if odd % 2 else str(escape(chunk))
            for odd, chunk in enumerate(_LONG_TOKEN.split(piece))
        )
        parts.append(f"<code>{inner}</code>" if index % 2 else inner)
    return Markup("".join(parts))  # noqa: S704 - every user piece went through escape()


def md_rich(text: str) -> MdSafe:
    """User text as one line of inert Markdown, with Slack's `code` kept as code spans and
    bare URLs as autolinks (`<https://...>`), so escaped punctuation after a URL cannot
    become part of it."""
    text = " ".join(text.split())
    out: list[str] = []
    for index, piece in enumerate(_CODE_SPAN.split(text)):
        if index % 2:
            out.append("`" + piece.replace("|", "\\|") + "`")
        else:
            out.append(_md_with_links(piece))
    return MdSafe("".join(out))


_BARE_URL = re.compile(r"https?://[^\s<>\"`|\\]+")
_TRAILING = ".,:;!?'*_~"


def _md_with_links(text: str) -> str:
    out: list[str] = []
    last = 0
    for match in _BARE_URL.finditer(text):
        url = match.group(0)
        # As GFM's autolinker does: trailing punctuation and an unbalanced `)` end the text.
        while url and (url[-1] in _TRAILING or (url[-1] == ")" and _unbalanced(url))):
            url = url[:-1]
        if "://" not in url or url.endswith("://"):
            continue
        out.append(_escape_piece(text[last : match.start()], first=not out and last == 0))
        out.append(f"<{url}>")
        last = match.start() + len(url)
    out.append(_escape_piece(text[last:], first=not out))
    return "".join(out)


def _unbalanced(url: str) -> bool:
    return url.count("(") < url.count(")")


def _escape_piece(piece: str, *, first: bool) -> str:
    if not piece:
        return ""
    return _escape_line(piece) if first else piece.translate(_INLINE_ESCAPES)
