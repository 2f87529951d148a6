"""AWS Support for an incident: the plan check, `support`, `support open`, `support reply`.

Slack wants an answer within 3 seconds and AWS Support is often slower, so each command is
split in two. What only touches the database (who may, is a case already open, the claim
that stops a second concurrent `support open`) runs before the acknowledgement; the AWS
call runs after it. State first: the claim is committed before AWS is asked, and the
outcome is recorded, with its timeline entry and channel announcement, in one transaction.

Nothing about the plan is cached: every command asks AWS again, because a plan can be
bought in the middle of an incident and the next command must see it.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import mrkdwn
from bot.domain.errors import (
    AwsNotConfigured,
    NoSupportSubscription,
    SupportError,
    UsageError,
    WarroomError,
)
from bot.domain.incident import Severity, Status, reference
from bot.domain.permissions import require_commander
from bot.domain.support import (
    SUPPORT_CENTER_URL,
    PlanCheck,
    PlanClass,
    Support,
    case_console_url,
    check_communication_body,
    not_configured_check,
    production_down_advice,
    severity_phrase,
)
from bot.domain.timeline import EntryKind
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.services.incidents import refresh_summary
from bot.services.ports import ChatError
from bot.store import repo
from bot.store.models import Incident, SupportCase, TimelineEntry

log = logging.getLogger(__name__)

# A claimed-but-not-yet-opened case is a support_cases row with these markers.
PENDING_SEVERITY = "pending"
PENDING_PREFIX = "pending-"
# A claim older than this was left by a process that died mid-call: it no longer blocks.
CLAIM_TIMEOUT = timedelta(minutes=5)
MAX_SUBJECT = 255
BODY_TIMELINE_ENTRIES = 10
MAX_BODY_ENTRY = 400
MAX_BODY = 7_800  # under the API's 8,000 characters

NOT_CONFIGURED = (
    "AWS is not configured for this bot, so warroom cannot ask AWS Support anything. Give "
    "warroom AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or an IAM "
    "role) allowed the Support actions in the README. Until then, use the AWS console: "
    f"{SUPPORT_CENTER_URL}"
)
_KNOWN_PLANS = {PlanClass.NONE.value, PlanClass.BUSINESS.value, PlanClass.ENTERPRISE.value}
_MENTION = re.compile(r"<[@#!]([A-Za-z0-9^_-]+)(?:\|([^>]*))?>")


class Teller(Protocol):
    """Whoever tells the person who asked (bot.slack.responder.Responder in the app)."""

    def say(self, text: str) -> None: ...


def require_support(ctx: ServiceContext) -> Support:
    if ctx.support is None:
        raise AwsNotConfigured(NOT_CONFIGURED)
    support: Support = ctx.support
    return support


def is_pending(case: SupportCase) -> bool:
    return case.severity == PENDING_SEVERITY


def case_label(case: SupportCase) -> str:
    return case.display_id or case.case_id


def current_case(session: Session, incident_number: int) -> SupportCase | None:
    """The incident's open AWS case (a real one, never a claim in progress)."""
    return session.scalars(
        select(SupportCase)
        .where(
            SupportCase.incident_number == incident_number,
            SupportCase.resolved_at.is_(None),
            SupportCase.severity != PENDING_SEVERITY,
        )
        .order_by(SupportCase.opened_at.desc(), SupportCase.id.desc())
    ).first()


def latest_case(session: Session, incident_number: int) -> SupportCase | None:
    """The incident's most recent real case, open or resolved (for the postmortem)."""
    return session.scalars(
        select(SupportCase)
        .where(
            SupportCase.incident_number == incident_number,
            SupportCase.severity != PENDING_SEVERITY,
        )
        .order_by(SupportCase.opened_at.desc(), SupportCase.id.desc())
    ).first()


# --- the plan -----------------------------------------------------------------------------


def ask_plan(ctx: ServiceContext) -> PlanCheck:
    """AWS's answer now; with no Support port, the not-configured answer (never raises)."""
    if ctx.support is None:
        return not_configured_check("no AWS credentials were given to warroom.")
    check: PlanCheck = ctx.support.check_plan()
    return check


