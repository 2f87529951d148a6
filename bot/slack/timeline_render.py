"""The timeline as Slack messages, and the echo of a logged entry.

Times are shown in the reader's zone beside UTC, with a separator where the local day
changes, so "Thursday 3:20 AM" and "Friday 6:38 AM" can't be confused across a night.
When the reader's zone is unknown, Slack's `<!date^...>` token shows each reader their own
local time instead of a guess. Long timelines are split into several messages under
Slack's size limit; nothing is cut off.

Entry text is user text (or bot text that embeds user text, like a title): it is escaped
so `<!channel>` or a disguised link never reaches Slack as a control sequence, while user
mentions (`<@U123>`) stay mentions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.domain.errors import InvalidTime
from bot.domain.mentions import MENTION
from bot.domain.timefmt import in_zones, month_name, slack_date, weekday_name
from bot.domain.zones import is_utc, parse_zone
from bot.services.timeline import STRIKE_KIND, Logged, NumberedEntry

MAX_MESSAGE_CHARS = 3500
"""Per message. Slack advises keeping `text` under 4,000 characters (it cuts at 40,000)."""

_PART_LABEL_ROOM = 40  # "_(part 12 of 12, continued)_\n" fits in this

_ICONS = {
    "declared": ":rotating_light:",
    "note": ":memo:",
    "message": ":speech_balloon:",
    "status": ":traffic_light:",
    "severity": ":rotating_light:",
    "role": ":bust_in_silhouette:",
    "roster": ":busts_in_silhouette:",
    "support": ":sos:",
    "runbook": ":clipboard:",
    "followup": ":dart:",
    "impact": ":bar_chart:",
    "resolved": ":white_check_mark:",
    STRIKE_KIND: ":scissors:",
}
# Kinds a person wrote in their own words: the line names who.
_AUTHORED = {"note", "message", "followup", "impact"}

_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")
_SAFE_LINK = re.compile(r"https://[^\s<>|]+")


def safe_text(text: str) -> str:
    """Escape Slack's control characters, keeping user mentions as mentions.

    Slack already sends `&`, `<`, `>` in message text as entities; those are kept as they
    are rather than escaped twice (which would show `&amp;lt;` to the reader).
    """
    out: list[str] = []
    last = 0
    for match in MENTION.finditer(text):
        out.append(_escape(text[last : match.start()]))
        out.append(f"<@{match.group(1)}>")
        last = match.end()
    out.append(_escape(text[last:]))
    return "".join(out)


def _escape(text: str) -> str:
    return _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def strike_through(text: str) -> str:
    """Slack's `~` strikethrough does not cross line breaks: strike each line."""
    return "\n".join(f"~{line.strip()}~" if line.strip() else line for line in text.split("\n"))


def _local(at: datetime, zone: str | None) -> datetime:
    """`at` on the reader's wall clock; UTC when the zone is UTC or unknown."""
    return at.astimezone(parse_zone(zone)) if zone and not is_utc(zone) else at.astimezone(UTC)


def _clock(at: datetime, zone: str | None) -> str:
    """`06:38 PDT · 13:38 UTC`. Zone unknown: UTC and Slack's token, which shows each
    reader their own local time."""
    utc = f"{at.astimezone(UTC):%H:%M} UTC"
    if zone is None:
        return f"{utc} ({slack_date(at)} your time)"
    if is_utc(zone):
        return utc
    local = _local(at, zone)
    if local.date() != at.astimezone(UTC).date():
        utc = f"{weekday_name(at.astimezone(UTC))} {utc}"
    return f"{local:%H:%M} {local.tzname()} · {utc}"


def _day_label(at: datetime, zone: str | None) -> str:
    local = _local(at, zone)
    where = zone if zone and not is_utc(zone) else "UTC"
    return f"*— {weekday_name(local)} {month_name(local)} {local.day}, {local.year} ({where}) —*"


def entry_line(entry: NumberedEntry, zone: str | None) -> str:
    icon = _ICONS.get(entry.kind, ":small_blue_diamond:")
    text = safe_text(entry.text)
    if entry.kind in _AUTHORED and entry.author_id:
        text = f"<@{entry.author_id}>: {text}"
    if entry.kind == "followup":
        text = f"follow-up · {text}"
    if entry.permalink and _SAFE_LINK.fullmatch(entry.permalink):
        text = f"{text} <{entry.permalink}|(message)>"
    marks = " _(backdated)_" if entry.backdated else ""
    head = f"`{entry.number:>3}` {_clock(entry.occurred_at, zone)}"
    if entry.struck:
        reason = f": {safe_text(entry.strike_reason)}" if entry.strike_reason else ""
        by = f" by <@{entry.struck_by}>" if entry.struck_by else ""
        return f"{head} {icon} {strike_through(text)}{marks} _(struck{by}{reason})_"
    return f"{head} {icon} {text}{marks}"


