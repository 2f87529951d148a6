"""Mirroring AWS Support into the incident: poll open cases, post each AWS reply once.

Safe with N replicas on one PostgreSQL, with no process memory involved:
- a replica claims a case for one poll by moving its `last_polled_at` forward, under
  `FOR UPDATE SKIP LOCKED`, so replicas do not all ask AWS at the same moment;
- every communication is inserted into `support_communications` under a unique
  fingerprint (case id + time + submitter + body) BEFORE anything is posted, in the same
  transaction as its timeline entry and its outbox message: if two pollers still see the
  same reply, only one insert succeeds, so it is logged and posted once.

The adapter keeps only communications strictly later than `after`, and two messages can
share a millisecond, so each poll asks from a little before the last one seen and lets
the fingerprint drop what is already stored.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain import mrkdwn
from bot.domain.errors import SupportError
from bot.domain.incident import reference
from bot.domain.support import Communication, case_console_url
from bot.domain.timefmt import slack_date
from bot.domain.timeline import EntryKind
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.services.support import case_label
from bot.store import repo
from bot.store import support as store_support
from bot.store.models import SupportCase, SupportCommunication

log = logging.getLogger(__name__)

OVERLAP = timedelta(seconds=5)  # ask again from a little before the last message seen
KEEP_POLLING_AFTER_RESOLVE = timedelta(days=3)  # AWS may still answer a resolved incident
MAX_POSTED_BODY = 3_000


def fingerprint(case_id: str, communication: Communication) -> str:
    """One communication's identity: the same message seen twice hashes the same."""
    parts = (
        case_id,
        communication.time_created.isoformat(timespec="milliseconds"),
        communication.submitted_by,
        communication.body,
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def poll_support_cases(ctx: ServiceContext) -> int:
    """Poll every open case this replica can claim; returns how many AWS replies were new."""
    if ctx.support is None:
        return 0
    new = 0
    for case_pk in claim_due_cases(ctx):
        new += poll_case(ctx, case_pk)
    return new


def claim_due_cases(ctx: ServiceContext) -> list[int]:
    """Claim the open cases no replica polled within most of the last interval."""
    now = ctx.clock.now()
    lease = timedelta(seconds=ctx.policy.support_poll_seconds * 0.9)
    with ctx.db.transaction() as session:
        return store_support.claim_cases_to_poll(
            session,
            now=now,
            lease=lease,
            keep_after_resolve=KEEP_POLLING_AFTER_RESOLVE,
            skip_locked=ctx.db.dialect == "postgresql",
        )


def poll_case(ctx: ServiceContext, case_pk: int) -> int:
    """Fetch one case's new communications and record each once; returns AWS replies added.

    AWS trouble is logged and the case is simply polled again next time.
    """
    support = ctx.support
    if support is None:
        return 0
    with ctx.db.transaction() as session:
        case = session.get(SupportCase, case_pk)
        if case is None:
            return 0
        case_id = case.case_id
        last_seen = store_support.last_communication_time(session, case_pk)
    after = last_seen - OVERLAP if last_seen is not None else None
    try:
        found = support.communications(case_id, after)
    except SupportError as error:
        log.warning("could not poll AWS case %s: %s", case_id, error)
        return 0
    new_ids: list[int] = []
    added = 0
    for communication in found:
        queued = _record(ctx, case_pk, case_id, communication)
        if queued is not None:
            added += communication.is_from_aws
            new_ids += queued
    outbox.deliver(ctx.db, ctx.chat, ctx.clock, new_ids)
    return added


def _record(
    ctx: ServiceContext, case_pk: int, case_id: str, communication: Communication
) -> list[int] | None:
    """Store one communication; None when it was already stored (by us or another replica).

    AWS's replies also get a timeline entry and a channel post, queued in the outbox in the
    same transaction, and the first one sets the case's first response time.
    """
    key = fingerprint(case_id, communication)
    now = ctx.clock.now()
    try:
        with ctx.db.transaction() as session:
            if store_support.communication_stored(session, key):
                return None
            from_aws = communication.is_from_aws
            session.add(
                SupportCommunication(
                    support_case_id=case_pk,
                    fingerprint=key,
                    submitted_by=communication.submitted_by,
                    body=communication.body,
                    time_created=communication.time_created,
                    from_aws=from_aws,
                    posted_at=now if from_aws else None,
                )
            )
            session.flush()  # a second poller's insert fails here, before anything is posted
            if not from_aws:
                return []
            return _log_aws_reply(ctx, session, case_pk, communication)
    except IntegrityError:
        return None


def _log_aws_reply(
    ctx: ServiceContext, session: Session, case_pk: int, reply: Communication
) -> list[int]:
    case = session.get(SupportCase, case_pk, with_for_update=True)
    assert case is not None, "the communication row just referenced it"
    incident = repo.incident_by_number(session, case.incident_number, for_update=True)
    label = case_label(case)
    if case.first_response_at is None or reply.time_created < case.first_response_at:
        case.first_response_at = reply.time_created
    repo.add_timeline_entry(
        session,
        incident,
        kind=EntryKind.SUPPORT,
        author_id=None,
        text=f"AWS Support replied on case {label}: {reply.body}",
        occurred_at=reply.time_created,
        recorded_at=ctx.clock.now(),
        data={"case_id": case.case_id, "direction": "from_aws", "author": "AWS"},
    )
    return outbox.announce(
        session, incident, _announcement(incident.number, case, reply), ctx.clock
    )


def _announcement(number: int, case: SupportCase, reply: Communication) -> str:
    body = reply.body.strip()
    url = case_console_url(case.case_id)
    if len(body) > MAX_POSTED_BODY:
        body = body[:MAX_POSTED_BODY] + "…"
        more = f"\n_(shortened: read the whole reply in the <{url}|AWS console>)_"
    else:
        more = ""
    quoted = "\n".join(f"> {line}" for line in mrkdwn.escape(body).splitlines() or [""])
    return (
        f":incoming_envelope: *AWS Support replied* on case <{url}|{case_label(case)}> "
        f"({reference(number)}) at {_when(reply.time_created)}:\n{quoted}{more}\n"
        "Answer with `/incident support reply <text>`."
    )


def _when(value: datetime) -> str:
    return slack_date(value)