def plan_summary_line(check: PlanCheck, case: SupportCase | None = None) -> str:
    """The pinned summary's `AWS support plan:` line (bot.services.summary shows it)."""
    plan = check.plan_class
    if plan.allows_cases and check.highest_severity:
        line = (
            f"{plan.label}: can open {severity_phrase(check.highest_severity)} cases "
            "(`/incident support open`)."
        )
    elif plan is PlanClass.NONE:
        line = (
            f":warning: {plan.label}: warroom cannot open a case. A production-down case needs "
            "a Business-class plan or higher: see `/incident support`."
        )
    else:
        line = f":warning: {mrkdwn.escape(check.detail)}"
    if case is not None:
        line += (
            f" Case <{case_console_url(case.case_id)}|{case_label(case)}> is open "
            f"(`{case.severity}`)."
        )
    return line


def plan_warning(number: int, check: PlanCheck) -> str | None:
    """What the channel is told at declaration when no production-down case can be opened."""
    if check.plan_class is PlanClass.NONE:
        return (
            f":warning: *No AWS support plan with API access* on this account (Basic or "
            f"Developer class): warroom cannot open an AWS support case for {reference(number)}. "
            + production_down_advice()
        )
    if check.plan_class is PlanClass.UNKNOWN:
        return f":warning: {mrkdwn.escape(check.detail)}"
    return None


def record_plan(
    ctx: ServiceContext, number: int, check: PlanCheck, *, warn: bool, by_user: str | None = None
) -> list[int]:
    """Store what AWS said about the plan on the incident; returns outbox ids to deliver.

    A change between two known plan classes (the plan was bought mid-incident) is a
    timeline event: the postmortem should show when the account became able to open a case.
    """
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, number, for_update=True)
        old = incident.support_plan
        new = check.plan_class.value
        incident.support_plan = new
        incident.support_plan_detail = plan_summary_line(check, current_case(session, number))
        incident.support_checked_at = now
        if old in _KNOWN_PLANS and new in _KNOWN_PLANS and old != new:
            text = (
                f"AWS support plan is now: {check.plan_class.label} (was: {PlanClass(old).label})"
            )
            repo.add_timeline_entry(
                session,
                incident,
                kind=EntryKind.SUPPORT,
                text=text,
                author_id=by_user,
                occurred_at=now,
                recorded_at=now,
                data={"old_plan": old, "new_plan": new},
            )
        warning = plan_warning(number, check) if warn else None
        return outbox.announce(session, incident, warning, ctx.clock) if warning else []


def check_plan_after_declare(ctx: ServiceContext, number: int, responder: Teller) -> None:
    """The `after_declare` hook: check the plan, show it in the pinned summary, and warn the
    channel when this account could not open a production-down case."""
    check = ask_plan(ctx)
    ids = record_plan(ctx, number, check, warn=True)
    if outbox.deliver(ctx.db, ctx.chat, ctx.clock, ids):
        responder.say(
            ":warning: warroom could not post the AWS support plan warning in the channel; it "
            "will retry."
        )
    refresh_summary(ctx, number)


def describe_plan(ctx: ServiceContext, number: int, user: str | None = None) -> str:
    """`/incident support`: ask AWS now, store it, and say what can be opened."""
    require_support(ctx)
    check = ask_plan(ctx)
    record_plan(ctx, number, check, warn=False, by_user=user)
    refresh_summary(ctx, number)
    with ctx.db.transaction() as session:
        case = current_case(session, number)
        case_line = _open_case_line(case) if case is not None else None
    if not check.can_open_case:
        return f":warning: *AWS support plan:* {mrkdwn.escape(check.detail)}"
    assert check.highest_severity is not None
    lines = [
        f"*AWS support plan:* {check.detail}",
        "*Severities this account can open:* "
        + ", ".join(severity_phrase(code) for code in check.severities),
    ]
    if case_line:
        lines.append(case_line)
    else:
        lines.append(
            "The commander opens a case at once with `/incident support open [<subject>]`: "
            f"it will be {severity_phrase(check.highest_severity)}."
        )
    return "\n".join(lines)


