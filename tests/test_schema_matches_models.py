"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL:
a model changed without its migration (or the other way round) fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.store.db import Database
from bot.store.models import Base


def test_migrations_and_models_agree(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)

    assert differences == []
