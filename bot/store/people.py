"""People's display names, learned from commands, mentions and `users.info`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.store.models import Person

MAX_NAME = 200


def remember(session: Session, names: Mapping[str, str], now: datetime) -> None:
    """Insert or update names (one statement per person; last writer wins)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for user_id, name in names.items():
        name = name.strip()[:MAX_NAME]
        if not name:
            continue
        statement = insert(Person).values(user_id=user_id, name=name, updated_at=now)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[Person.user_id], set_={"name": name, "updated_at": now}
            )
        )


def known(session: Session, user_ids: Iterable[str]) -> dict[str, str]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = session.execute(select(Person.user_id, Person.name).where(Person.user_id.in_(ids)))
    return {row.user_id: row.name for row in rows}