def _open_case_line(case: SupportCase) -> str:
    return (
        f"*Open case:* <{case_console_url(case.case_id)}|{case_label(case)}> "
        f"(`{case.severity}`, `{case.case_id}`). Write to it with "
        "`/incident support reply <text>`."
    )


# --- opening a case -----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseClaim:
    """A `support open` the database accepted; `placeholder_id` is None for a drill."""

    incident_number: int
    user: str
    subject: str
    drill: bool
    placeholder_id: int | None


@dataclass(frozen=True)
class Outcome:
    """What to tell the asker once the after-acknowledgement work is done."""

    message: str


def default_subject(incident: Incident) -> str:
    severity = Severity(incident.severity).label
    return f"[{reference(incident.number)} {severity}] {incident.title}"[:MAX_SUBJECT]


def claim_case(
    ctx: ServiceContext, *, incident_number: int, user: str, subject: str | None
) -> CaseClaim:
    """Before the acknowledgement: refuse or claim. The incident row is locked and a
    placeholder case row inserted, so two `support open` at once never open two cases."""
    subject = " ".join((subject or "").split())
    if len(subject) > MAX_SUBJECT:
        raise UsageError(
            f"AWS takes a case subject of at most {MAX_SUBJECT} characters; this one has "
            f"{len(subject)}. Leave it out to use the incident's title."
        )
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, incident_number, for_update=True)
        require_commander(user, incident.commander_id, ctx.policy.admins, "support open")
        ref = reference(incident.number)
        if incident.status == Status.RESOLVED.value:
            raise WarroomError(f"{ref} is resolved: no AWS case is opened for it.")
        subject = subject or default_subject(incident)
        if incident.is_drill:
            return CaseClaim(incident.number, user, subject, drill=True, placeholder_id=None)
        require_support(ctx)
        _refuse_if_open(session, incident.number, now)
        placeholder = SupportCase(
            incident_number=incident.number,
            case_id=f"{PENDING_PREFIX}{uuid.uuid4().hex}",
            display_id=None,
            severity=PENDING_SEVERITY,
            plan=None,
            subject=subject,
            opened_by=user,
            opened_at=now,
        )
        session.add(placeholder)
        session.flush()
        return CaseClaim(incident.number, user, subject, drill=False, placeholder_id=placeholder.id)


def _refuse_if_open(session: Session, number: int, now: datetime) -> None:
    ref = reference(number)
    rows = session.scalars(
        select(SupportCase).where(
            SupportCase.incident_number == number, SupportCase.resolved_at.is_(None)
        )
    ).all()
    for row in rows:
        if not is_pending(row):
            raise WarroomError(
                f"{ref} already has an open AWS support case: {case_label(row)} "
                f"(`{row.severity}`, `{row.case_id}`, {case_console_url(row.case_id)}). "
                "Add to it with `/incident support reply <text>`."
            )
        if row.opened_at > now - CLAIM_TIMEOUT:
            raise WarroomError(
                f"An AWS support case for {ref} is being opened right now (asked by "
                f"<@{row.opened_by}>); its id will be posted in the channel. Then add to it "
                "with `/incident support reply <text>`."
            )
        session.delete(row)  # a stale claim: its process died before AWS answered


