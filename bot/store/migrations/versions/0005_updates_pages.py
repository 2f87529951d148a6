"""stakeholder updates and their reminders

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("remind_updates", sa.Boolean(), nullable=True))
    op.create_table(
        "stakeholder_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel_outbox_id", sa.Integer(), nullable=True),
        sa.Column("stakeholder_outbox_id", sa.Integer(), nullable=True),
        sa.Column("stakeholder_refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_outbox_id"],
            ["outbox.id"],
            name=op.f("fk_stakeholder_updates_channel_outbox_id_outbox"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_number"],
            ["incidents.number"],
            name=op.f("fk_stakeholder_updates_incident_number_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_outbox_id"],
            ["outbox.id"],
            name=op.f("fk_stakeholder_updates_stakeholder_outbox_id_outbox"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stakeholder_updates")),
    )
    op.create_index(
        op.f("ix_stakeholder_updates_incident_number"),
        "stakeholder_updates",
        ["incident_number"],
        unique=False,
    )
    op.create_table(
        "update_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_number", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_number"],
            ["incidents.number"],
            name=op.f("fk_update_reminders_incident_number_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_reminders")),
        sa.UniqueConstraint(
            "incident_number", "due_at", name=op.f("uq_update_reminders_incident_number")
        ),
    )


def downgrade() -> None:
    op.drop_table("update_reminders")
    op.drop_index(op.f("ix_stakeholder_updates_incident_number"), table_name="stakeholder_updates")
    op.drop_table("stakeholder_updates")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("remind_updates")
