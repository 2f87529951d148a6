"""declaration steps, outbox backoff, pending captures

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 07:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "declarations",
        sa.Column("incident_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("name_attempt", sa.Integer(), nullable=False),
        sa.Column("uncertain_name", sa.String(length=80), nullable=True),
        sa.Column("summary_outbox_id", sa.Integer(), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=True),
        sa.Column("reply_channel", sa.String(length=32), nullable=True),
        sa.Column("reply_url", sa.Text(), nullable=True),
        sa.Column("told_waiting_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_number"],
            ["incidents.number"],
            name=op.f("fk_declarations_incident_number_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["summary_outbox_id"],
            ["outbox.id"],
            name=op.f("fk_declarations_summary_outbox_id_outbox"),
        ),
        sa.PrimaryKeyConstraint("incident_number", name=op.f("pk_declarations")),
    )
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_declarations_due", ["finished_at", "next_attempt_at"], unique=False
        )
    op.create_table(
        "pending_captures",
        sa.Column("entry_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["timeline_entries.id"],
            name=op.f("fk_pending_captures_entry_id_timeline_entries"),
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_pending_captures")),
    )
    with op.batch_alter_table("pending_captures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_captures_next_attempt_at"), ["next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pending_captures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_captures_next_attempt_at"))
    op.drop_table("pending_captures")
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.drop_index("ix_declarations_due")
    op.drop_table("declarations")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("next_attempt_at")
