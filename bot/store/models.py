"""The stored record of incidents.

One schema for every feature, so that the timeline, the roster, AWS support and the
postmortem all read the same rows. Instants are `UtcDateTime` (aware UTC). Uniqueness that
protects against Slack retries and against several bot replicas lives in constraints
here, not in process memory.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

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
    unique per incident, so one message is logged once however often it is captured."""

    __tablename__ = "timeline_entries"
    __table_args__ = (
        UniqueConstraint("incident_number", "source_ts"),
        Index("ix_timeline_entries_incident_occurred", "incident_number", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_number: Mapped[int] = mapped_column(ForeignKey("incidents.number"))
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
    __tablename__ = "followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_number: Mapped[int] = mapped_column(ForeignKey("incidents.number"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


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


class Person(Base):
    """A Slack user's display name, learned from commands, mentions and `users.info`, so a
    postmortem written outside Slack (the CLI) names people instead of showing ids."""

    __tablename__ = "people"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]
