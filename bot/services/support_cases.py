"""`support open`: claim before the acknowledgement, open the AWS case after it.

A claim (a placeholder support_cases row, committed first) stops a second concurrent
`support open` from opening a second case; a drill never opens one and records what
would have been opened instead.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

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
    PlanCheck,
    PlanClass,
    case_console_url,
    severity_phrase,
)
from bot.domain.timeline import EntryKind
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.services.incidents import refresh_summary
from bot.services.ports import ChatError
from bot.services.support import (
    BODY_TIMELINE_ENTRIES,
    CLAIM_TIMEOUT,
    MAX_BODY,
    MAX_BODY_ENTRY,
    MAX_SUBJECT,
    MENTION,
    PENDING_PREFIX,
    PENDING_SEVERITY,
    ask_plan,
    case_label,
    is_pending,
    plan_summary_line,
    record_plan,
    require_support,
)
from bot.store import repo
from bot.store import support as store_support
from bot.store.models import Incident, SupportCase, TimelineEntry

log = logging.getLogger(__name__)


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
    """What to tell the asker once the after-acknowledgement work is done, and the outbox
    rows it queued (the caller delivers them: `bot.slack.followup`)."""

    message: str
    queued: tuple[int, ...] = ()


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
    rows = store_support.unresolved_cases(session, number)
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
            record_plan(ctx, claim.incident_number, check, warn=False)  # queues nothing
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
        # AWS's own creation time: its replies are on its clock, so the time to the first
        # response is measured on one clock (the bot's `now` came after the create returned).
        case.subject, case.opened_at = claim.subject, opened.time_created or now
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
    refresh_summary(ctx, claim.incident_number)
    message = (
        f":white_check_mark: AWS support case {display} (`{check.highest_severity}`) is open: {url}"
    )
    return Outcome(message, tuple(ids))


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
    refresh_summary(ctx, claim.incident_number)
    return Outcome(f":test_tube: {what}", tuple(ids))


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

    return MENTION.sub(readable, text)


# --- writing to the case ------------------------------------------------------------------
