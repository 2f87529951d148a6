"""Persistence: SQLAlchemy 2.0 models, repositories, sessions and alembic migrations."""