def open_claimed_case(ctx: ServiceContext, claim: CaseClaim) -> Outcome:
    """After the acknowledgement: ask AWS for the plan, open the case at the highest
    severity it allows, and record it. Any failure releases the claim and reaches the asker."""
    assert claim.placeholder_id is not None, "a drill is rehearsed, never opened"
    try:
        support = require_support(ctx)
        check = support.check_plan()
        if not check.can_open_case:
            ids = record_plan(ctx, claim.incident_number, check, warn=False)
            outbox.deliver(ctx.db, ctx.chat, ctx.clock, ids)
            refresh_summary(ctx, claim.incident_number)
            raise _cannot_open(claim.incident_number, check)
        assert check.highest_severity is not None
        body = _case_body(ctx, claim.incident_number)
        opened = support.open_case(
            subject=claim.subject,
            body=body,
            severity=check.highest_severity,
            cc_emails=list(ctx.policy.support_cc),
            service_code=ctx.policy.support_service_code,
            category_code=ctx.policy.support_category_code,
        )
    except Exception:
        _release(ctx, claim)
        raise
    now = ctx.clock.now()
    display = opened.display_id or opened.case_id
    url = case_console_url(opened.case_id)
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, claim.incident_number, for_update=True)
        case = session.get(SupportCase, claim.placeholder_id)
        if case is None:  # the claim timed out and was cleared meanwhile: keep the case anyway
            case = SupportCase(incident_number=incident.number, opened_by=claim.user)
            session.add(case)
        case.case_id, case.display_id = opened.case_id, opened.display_id
        case.severity, case.plan = check.highest_severity, check.plan_class.value
        case.subject, case.opened_at = claim.subject, now
        session.flush()
        incident.support_plan = check.plan_class.value
        incident.support_plan_detail = plan_summary_line(check, case)
        incident.support_checked_at = now
        meaning = severity_phrase(check.highest_severity)
        repo.add_timeline_entry(
            session,
            incident,
            kind=EntryKind.SUPPORT,
            author_id=claim.user,
            text=f"AWS support case {display} opened ({meaning}) by <@{claim.user}>: "
            f"{claim.subject} (case id {opened.case_id})",
            occurred_at=now,
            recorded_at=now,
            data={
                "case_id": opened.case_id,
                "display_id": opened.display_id,
                "severity": check.highest_severity,
                "plan": check.plan_class.value,
            },
        )
        ids: list[int] = []
        if incident.channel_id:
            announcement = (
                f":sos: AWS support case *{display}* opened for {reference(incident.number)} "
                f"by <@{claim.user}>: {meaning}, subject “{mrkdwn.escape(claim.subject)}”.\n"
                f"Case id `{opened.case_id}`. Console: <{url}|open the case>.\n"
                "AWS's replies will be posted here and logged on the timeline; write to AWS "
                "with `/incident support reply <text>`."
            )
            ids += outbox.announce(session, incident, announcement, ctx.clock)
    failed = outbox.deliver(ctx.db, ctx.chat, ctx.clock, ids)
    refresh_summary(ctx, claim.incident_number)
    message = (
        f":white_check_mark: AWS support case {display} (`{check.highest_severity}`) is open: {url}"
    )
    if failed:
        message += " (Slack did not take the channel announcement yet; warroom will retry.)"
    return Outcome(message)


def _cannot_open(number: int, check: PlanCheck) -> SupportError:
    prefix = f"No AWS support case was opened for {reference(number)}. "
    if check.plan_class is PlanClass.NONE:
        return NoSupportSubscription(prefix + check.detail)
    if check.plan_class is PlanClass.NOT_CONFIGURED:
        return AwsNotConfigured(prefix + check.detail)
    return SupportError(prefix + check.detail)


def _release(ctx: ServiceContext, claim: CaseClaim) -> None:
    with ctx.db.transaction() as session:
        placeholder = session.get(SupportCase, claim.placeholder_id)
        if placeholder is not None and is_pending(placeholder):
            session.delete(placeholder)


