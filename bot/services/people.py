"""Display names of the people in an incident.

Slack shows `<@U0ADA>` as the person's name, but a postmortem pasted into a wiki cannot
ask Slack. warroom remembers names as it learns them (the name in a command payload, the
`|name` half of a mention, `users.info` when exporting from Slack) and the export reads
them from here. Unknown ids stay ids: never a guessed name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.services.context import ServiceContext
from bot.services.ports import ChatError
from bot.store.people import known as known
from bot.store.people import remember as remember

NAMED_MENTION = re.compile(r"<@([UW][A-Z0-9]+)\|([^>]+)>")


def names_in_command(user_id: str, user_name: str | None, text: str) -> dict[str, str]:
    """What a slash command tells us for free: who typed it, and named mentions."""
    found = {match.group(1): match.group(2) for match in NAMED_MENTION.finditer(text)}
    if user_name:
        found[user_id] = user_name
    return found


def learn_from_command(ctx: ServiceContext, user_id: str, user_name: str | None, text: str) -> None:
    found = names_in_command(user_id, user_name, text)
    if not found:
        return
    with ctx.db.transaction() as session:
        stored = known(session, found)
        changed = {uid: name for uid, name in found.items() if stored.get(uid) != name}
        if changed:
            remember(session, changed, ctx.clock.now())


def learn_from_slack(ctx: ServiceContext, user_ids: Iterable[str]) -> None:
    """Ask Slack (`users.info`) for the names not yet known; best effort."""
    with ctx.db.transaction() as session:
        wanted = set(user_ids) - set(known(session, user_ids))
    found: dict[str, str] = {}
    for user_id in sorted(wanted):
        try:
            name = ctx.chat.user_name(user_id)
        except ChatError:
            continue
        if name:
            found[user_id] = name
    if found:
        with ctx.db.transaction() as session:
            remember(session, found, ctx.clock.now())
