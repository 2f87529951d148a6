"""A declaration as a durable sequence of Slack steps (`declaration_steps`), run now and
resumed by a job.

`incidents.declare` stores the incident and its `Declaration` row in one transaction,
before Slack is acknowledged. After the acknowledgement, `start` does what Slack allows at
once; whatever Slack rate-limits, times out or fails is rescheduled (`next_attempt_at`:
Slack's Retry-After, else a backoff) and `run_due`, the job, picks it up when it is due,
on whichever replica claims it first (SKIP LOCKED on PostgreSQL, the write lock on
SQLite), after a restart too. No thread sleeps out a rate limit: a rate-limited channel
creation holds back every pending one until the limit lifts, and they then go in
declaration order.

The declarer hears once that the channel is coming (when a step has to wait) and once
when it is ready, with what Slack refused; then the `after_declare` hooks run.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.domain.retry import retry_delay
from bot.services import declaration_steps as steps
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.services.ports import Asker, ChatError, WarRoomNews
from bot.store import declarations as queries
from bot.store.models import Declaration, Incident

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
MAX_STEP_ATTEMPTS = 30  # transient failures of one step (rate limits do not count)
JOB_PERIOD = 15.0  # the longest the job sleeps; it wakes earlier for a due step


def record(session: Session, number: int, now: datetime, asker: Asker | None = None) -> None:
    """Called by `declare` in the incident's own transaction."""
    session.add(
        Declaration(
            incident_number=number,
            step=steps.CHANNEL,
            attempts=0,
            name_attempt=1,
            next_attempt_at=now,
            problems=[],
            created_at=now,
            reply_channel=asker.channel if asker else None,
            reply_url=asker.response_url if asker else None,
        )
    )


def start(ctx: ServiceContext, number: int, asker: Asker) -> None:
    """After the acknowledgement: remember whom to tell, then run what is due."""
    with ctx.db.transaction() as session:
        row = session.get(Declaration, number)
        if row is not None and row.reply_channel is None and row.reply_url is None:
            row.reply_channel, row.reply_url = asker.channel, asker.response_url
    run_due(ctx)


def run_due(ctx: ServiceContext, limit: int = 500) -> int:
    """Run every due declaration this replica can claim, in order; returns how many
    finished."""
    finished = 0
    for _ in range(limit):
        pending = _claim(ctx)
        if pending is None:
            break
        finished += _run(ctx, pending)
    return finished


def seconds_until_due(ctx: ServiceContext) -> float | None:
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        due = queries.next_due(session, now)
    return None if due is None else max(0.0, (due - now).total_seconds())


def _claim(ctx: ServiceContext) -> steps.Pending | None:
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        row = queries.claimable(session, now, skip_locked=ctx.db.dialect == "postgresql")
        if row is None:
            return None
        row.claimed_until = now + LEASE
        incident = session.get(Incident, row.incident_number)
        assert incident is not None
        return steps.snapshot(row, incident)


def _run(ctx: ServiceContext, p: steps.Pending) -> bool:
    """Run steps until done (True) or one has to wait (False)."""
    chat = ctx.step_chat
    while True:
        if p.step in (steps.READY, steps.DONE):
            _finish(ctx, p.number)
            return True
        try:
            next_step = steps.STEPS[p.step](ctx, chat, p)
        except steps.Wait as wait:
            if not wait.counts or p.attempts + 1 < MAX_STEP_ATTEMPTS:
                _reschedule(ctx, p, wait.code, wait.until, counts=wait.counts)
                return False
            next_step = _refused(ctx, p, wait.code)
        except steps.Refused as refusal:
            next_step = _refused(ctx, p, refusal.code)
        except ChatError as error:
            if error.transient and p.attempts + 1 < MAX_STEP_ATTEMPTS:
                until = ctx.clock.now() + retry_delay(p.attempts + 1, error.retry_after)
                _reschedule(
                    ctx,
                    p,
                    error.code,
                    until,
                    counts=not error.rate_limited,
                    hold_channels=error.rate_limited and p.step == steps.CHANNEL,
                )
                return False
            next_step = _refused(ctx, p, error.code)
        except Exception:
            log.exception("declaration step %s of incident %s failed", p.step, p.number)
            until = ctx.clock.now() + retry_delay(p.attempts + 1)
            _reschedule(ctx, p, "internal", until, counts=True)
            return False
        if p.step == steps.CHANNEL and next_step != steps.CHANNEL:
            # Let the next declaration's channel go first; this one's rest is due now.
            _advance(ctx, p.number, next_step, release=True)
            return False
        p = _advance(ctx, p.number, next_step)