def render_timeline(
    entries: Sequence[NumberedEntry],
    *,
    reference: str,
    zone: str | None,
    zone_source: str,
    now: datetime,
    limit: int = MAX_MESSAGE_CHARS,
) -> list[str]:
    """The timeline as one or more messages, each at most `limit` characters.

    `zone` None (unknown) shows UTC plus Slack's own local-time token for each entry; a
    UTC zone shows UTC alone.
    `zone_source` says where the zone came from ("your Slack profile", "as asked").
    """
    if zone is None:
        shown = "times in UTC, and in your own zone as Slack shows it"
    elif is_utc(zone):
        shown = f"times in UTC ({zone_source})"
    else:
        shown = f"times in {zone} ({zone_source}) and UTC"
    struck = sum(1 for e in entries if e.struck)
    counts = f"{len(entries)} entries" + (f", {struck} struck" if struck else "")
    header = (
        f"*{reference} timeline* · {counts} · {shown} · as of {slack_date(now)}\n"
        "_Numbers are for `/incident strike <n>`._"
    )
    if not entries:
        return [f"{header}\nNothing on the timeline yet. Add to it with `/incident log`."]
    lines: list[str] = []
    day = None
    for entry in entries:
        local = _local(entry.occurred_at, zone)
        if local.date() != day:
            day = local.date()
            lines.append(_day_label(entry.occurred_at, zone))
        lines.append(entry_line(entry, zone))
    return split_messages(header, lines, limit=limit)


def split_messages(header: str, lines: Sequence[str], *, limit: int) -> list[str]:
    """Pack lines into messages of at most `limit` characters, never dropping any.

    A line longer than a message is itself cut into pieces (at a space where possible,
    never inside a `<...>` token or an `&...;` entity). When there is more than one message,
    each is labelled "part k of n".
    """
    budget = limit - _PART_LABEL_ROOM
    if budget < 100:
        raise ValueError(f"limit {limit} is too small for a timeline message")
    pieces: list[str] = []
    for line in [header, *lines]:
        pieces.extend(_split_line(line, budget))
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) > budget and current:
            chunks.append(current)
            current = piece
        else:
            current = candidate
    if current:
        chunks.append(current)
    if len(chunks) == 1:
        return chunks
    total = len(chunks)
    return [
        chunk if k == 1 else f"_(part {k} of {total}, continued)_\n{chunk}"
        for k, chunk in enumerate(chunks, start=1)
    ]


def _split_line(line: str, budget: int) -> list[str]:
    pieces: list[str] = []
    while len(line) > budget:
        cut = line.rfind(" ", budget // 2, budget)
        cut = budget if cut <= 0 else cut
        cut = _outside_tokens(line, cut, floor=budget // 4)
        pieces.append(line[:cut])
        line = "↳ " + line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


def _outside_tokens(line: str, cut: int, *, floor: int) -> int:
    """Move a cut back so it does not fall inside `<...>` or `&...;`, but never below
    `floor` (a token longer than a message is cut rather than looped on)."""
    opened = line.rfind("<", 0, cut)
    if opened >= floor and line.rfind(">", 0, cut) < opened:
        cut = opened
    amp = line.rfind("&", 0, cut)
    if amp >= floor and ";" not in line[amp:cut]:
        cut = amp
    return cut


def logged_echo(logged: Logged, *, reference: str, team_zones: Sequence[str]) -> str:
    """The reply to `log`: what was stored, in UTC and every team zone, and any notes."""
    zones = [zone for zone in team_zones if _readable(zone)]
    if logged.zone and logged.zone not in zones:
        zones.append(logged.zone)
    when = "backdated to" if logged.backdated else "at"
    lines = [
        f":memo: Logged as entry {logged.number} on {reference}'s timeline, {when}:",
        in_zones(logged.occurred_at, zones),
        f"> {safe_text(logged.text)}".replace("\n", "\n> "),
    ]
    lines += [f":information_source: {safe_text(note)}" for note in logged.notes]
    if not logged.backdated and _looks_like_a_time(logged.text):
        lines.append(
            ":information_source: Logged at the current time. To give the time it happened, "
            "put it before a `|`: `/incident log 6:38 AM PST | what happened`."
        )
    return "\n".join(lines)


def _readable(zone: str) -> bool:
    """The entry is already stored: a zone the settings let through but warroom refuses
    (`localtime`) is left out of the echo rather than turning success into an error."""
    try:
        parse_zone(zone)
    except InvalidTime:
        return False
    return True


_LEADING_TIME = re.compile(
    r"^\s*(\d{1,2}[:.h]\d{2}|\d{1,2}\s*(am|pm)\b|\d+\s*[mh] ago\b|an? (hour|minute)s? ago\b)",
    re.IGNORECASE,
)


def _looks_like_a_time(text: str) -> bool:
    return bool(_LEADING_TIME.match(text))
