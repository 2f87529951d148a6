"""entry numbers: each timeline entry keeps the number it was recorded with

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:00:00

Existing entries are numbered per incident in the order they were recorded
(`recorded_at`, then `id`), and each incident's counter starts after its last entry.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_entry_number", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("timeline_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
    op.execute(
        """
        UPDATE timeline_entries SET number = (
            SELECT ranked.n FROM (
                SELECT id, ROW_NUMBER() OVER (
                    PARTITION BY incident_number ORDER BY recorded_at, id
                ) AS n
                FROM timeline_entries
            ) AS ranked
            WHERE ranked.id = timeline_entries.id
        )
        """
    )
    op.execute(
        """
        UPDATE incidents SET last_entry_number = COALESCE(
            (SELECT MAX(number) FROM timeline_entries
             WHERE timeline_entries.incident_number = incidents.number),
            0
        )
        """
    )
    with op.batch_alter_table("timeline_entries", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(
            "uq_timeline_entries_incident_number_number", ["incident_number", "number"]
        )


def downgrade() -> None:
    with op.batch_alter_table("timeline_entries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_timeline_entries_incident_number_number", type_="unique")
        batch_op.drop_column("number")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("last_entry_number")
