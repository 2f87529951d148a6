"""The stored record of incidents.

One schema for every feature, so that the timeline, the roster, AWS support and the
postmortem all read the same rows. Instants are `UtcDateTime` (aware UTC). Uniqueness that
protects against Slack retries and against several bot replicas lives in constraints
here, not in process memory.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Connection,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column, relationship

from bot.store.types import UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime()}


class Incident(Base):
    """The number is the primary key: a database sequence keeps it unique across replicas."""

    __tablename__ = "incidents"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(300))
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False)
    declared_by: Mapped[str] = mapped_column(String(32))
    commander_id: Mapped[str] = mapped_column(String(32))
    scribe_id: Mapped[str | None] = mapped_column(String(32))
    comms_id: Mapped[str | None] = mapped_column(String(32))
    declared_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    summary: Mapped[str | None] = mapped_column(Text)
    channel_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    channel_name: Mapped[str | None] = mapped_column(String(80))
    summary_message_ts: Mapped[str | None] = mapped_column(String(32))
    support_plan: Mapped[str | None] = mapped_column(String(32))
    support_plan_detail: Mapped[str | None] = mapped_column(Text)
    support_checked_at: Mapped[datetime | None]
    # The number of the incident's latest timeline entry: the next entry takes this + 1,
    # incremented in one UPDATE that holds the incident row until commit (repo.py).
    last_entry_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Stakeholder-update reminders: None follows the default (on, off for drills).
    remind_updates: Mapped[bool | None] = mapped_column(Boolean)

    participants: Mapped[list[Participant]] = relationship(
        back_populates="incident", order_by="Participant.id"
    )


class Participant(Base):
    """A person on the roster. `needed_seconds` holds closed intervals; an open one starts
    at `needed_since`."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("incident_number", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_number: Mapped[int] = mapped_column(ForeignKey("incidents.number"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[datetime]
    needed_since: Mapped[datetime | None]
    needed_seconds: Mapped[int] = mapped_column(Integer, default=0)
    last_active_at: Mapped[datetime | None]
    nudged_at: Mapped[datetime | None]

    incident: Mapped[Incident] = relationship(back_populates="participants")
    transitions: Mapped[list[ParticipantTransition]] = relationship(
        back_populates="participant", order_by="ParticipantTransition.id"
    )


class ParticipantTransition(Base):
    __tablename__ = "participant_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    by_user: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)

    participant: Mapped[Participant] = relationship(back_populates="transitions")


