"""event_claims: an event counts as seen only once its work committed

Replaces processed_events, which marked an event seen before its work ran (a failed
first delivery was then dropped on Slack's retry).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_claims",
        sa.Column("event_id", sa.String(length=160), nullable=False),
        sa.Column("holder", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_claims")),
    )
    op.create_index(
        op.f("ix_event_claims_claimed_at"), "event_claims", ["claimed_at"], unique=False
    )
    op.drop_table("processed_events")


def downgrade() -> None:
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
    )
    op.drop_index(op.f("ix_event_claims_claimed_at"), table_name="event_claims")
    op.drop_table("event_claims")
