"""`support reply`: a message to the incident's open AWS case, noted on the timeline first."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import mrkdwn
from bot.domain.errors import (
    SupportError,
    UsageError,
    WarroomError,
)
from bot.domain.incident import reference
from bot.domain.support import (
    check_communication_body,
)
from bot.domain.timeline import EntryKind
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.services.support import (
    case_label,
    current_case,
    require_support,
)
from bot.services.support_cases import Outcome
from bot.store import repo
from bot.store.models import TimelineEntry


@dataclass(frozen=True)
class PendingReply:
    incident_number: int
    entry_id: int
    case_id: str
    case_label: str
    user: str
    text: str


def prepare_reply(
    ctx: ServiceContext, *, incident_number: int, user: str, text: str
) -> PendingReply:
    """Before the acknowledgement: check the text and the case, and put the message on the
    timeline at once (state first); `send_reply` strikes it if AWS does not take it."""
    if not text.strip():
        raise UsageError("What should AWS read? `/incident support reply <text>`")
    body = check_communication_body(text)
    require_support(ctx)
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, incident_number, for_update=True)
        case = current_case(session, incident.number)
        if case is None:
            raise WarroomError(
                f"{reference(incident.number)} has no open AWS support case to write to. The "
                "commander opens one with `/incident support open [<subject>]`."
            )
        label = case_label(case)
        entry = repo.add_timeline_entry(
            session,
            incident,
            kind=EntryKind.SUPPORT,
            author_id=user,
            text=f"Message to AWS case {label} by <@{user}>: {body}",
            occurred_at=now,
            recorded_at=now,
            data={"case_id": case.case_id, "direction": "to_aws"},
        )
        return PendingReply(incident.number, entry.id, case.case_id, label, user, body)


def send_reply(ctx: ServiceContext, pending: PendingReply) -> Outcome:
    """After the acknowledgement: give AWS the message and tell the channel."""
    support = require_support(ctx)
    try:
        support.add_communication(pending.case_id, pending.text)
    except SupportError as error:
        with ctx.db.transaction() as session:
            entry = session.get(TimelineEntry, pending.entry_id)
            if entry is not None:
                entry.struck_at = ctx.clock.now()
                entry.strike_reason = f"AWS did not take it: {error.user_message}"
        raise SupportError(
            f"{error.user_message}\nAWS did not get your message (it stays in the record, "
            "struck). Send it again with `/incident support reply <text>`."
        ) from None
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, pending.incident_number)
        ids: list[int] = []
        if incident.channel_id:
            quoted = _quote(mrkdwn.escape(pending.text))
            text = f":outbox_tray: <@{pending.user}> wrote on AWS case {pending.case_label}:\n"
            ids += outbox.announce(session, incident, text + quoted, ctx.clock)
    return Outcome(f":white_check_mark: Sent to AWS case {pending.case_label}.", tuple(ids))


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines() or [""])
