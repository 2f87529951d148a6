"""restore drills and AWS Health: restore_drills, health_watches, health_notices

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "restore_drills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_number", sa.Integer(), nullable=True),
        sa.Column("table_name", sa.String(length=255), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restored", sa.Boolean(), nullable=False),
        sa.Column("matched", sa.Boolean(), nullable=False),
        sa.Column("rto_seconds", sa.Float(), nullable=True),
        sa.Column("source_items", sa.BigInteger(), nullable=True),
        sa.Column("restored_items", sa.BigInteger(), nullable=True),
        sa.Column("sample_checked", sa.Integer(), nullable=False),
        sa.Column("sample_matched", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_number"],
            ["incidents.number"],
            name=op.f("fk_restore_drills_incident_number_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restore_drills")),
    )
    with op.batch_alter_table("restore_drills", schema=None) as batch_op:
        batch_op.create_index("ix_restore_drills_table_ran", ["table_name", "ran_at"], unique=False)

    op.create_table(
        "health_watches",
        sa.Column("incident_number", sa.Integer(), nullable=False),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unavailable_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_number"],
            ["incidents.number"],
            name=op.f("fk_health_watches_incident_number_incidents"),
        ),
        sa.PrimaryKeyConstraint("incident_number", name=op.f("pk_health_watches")),
    )

    op.create_table(
        "health_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_number", sa.Integer(), nullable=False),
        sa.Column("arn", sa.String(length=1024), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("event_type", sa.String(length=128), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("affected", sa.JSON(), nullable=True),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_number"],
            ["incidents.number"],
            name=op.f("fk_health_notices_incident_number_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_notices")),
        sa.UniqueConstraint(
            "incident_number", "arn", "status", name=op.f("uq_health_notices_incident_number")
        ),
    )


def downgrade() -> None:
    op.drop_table("health_notices")
    op.drop_table("health_watches")
    with op.batch_alter_table("restore_drills", schema=None) as batch_op:
        batch_op.drop_index("ix_restore_drills_table_ran")
    op.drop_table("restore_drills")
