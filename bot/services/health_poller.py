"""AWS Health in the incident: at declaration, then on the support poller's rhythm.

Safe with N replicas on one database, with no process memory involved (the same shape as
`support_poller`):
- a replica claims an incident's watch for one poll by moving `last_polled_at` forward,
  under `FOR UPDATE SKIP LOCKED`, so replicas do not all ask AWS at once;
- each (event, status) is inserted into `health_notices` under a unique key BEFORE anything
  is posted, in the same transaction as its timeline entry and its outbox message: if two
  replicas still see the same event, one insert fails and it is posted once.

Without a Business-class plan AWS answers `SubscriptionRequiredException`: the watch is
marked unavailable once, the pinned summary's plan line says so, and nobody asks again for
that incident (an explicit `/incident health` still asks, and clears the mark if the plan
was bought meanwhile).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from bot.domain import mrkdwn
from bot.domain.errors import AwsNotConfigured, HealthError, HealthUnavailable
from bot.domain.health import HealthEvent
from bot.domain.incident import reference
from bot.domain.timeline import EntryKind
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.services.health_facts import IncidentHealth, incident_health
from bot.services.incidents import refresh_summary
from bot.store import health_repo, repo
from bot.store.models import HealthWatch

log = logging.getLogger(__name__)

MAX_POSTED_DESCRIPTION = 1_500
NOT_CONFIGURED = (
    "AWS is not configured for this bot, so warroom cannot ask AWS Health. Give warroom "
    "AWS credentials allowed `health:DescribeEvents`, `health:DescribeEventDetails` and "
    "`health:DescribeAffectedEntities` (see the README)."
)


def watch_health_after_declare(ctx: ServiceContext, number: int, responder: object) -> None:
    """The `after_declare` hook: start watching, and ask AWS Health at once."""
    if ctx.health is None:
        return
    now = ctx.clock.now()
    try:
        with ctx.db.transaction() as session:
            session.add(HealthWatch(incident_number=number, last_polled_at=now))
    except IntegrityError:
        return  # already watched (a retried declaration)
    poll_incident(ctx, number)


def poll_health(ctx: ServiceContext) -> int:
    """Poll every watched open incident this replica can claim; returns new notices."""
    if ctx.health is None:
        return 0
    lease = timedelta(seconds=ctx.policy.support_poll_seconds * 0.9)
    with ctx.db.transaction() as session:
        numbers = health_repo.claim_due(
            session, ctx.clock.now(), lease, skip_locked=ctx.db.dialect == "postgresql"
        )
    return sum(poll_incident(ctx, number) for number in numbers)


def poll_incident(ctx: ServiceContext, number: int, *, raise_errors: bool = False) -> int:
    """Ask AWS Health for this incident and record what is new; returns new notices.

    Events seen before that no longer come back as open are asked for by ARN, so a close is
    seen too. AWS trouble is logged (or raised, for a command) and asked again next time.
    """
    health = ctx.health
    if health is None:
        return 0
    with ctx.db.transaction() as session:
        known_open = [
            row.arn for row in health_repo.latest_notices(session, number) if row.status != "closed"
        ]
    try:
        events = health.open_events(ctx.policy.aws_regions)
        missing = sorted(set(known_open) - {event.arn for event in events})
        if missing:
            events += health.events(missing)
    except HealthUnavailable:
        if mark_unavailable(ctx, number):
            refresh_summary(ctx, number)
        if raise_errors:
            raise
        return 0
    except HealthError as error:
        log.warning("could not ask AWS Health for %s: %s", reference(number), error)
        if raise_errors:
            raise
        return 0
    changed = mark_available(ctx, number)
    ids: list[int] = []
    for event in events:
        queued = _record(ctx, number, event)
        if queued is not None:
            ids += queued
    if ids:
        outbox.deliver(ctx.db, ctx.chat, ctx.clock, ids)
    if ids or changed:
        refresh_summary(ctx, number)
    return len(ids)


def check_health_now(ctx: ServiceContext, number: int) -> IncidentHealth:
    """`/incident health`: ask AWS now (a plan bought meanwhile is seen), record what is
    new (posted once, like the poller's), then return what the incident knows."""
    if ctx.health is None:
        raise AwsNotConfigured(NOT_CONFIGURED)
    with contextlib.suppress(HealthUnavailable):  # said in the answer, from the stored mark
        poll_incident(ctx, number, raise_errors=True)
    return incident_health(ctx, number)


def mark_unavailable(ctx: ServiceContext, number: int) -> bool:
    """True for the one caller that marked it (the summary is refreshed once)."""
    with ctx.db.transaction() as session:
        row = health_repo.watch(session, number, for_update=True)
        if row is None:
            session.add(HealthWatch(incident_number=number, unavailable_at=ctx.clock.now()))
            return True
        if row.unavailable_at is not None:
            return False
        row.unavailable_at = ctx.clock.now()
        return True


def mark_available(ctx: ServiceContext, number: int) -> bool:
    """AWS answered; True when that changes what the summary says (first answer, or the
    plan was bought)."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        row = health_repo.watch(session, number, for_update=True)
        if row is None:
            session.add(HealthWatch(incident_number=number, last_polled_at=now, answered_at=now))
            return True
        changed = row.answered_at is None or row.unavailable_at is not None
        row.answered_at = row.answered_at or now
        row.unavailable_at = None
        return changed


def _record(ctx: ServiceContext, number: int, event: HealthEvent) -> list[int] | None:
    """Store one (event, status); None when it was already stored (here or elsewhere)."""
    now = ctx.clock.now()
    try:
        with ctx.db.transaction() as session:
            if health_repo.notice_exists(session, number, event.arn, event.status):
                return None
            before = {row.arn: row.status for row in health_repo.latest_notices(session, number)}
            health_repo.add_notice(session, number, event, now)
            incident = repo.incident_by_number(session, number, for_update=True)
            was = before.get(event.arn)
            repo.add_timeline_entry(
                session,
                incident,
                kind=EntryKind.AWS_HEALTH,
                author_id=None,
                text=timeline_text(event, was),
                occurred_at=now,
                recorded_at=now,
                data={
                    "arn": event.arn,
                    "service": event.service,
                    "region": event.region,
                    "event_type": event.event_type,
                    "status": event.status,
                    "was": was,
                    "author": "AWS Health",
                },
            )
            return outbox.announce(session, incident, announcement(number, event, was), ctx.clock)
    except IntegrityError:
        return None


def timeline_text(event: HealthEvent, was: str | None) -> str:
    where = f"{event.service} in {event.region}: {event.event_type}"
    if was is None:
        scope = ", account-specific" if event.is_account_specific else ""
        text = f"AWS Health event {event.status}{scope}: {where}"
    else:
        text = f"AWS Health event is now {event.status} (was {was}): {where}"
    if event.description:
        text += f". {event.description.strip()[:MAX_POSTED_DESCRIPTION]}"
    return text


def announcement(number: int, event: HealthEvent, was: str | None) -> str:
    service, region = mrkdwn.escape(event.service), mrkdwn.escape(event.region)
    code = mrkdwn.escape(event.event_type).replace("`", "'")
    if was is None:
        scope = " affecting this account" if event.is_account_specific else " (public)"
        head = (
            f"{event.status_emoji()} *AWS Health: {service} in {region}*{scope} "
            f"({reference(number)})"
        )
    else:
        head = (
            f"{event.status_emoji()} *AWS Health: {service} in {region}* is now "
            f"*{mrkdwn.escape(event.status)}* (was {mrkdwn.escape(was)}) ({reference(number)})"
        )
    lines = [head, f"`{code}`, status `{mrkdwn.escape(event.status)}`"]
    if event.affected:
        lines.append("Affected: " + ", ".join(f"`{mrkdwn.escape(a)}`" for a in event.affected))
    if event.description and was is None:
        body = event.description.strip()[:MAX_POSTED_DESCRIPTION]
        lines += [f"> {line}" for line in mrkdwn.escape(body).splitlines() or [""]]
    lines.append("Is it us or AWS? `/incident health` lists what AWS reports now.")
    return "\n".join(lines)