def _advance(
    ctx: ServiceContext, number: int, step: str, *, release: bool = False
) -> steps.Pending:
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        row = session.get(Declaration, number)
        incident = session.get(Incident, number)
        assert row is not None and incident is not None
        row.step, row.attempts, row.last_error = step, 0, None
        row.claimed_until = None if release else now + LEASE
        if release:
            row.next_attempt_at = now
        return steps.snapshot(row, incident)


def _refused(ctx: ServiceContext, p: steps.Pending, code: str) -> str:
    next_step, tell = steps.ON_REFUSAL[p.step]
    log.warning("Slack refused declaration step %s of incident %s: %s", p.step, p.number, code)
    if tell:
        with ctx.db.transaction() as session:
            row = session.get(Declaration, p.number)
            assert row is not None
            row.problems = [*(row.problems or []), [p.step, code]]
    return next_step


def _reschedule(
    ctx: ServiceContext,
    p: steps.Pending,
    code: str,
    until: datetime,
    *,
    counts: bool,
    hold_channels: bool = False,
) -> None:
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        row = session.get(Declaration, p.number)
        incident = session.get(Incident, p.number)
        assert row is not None and incident is not None
        row.attempts += 1 if counts else 0
        row.last_error, row.next_attempt_at, row.claimed_until = code, until, None
        if hold_channels:
            queries.hold_channel_steps(session, until)
        tell = row.told_waiting_at is None and until > now
        if tell:
            row.told_waiting_at = now
        news = _news(row, incident, waiting_on=code, retry_at=until)
    log.info(
        "declaration step %s of incident %s waits until %s (%s)", p.step, p.number, until, code
    )
    ctx.declarations_wakeup.set()
    if tell and ctx.declaration_notices is not None:
        ctx.declaration_notices.waiting(news)


def _finish(ctx: ServiceContext, number: int) -> None:
    """Done first (the declarer is told and the hooks run at most once), then tell."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        row = session.get(Declaration, number)
        incident = session.get(Incident, number)
        assert row is not None and incident is not None
        row.step, row.finished_at, row.claimed_until, row.last_error = steps.DONE, now, None, None
        news = _news(row, incident)
    notices = ctx.declaration_notices
    if notices is not None:
        notices.finished(news)
    if news.channel_id is None:
        return
    teller = notices.teller(news.asker) if notices is not None else None
    for hook in ctx.after_declare:
        if teller is None:
            break
        try:
            queued = hook(ctx, number, teller) or ()
            # What Slack refuses now stays owed; the outbox job retries it.
            outbox.deliver(ctx.db, ctx.step_chat, ctx.clock, queued)
        except Exception:
            log.exception("after-declare hook %s failed for incident %s", hook, number)


def _news(
    row: Declaration,
    incident: Incident,
    *,
    waiting_on: str | None = None,
    retry_at: datetime | None = None,
) -> WarRoomNews:
    return WarRoomNews(
        number=incident.number,
        asker=Asker(incident.declared_by, row.reply_channel, row.reply_url),
        channel_id=incident.channel_id,
        problems=tuple((str(step), str(code)) for step, code in (row.problems or [])),
        waiting_on=waiting_on,
        retry_at=retry_at,
    )