def rehearse_case(ctx: ServiceContext, claim: CaseClaim) -> Outcome:
    """A drill never opens a real case: record what would have been opened, so the game day
    shows whether this account could open a production-down case today."""
    check = ask_plan(ctx)
    ids = record_plan(ctx, claim.incident_number, check, warn=False)
    now = ctx.clock.now()
    if check.can_open_case:
        assert check.highest_severity is not None
        what = (
            f"Drill: no AWS case was opened. A real incident would have opened a "
            f"{severity_phrase(check.highest_severity)} case “{claim.subject}”"
            + (f", cc {', '.join(ctx.policy.support_cc)}" if ctx.policy.support_cc else "")
            + f" ({check.plan_class.label})."
        )
    else:
        what = f"Drill: a real incident could NOT have opened an AWS case. {check.detail}"
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, claim.incident_number, for_update=True)
        repo.add_timeline_entry(
            session,
            incident,
            kind=EntryKind.SUPPORT,
            author_id=claim.user,
            text=f"{what} (asked by <@{claim.user}>)",
            occurred_at=now,
            recorded_at=now,
            data={
                "drill": True,
                "would_open": check.can_open_case,
                "severity": check.highest_severity,
                "subject": claim.subject,
                "plan": check.plan_class.value,
            },
        )
        if incident.channel_id:
            ids += outbox.announce(
                session, incident, f":test_tube: {mrkdwn.escape(what)}", ctx.clock
            )
    outbox.deliver(ctx.db, ctx.chat, ctx.clock, ids)
    refresh_summary(ctx, claim.incident_number)
    return Outcome(f":test_tube: {what}")


def _case_body(ctx: ServiceContext, number: int) -> str:
    """What AWS reads first: the incident as it stands, in plain text, times in UTC."""
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, number)
        entries = [e for e in repo.timeline(session, number) if e.struck_at is None]
        facts = _IncidentFacts.of(incident, entries[-BODY_TIMELINE_ENTRIES:])
    link = None
    if facts.channel_id and facts.summary_ts:
        try:
            link = ctx.chat.permalink(facts.channel_id, facts.summary_ts)
        except ChatError as error:
            log.warning("no permalink for %s: %s", reference(number), error.code)
    return facts.body(link)


@dataclass(frozen=True)
class _IncidentFacts:
    number: int
    title: str
    severity: str
    status: str
    declared_at: datetime
    summary: str | None
    channel_id: str | None
    channel_name: str | None
    summary_ts: str | None
    entries: Sequence[tuple[datetime, str, str]]

    @classmethod
    def of(cls, incident: Incident, entries: Sequence[TimelineEntry]) -> _IncidentFacts:
        return cls(
            incident.number,
            incident.title,
            incident.severity,
            incident.status,
            incident.declared_at,
            incident.summary,
            incident.channel_id,
            incident.channel_name,
            incident.summary_message_ts,
            [(e.occurred_at, e.kind, e.text) for e in entries],
        )

    def body(self, link: str | None) -> str:
        where = f"#{self.channel_name}" if self.channel_name else "(no Slack channel)"
        lines = [
            f"Incident {reference(self.number)}: {self.title}",
            f"Severity: {Severity(self.severity).label}. Status: {self.status}. "
            f"Declared: {_utc(self.declared_at)}.",
        ]
        if self.summary:
            lines.append(f"Impact / summary: {plain_text(self.summary)}")
        lines.append(f"Incident Slack channel: {where}" + (f" {link}" if link else ""))
        lines += ["", "Latest timeline entries (all times in UTC):"]
        for occurred_at, kind, text in self.entries:
            line = plain_text(text)
            if len(line) > MAX_BODY_ENTRY:
                line = line[: MAX_BODY_ENTRY - 1] + "…"
            lines.append(f"- {_utc(occurred_at)} [{kind}] {line}")
        lines += [
            "",
            "Opened from Slack by warroom for the incident commander. Replies on this case "
            "are posted into the incident channel.",
        ]
        text = "\n".join(lines)
        return text if len(text) <= MAX_BODY else text[: MAX_BODY - 1] + "…"


def _utc(value: datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC"


def plain_text(text: str) -> str:
    """Slack's `<@U123|ada>` / `<#C1|name>` become `@ada` / `#name` for AWS's plain text."""

    def readable(match: re.Match[str]) -> str:
        sigil = match.group(0)[1]
        return f"{sigil if sigil != '!' else '@'}{match.group(2) or match.group(1)}"

    return _MENTION.sub(readable, text)


# --- writing to the case ------------------------------------------------------------------


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
    outbox.deliver(ctx.db, ctx.chat, ctx.clock, ids)
    return Outcome(f":white_check_mark: Sent to AWS case {pending.case_label}.")


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines() or [""])
