"""A command meets a database that drops its connection: the whole unit of work is tried
again before the acknowledgement; when the database stays away, the person is told in
words that nothing was stored (a 200 with that text, never a 5xx)."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from bot.domain.errors import NotStored
from bot.services.retry import TRIES, is_transient, retry_transient
from bot.store.models import Incident, Participant, TimelineEntry
from tests.faults import DropConnectionOnce, FailStatements
from tests.harness import BotHarness


def _count(bot: BotHarness, model: type) -> int:
    with bot.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _notes(bot: BotHarness) -> list[str]:
    with bot.db.transaction() as session:
        return list(session.scalars(select(TimelineEntry.text).where(TimelineEntry.kind == "note")))


def test_a_connection_dropped_mid_command_is_retried_and_stored_once(bot: BotHarness) -> None:
    incident = bot.declare()

    with DropConnectionOnce(bot.db.engine, "INSERT INTO timeline_entries") as drop:
        reply = bot.command("log failover started", channel=incident)

    assert drop.hits == 1
    assert reply.status == 200
    assert "Logged as entry" in reply.json()["text"]
    assert _notes(bot) == ["failover started"]


def test_a_retried_declaration_is_written_whole_or_not_at_all(bot: BotHarness) -> None:
    """The failure comes on the last statement of the unit (the timeline entry, after the
    incident and its commander were inserted): the retry leaves one of each."""
    with FailStatements(bot.db.engine, "INSERT INTO timeline_entries", times=2) as fault:
        bot.declare("sev1 Payments down")

    assert fault.hits == 2
    assert (_count(bot, Incident), _count(bot, Participant)) == (1, 1)
    assert _count(bot, TimelineEntry) >= 1


def test_a_database_that_stays_away_is_told_as_not_stored(bot: BotHarness) -> None:
    incident = bot.declare()

    with FailStatements(bot.db.engine, "INSERT INTO timeline_entries", times=None) as fault:
        reply = bot.command("log we rolled back", channel=incident)

    assert fault.hits == TRIES
    assert reply.status == 200
    text = reply.json()["text"]
    assert "NOT stored" in text and "try again" in text
    assert reply.json()["response_type"] == "ephemeral"
    assert _notes(bot) == []


def test_a_declaration_that_cannot_be_stored_says_so_and_opens_nothing(bot: BotHarness) -> None:
    with FailStatements(bot.db.engine, "INSERT INTO incidents", times=None):
        reply = bot.command("declare sev1 Everything is down")

    assert reply.status == 200
    assert "NOT stored" in reply.json()["text"]
    assert _count(bot, Incident) == 0
    assert bot.slack.state.calls_to("conversations.create") == []


# -- what counts as transient --------------------------------------------------------


def _wrapped(orig: Exception) -> DBAPIError:
    """As SQLAlchemy wraps what psycopg raised."""
    error = DBAPIError.instance("UPDATE x", {}, orig, psycopg.Error)
    assert isinstance(error, DBAPIError)
    return error


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        _wrapped(psycopg.errors.SerializationFailure("could not serialize access")),
        _wrapped(psycopg.errors.DeadlockDetected("deadlock detected")),
        _wrapped(psycopg.errors.AdminShutdown("terminating connection")),
    ],
    ids=["dropped", "serialization", "deadlock", "terminated"],
)
def test_disconnects_serialization_failures_and_deadlocks_are_transient(error: Exception) -> None:
    assert is_transient(error)


def test_constraint_violations_and_bugs_are_not_transient() -> None:
    assert not is_transient(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not is_transient(KeyError("text"))


def test_retry_runs_the_whole_unit_again_a_bounded_number_of_times() -> None:
    calls: list[int] = []
    slept: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < TRIES:
            raise OperationalError("COMMIT", {}, Exception("connection reset"))
        return "stored"

    assert retry_transient(flaky, sleep=slept.append) == "stored"
    assert len(calls) == TRIES and len(slept) == TRIES - 1
    assert sum(slept) < 1.0  # well inside Slack's 3 s for an acknowledgement

    def down() -> None:
        raise OperationalError("COMMIT", {}, Exception("connection refused"))

    with pytest.raises(NotStored):
        retry_transient(down, sleep=slept.append)

    def refused() -> None:
        calls.append(1)
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    calls.clear()
    with pytest.raises(IntegrityError):
        retry_transient(refused, sleep=slept.append)
    assert len(calls) == 1