class TimelineEntry(Base):
    """What happened when. `source_ts` is the Slack message a captured entry came from:
    unique per incident, so one message is logged once however often it is captured.
    `number` is fixed when the entry is recorded (1, 2, 3 ... per incident) and never
    changes, whatever is backdated before it later."""

    __tablename__ = "timeline_entries"
    __table_args__ = (
        UniqueConstraint("incident_number", "source_ts"),
        UniqueConstraint(
            "incident_number", "number", name="uq_timeline_entries_incident_number_number"
        ),
        Index("ix_timeline_entries_incident_occurred", "incident_number", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_number: Mapped[int] = mapped_column(ForeignKey("incidents.number"))
    number: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    author_id: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    backdated: Mapped[bool] = mapped_column(Boolean, default=False)
    source_ts: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    struck_at: Mapped[datetime | None]
    struck_by: Mapped[str | None] = mapped_column(String(32))
    strike_reason: Mapped[str | None] = mapped_column(Text)


class FollowUp(Base):
    """An action item. `number` is fixed when it is recorded (1, 2, 3 ... per incident)."""

    __tablename__ = "followups"
    __table_args__ = (UniqueConstraint("incident_number", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_number: Mapped[int] = mapped_column(ForeignKey("incidents.number"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    number: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[str | None] = mapped_column(String(32))
    due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open", server_default="open")
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(32))


class ImpactSurface(Base):
    """What users see of one surface of an incident now; `surface_key` (lowercased, spaces
    folded) makes `Vendor web app` and `vendor  web app` one surface."""

    __tablename__ = "impact_surfaces"
    __table_args__ = (UniqueConstraint("incident_number", "surface_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_number: Mapped[int] = mapped_column(ForeignKey("incidents.number"), index=True)
    surface_key: Mapped[str] = mapped_column(String(200))
    surface: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    since: Mapped[datetime]
    changed_at: Mapped[datetime]
    changed_by: Mapped[str | None] = mapped_column(String(32))


class ImpactChange(Base):
    """Every change of a surface, so the postmortem can say how long it was down."""

    __tablename__ = "impact_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    surface_id: Mapped[int] = mapped_column(ForeignKey("impact_surfaces.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]
    by_user: Mapped[str | None] = mapped_column(String(32))


class AnalysisSection(Base):
    """One written section of the incident's review (`root_cause`, `lucky`, ...)."""

    __tablename__ = "analysis_sections"
    __table_args__ = (UniqueConstraint("incident_number", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_number: Mapped[int] = mapped_column(ForeignKey("incidents.number"), index=True)
    section: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(32))


class SupportCase(Base):
    __tablename__ = "support_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_number: Mapped[int] = mapped_column(ForeignKey("incidents.number"), index=True)
    case_id: Mapped[str] = mapped_column(String(128), unique=True)
    display_id: Mapped[str | None] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    plan: Mapped[str | None] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    last_polled_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]


class SupportCommunication(Base):
    """One message on an AWS case. `fingerprint` is unique: two pollers on two replicas
    can both see a reply, only one row (and one Slack post) results."""

    __tablename__ = "support_communications"

    id: Mapped[int] = mapped_column(primary_key=True)
    support_case_id: Mapped[int] = mapped_column(ForeignKey("support_cases.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_by: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    time_created: Mapped[datetime]
    from_aws: Mapped[bool] = mapped_column(Boolean, default=True)
    posted_at: Mapped[datetime | None]


class RunbookStep(Base):
    """A ticked step of a runbook checklist posted in an incident channel."""

    __tablename__ = "runbook_steps"
    __table_args__ = (UniqueConstraint("incident_number", "runbook_id", "step_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_number: Mapped[int] = mapped_column(ForeignKey("incidents.number"))
    runbook_id: Mapped[str] = mapped_column(String(100))
    step_index: Mapped[int] = mapped_column(Integer)
    step_text: Mapped[str] = mapped_column(Text)
    ticked_by: Mapped[str] = mapped_column(String(32))
    ticked_at: Mapped[datetime]


class EventClaim(Base):
    """One delivery of a Slack event (or one submission of a form) being applied.

    Slack delivers an event at least once, and N replicas may each get a copy. A replica
    inserts the claim before the work (the primary key lets only one win), marks it
    `done_at` once the work committed, and deletes it when the work failed, so Slack's
    redelivery applies what failed and skips what succeeded. `lease_until` frees a claim
    whose replica died mid-work; `holder` makes sure only the claimant settles it.
    """

    __tablename__ = "event_claims"

    event_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    holder: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(index=True)
    lease_until: Mapped[datetime | None]
    done_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """A message the bot owes a channel or person. Written in the same transaction as the
    change it reports, sent after commit, retried until Slack takes it: a failed post never
    loses what a responder said."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_number: Mapped[int | None] = mapped_column(ForeignKey("incidents.number"))
    channel: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list[Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    message_ts: Mapped[str | None] = mapped_column(String(32))
    # Not before this instant (Slack's Retry-After, or backoff after a failure).
    next_attempt_at: Mapped[datetime | None]


class Person(Base):
    """A Slack user's display name, learned from commands, mentions and `users.info`, so a
    postmortem written outside Slack (the CLI) names people instead of showing ids."""

    __tablename__ = "people"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class Declaration(Base):
    """The Slack half of a declaration, as steps a job can resume: create (or adopt) the
    channel, set its purpose, invite, post the summary, pin it, tell the declarer.

    One row per incident, written with the incident; `step` is the next thing to do. A
    replica claims the row (`claimed_until`, SKIP LOCKED on PostgreSQL) before it talks to
    Slack, so one replica does each step; `next_attempt_at` is when it may be tried again
    (Retry-After, backoff). `uncertain_name` is a channel name whose `conversations.create`
    may have taken effect without an answer: the next attempt looks for it first.
    """

    __tablename__ = "declarations"
    __table_args__ = (Index("ix_declarations_due", "finished_at", "next_attempt_at"),)

    incident_number: Mapped[int] = mapped_column(
        ForeignKey("incidents.number"), primary_key=True, autoincrement=False
    )
    step: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    name_attempt: Mapped[int] = mapped_column(Integer, default=1)
    uncertain_name: Mapped[str | None] = mapped_column(String(80))
    summary_outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    problems: Mapped[list[Any] | None] = mapped_column(JSON)
    reply_channel: Mapped[str | None] = mapped_column(String(32))
    reply_url: Mapped[str | None] = mapped_column(Text)
    told_waiting_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class PendingCapture(Base):
    """A message captured by a reaction whose text Slack has not given yet. The entry keeps
    the message's time and author; a job asks Slack again (`next_attempt_at`) until the
    text is in, then the row goes."""

    __tablename__ = "pending_captures"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("timeline_entries.id"), primary_key=True, autoincrement=False
    )
    channel: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


@event.listens_for(TimelineEntry, "before_insert")
def _next_entry_number(_mapper: Mapper[Any], connection: Connection, entry: TimelineEntry) -> None:
    """Give a new entry its incident's next number, however the entry was made.

    One `UPDATE ... RETURNING` on the incident's counter: the row stays locked until the
    transaction commits, so concurrent writers on any replica take numbers in turn and
    none is given twice (the unique (incident, number) constraint would refuse it).
    Services take the incident row before other rows, so the lock order is the same
    everywhere and a writer never waits on a lock while holding one another wants.
    """
    if entry.number is not None:
        return
    incidents = Incident.__table__
    entry.number = connection.execute(
        update(incidents)
        .where(incidents.c.number == entry.incident_number)
        .values(last_entry_number=incidents.c.last_entry_number + 1)
        .returning(incidents.c.last_entry_number)
    ).scalar_one()


class StakeholderUpdate(Base):
    """A stakeholder `update`. The outbox ids point at its two posts, so the stakeholder
    channel's copy can be edited in place (`chat.update`) when the incident resolves."""

    __tablename__ = "stakeholder_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_number: Mapped[int] = mapped_column(ForeignKey("incidents.number"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str] = mapped_column(String(32))
    posted_at: Mapped[datetime]
    channel_outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    stakeholder_outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    stakeholder_refreshed_at: Mapped[datetime | None]


class UpdateReminder(Base):
    """One reminder to post an update, per incident and due instant. The unique pair is the
    last guard against two replicas reminding twice (the claim skips locked rows first)."""

    __tablename__ = "update_reminders"
    __table_args__ = (UniqueConstraint("incident_number", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_number: Mapped[int] = mapped_column(ForeignKey("incidents.number"))
    due_at: Mapped[datetime]
    claimed_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class RestoreDrillRun(Base):
    """One table's restore drill (`warroom drill restore` or `/incident drill restore`):
    readiness asks for a successful one per PITR table within 30 days."""

    __tablename__ = "restore_drills"
    __table_args__ = (Index("ix_restore_drills_table_ran", "table_name", "ran_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_number: Mapped[int | None] = mapped_column(ForeignKey("incidents.number"))
    table_name: Mapped[str] = mapped_column(String(255))
    ran_at: Mapped[datetime]
    restored: Mapped[bool] = mapped_column(Boolean)
    matched: Mapped[bool] = mapped_column(Boolean)
    rto_seconds: Mapped[float | None] = mapped_column(Float)
    source_items: Mapped[int | None] = mapped_column(BigInteger)
    restored_items: Mapped[int | None] = mapped_column(BigInteger)
    sample_checked: Mapped[int] = mapped_column(Integer, default=0)
    sample_matched: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class HealthWatch(Base):
    """AWS Health polling for one open incident. `last_polled_at` is the lease replicas
    claim under SKIP LOCKED; `unavailable_at` is set once AWS said the plan has no Health
    API access, and then nobody asks again for this incident."""

    __tablename__ = "health_watches"

    incident_number: Mapped[int] = mapped_column(
        ForeignKey("incidents.number"), primary_key=True, autoincrement=False
    )
    last_polled_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]  # AWS Health first answered for this incident
    unavailable_at: Mapped[datetime | None]


class HealthNotice(Base):
    """An AWS Health event at one status, as an incident saw it. The unique key is what
    makes a new event, or a change of its status, reach the channel once across replicas."""

    __tablename__ = "health_notices"
    __table_args__ = (UniqueConstraint("incident_number", "arn", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_number: Mapped[int] = mapped_column(ForeignKey("incidents.number"))
    arn: Mapped[str] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(16))
    service: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(32))
    event_type: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    affected: Mapped[list[str] | None] = mapped_column(JSON)
    start_time: Mapped[datetime | None]
    last_updated: Mapped[datetime | None]
    seen_at: Mapped[datetime]
