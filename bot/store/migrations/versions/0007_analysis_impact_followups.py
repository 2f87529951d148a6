"""analysis, impact board, action items (owner, due date, status, stable numbers)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("followups") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("owner_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("due", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("status", sa.String(length=8), server_default="open", nullable=False)
        )
        batch.add_column(sa.Column("done_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("done_by", sa.String(length=32), nullable=True))
    # Existing action items get their numbers in the order they were recorded.
    op.execute(
        "UPDATE followups SET number = (SELECT COUNT(*) FROM followups AS earlier "
        "WHERE earlier.incident_number = followups.incident_number "
        "AND earlier.id <= followups.id)"
    )
    with op.batch_alter_table("followups") as batch:
        batch.create_unique_constraint(
            op.f("uq_followups_incident_number"), ["incident_number", "number"]
        )

    op.create_table(
        "impact_surfaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_number", sa.Integer(), nullable=False),
        sa.Column("surface_key", sa.String(length=200), nullable=False),
        sa.Column("surface", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_number"],
            ["incidents.number"],
            name=op.f("fk_impact_surfaces_incident_number_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_surfaces")),
        sa.UniqueConstraint(
            "incident_number", "surface_key", name=op.f("uq_impact_surfaces_incident_number")
        ),
    )
    op.create_index(
        op.f("ix_impact_surfaces_incident_number"), "impact_surfaces", ["incident_number"]
    )
    op.create_table(
        "impact_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("surface_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_user", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["surface_id"],
            ["impact_surfaces.id"],
            name=op.f("fk_impact_changes_surface_id_impact_surfaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_changes")),
    )
    op.create_index(op.f("ix_impact_changes_surface_id"), "impact_changes", ["surface_id"])
    op.create_table(
        "analysis_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_number", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_number"],
            ["incidents.number"],
            name=op.f("fk_analysis_sections_incident_number_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_sections")),
        sa.UniqueConstraint(
            "incident_number", "section", name=op.f("uq_analysis_sections_incident_number")
        ),
    )
    op.create_index(
        op.f("ix_analysis_sections_incident_number"), "analysis_sections", ["incident_number"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_analysis_sections_incident_number"), table_name="analysis_sections")
    op.drop_table("analysis_sections")
    op.drop_index(op.f("ix_impact_changes_surface_id"), table_name="impact_changes")
    op.drop_table("impact_changes")
    op.drop_index(op.f("ix_impact_surfaces_incident_number"), table_name="impact_surfaces")
    op.drop_table("impact_surfaces")
    with op.batch_alter_table("followups") as batch:
        batch.drop_constraint(op.f("uq_followups_incident_number"), type_="unique")
        for column in ("done_by", "done_at", "status", "due", "owner_id", "number"):
            batch.drop_column(column)
