"""The declare modal: a form whose metadata cannot be read is refused in the form with
nothing written, and the same form submitted twice (Slack resubmits a view whose answer
was slow) makes one incident."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from bot.sandbox.slack_requests import HttpReply
from bot.slack.ids import BlockId, CallbackId
from bot.store.models import Incident
from tests.faults import DropConnectionOnce, FailStatements
from tests.harness import COMMANDER, BotHarness, declare_form


def submit(
    bot: BotHarness, title: str, *, view_id: str = "V0FORM1", metadata: str = "{}"
) -> HttpReply:
    return bot.requests.interaction(
        {
            "type": "view_submission",
            "user": {"id": COMMANDER},
            "trigger_id": "trigger.form",
            "view": {
                "id": view_id,
                "hash": f"{view_id}.hash",
                "type": "modal",
                "callback_id": CallbackId.DECLARE_MODAL,
                "private_metadata": metadata,
                "state": {"values": declare_form(title, "sev1")},
            },
        }
    )


def titles(bot: BotHarness) -> list[str]:
    with bot.db.transaction() as session:
        return list(session.scalars(select(Incident.title).order_by(Incident.number)))


@pytest.mark.parametrize(
    "metadata", ["not json", "[]", '{"channel_id": 42}', '"C0GENERAL"'], ids=repr
)
def test_unreadable_metadata_is_an_error_in_the_form_and_writes_nothing(
    bot: BotHarness, metadata: str
) -> None:
    reply = submit(bot, "Disk full", metadata=metadata)
    bot.settle()

    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert "could not read this form" in answer["errors"][BlockId.DECLARE_TITLE]
    assert titles(bot) == []
    assert bot.slack.state.calls_to("conversations.create") == []


def test_the_same_form_submitted_twice_declares_once(bot: BotHarness) -> None:
    first = submit(bot, "Disk full")
    again = submit(bot, "Disk full")
    bot.settle()

    assert (first.status, again.status) == (200, 200)
    assert not again.body  # the form just closes
    assert titles(bot) == ["Disk full"]
    assert len(bot.slack.state.calls_to("conversations.create")) == 1


def test_concurrent_copies_of_one_submission_declare_once(bot: BotHarness) -> None:
    start = threading.Barrier(4)
    statuses: list[int] = []

    def send() -> None:
        start.wait(10)
        statuses.append(submit(bot, "Queue backlog").status)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    bot.settle()

    assert statuses == [200] * 4
    assert titles(bot) == ["Queue backlog"]


def test_two_different_forms_declare_two_incidents(bot: BotHarness) -> None:
    submit(bot, "Disk full", view_id="V0FORM1")
    submit(bot, "Disk full", view_id="V0FORM2")
    bot.settle()

    assert titles(bot) == ["Disk full", "Disk full"]


def test_a_refused_submission_can_be_corrected_and_submitted_again(bot: BotHarness) -> None:
    refused = submit(bot, "   ")
    corrected = submit(bot, "Disk full")
    bot.settle()

    assert refused.json()["response_action"] == "errors"
    assert corrected.status == 200 and not corrected.body
    assert titles(bot) == ["Disk full"]


def test_a_submission_that_meets_a_dropped_connection_is_retried_once(bot: BotHarness) -> None:
    with DropConnectionOnce(bot.db.engine, "INSERT INTO incidents") as drop:
        reply = submit(bot, "Failover")
    bot.settle()

    assert drop.hits == 1
    assert reply.status == 200 and not reply.body
    assert titles(bot) == ["Failover"]


def test_a_form_the_database_cannot_store_says_so_in_the_form(bot: BotHarness) -> None:
    with FailStatements(bot.db.engine, "INSERT INTO incidents", times=None):
        reply = submit(bot, "Failover")
    bot.settle()

    assert reply.status == 200
    assert "NOT stored" in reply.json()["errors"][BlockId.DECLARE_TITLE]
    assert titles(bot) == []
