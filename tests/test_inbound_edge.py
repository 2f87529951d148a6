"""The HTTP edge: every command reaches its listener whatever its words, a signed but
malformed request is a 4xx with one log line, user text is stored without control
characters or bidi overrides, and every Events API event gets its 200."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.sandbox.slack_requests import HttpReply, post, signed_headers
from bot.slack.ids import CallbackId
from bot.store.models import Incident, OutboxMessage, TimelineEntry
from tests.harness import COMMANDER, SIGNING_SECRET, BotHarness, declare_form

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _signed(
    bot: BotHarness, body: bytes, content_type: str, secret: str = SIGNING_SECRET
) -> HttpReply:
    return post(f"{bot.server.url}/slack/events", body, signed_headers(secret, body, content_type))


def _command_form(bot: BotHarness, **fields: str) -> dict[str, str]:
    return {
        "command": "/incident",
        "text": "declare sev1 edge case",
        "user_id": COMMANDER,
        "user_name": "ada",
        "channel_id": bot.general,
        "channel_name": "general",
        "team_id": "T0WARROOM",
        "trigger_id": "t.1",
        **fields,
    }


def _incidents(bot: BotHarness) -> list[str]:
    with bot.db.transaction() as session:
        return list(session.scalars(select(Incident.title).order_by(Incident.number)))


def _notes(bot: BotHarness) -> list[str]:
    with bot.db.transaction() as session:
        return list(
            session.scalars(
                select(TimelineEntry.text)
                .where(TimelineEntry.kind == "note")
                .order_by(TimelineEntry.id)
            )
        )


# -- the word "payload" ----------------------------------------------------------------


def test_a_command_holding_the_word_payload_reaches_its_listener(bot: BotHarness) -> None:
    incident = bot.declare("sev2 payload service rejects webhooks")

    reply = bot.command("log webhook payload rejected", channel=incident)

    assert reply.status == 200, reply.text
    assert "Logged as entry" in reply.json()["text"]
    assert _notes(bot) == ["webhook payload rejected"]
    assert _incidents(bot) == ["payload service rejects webhooks"]


def test_a_channel_named_payload_does_not_hide_the_command(bot: BotHarness) -> None:
    form = _command_form(bot, channel_name="payload-team", text="declare sev3 payload=broken")

    reply = _signed(bot, urlencode(form).encode(), FORM)
    bot.settle()

    assert reply.status == 200, reply.text
    assert _incidents(bot) == ["payload=broken"]


# -- signed but malformed ----------------------------------------------------------------


def _form(**fields: str) -> bytes:
    return urlencode(fields).encode()


MALFORMED: dict[str, tuple[bytes, str]] = {
    "payload-not-json": (_form(payload="{not json"), FORM),
    "payload-json-array": (_form(payload="[1, 2]"), FORM),
    "payload-json-string": (_form(payload='"block_actions"'), FORM),
    "form-sent-as-json": (_form(command="/incident", text="help", user_id="U1"), JSON),
    "raw-xff": (b"command=/incident&text=\xff\xfe&user_id=U1&channel_id=C1", FORM),
    "percent-encoded-invalid-utf8": (_form(command="/incident", user_id="U1") + b"&text=%ff", FORM),
    "json-array-body": (b"[1, 2, 3]", JSON),
    "json-lone-surrogate": (
        b'{"type": "event_callback", "event_id": "Ev1", '
        b'"event": {"type": "message", "text": "\\ud800"}}',
        JSON,
    ),
    "payload-lone-surrogate": (_form(payload='{"type": "shortcut", "text": "\\udfff"}'), FORM),
    "command-without-user": (_form(command="/incident", text="help", channel_id="C1"), FORM),
    "empty-form": (b"", FORM),
    "json-without-type": (b'{"event": {}}', JSON),
    "event-without-event": (b'{"type": "event_callback", "event_id": "Ev1"}', JSON),
    "event-without-type": (b'{"type": "event_callback", "event_id": "Ev1", "event": {}}', JSON),
    "actions-missing": (
        _form(payload=json.dumps({"type": "block_actions", "user": {"id": "U1"}})),
        FORM,
    ),
    "action-without-id": (
        _form(
            payload=json.dumps(
                {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"value": "x"}]}
            )
        ),
        FORM,
    ),
    "view-missing": (
        _form(payload=json.dumps({"type": "view_submission", "user": {"id": "U1"}})),
        FORM,
    ),
    "view-state-not-slacks-shape": (
        _form(
            payload=json.dumps(
                {
                    "type": "view_submission",
                    "user": {"id": "U1"},
                    "view": {
                        "id": "V1",
                        "callback_id": "declare_modal",
                        "state": {"values": {"declare_title": "Disk full"}},
                    },
                }
            )
        ),
        FORM,
    ),
    "user-missing": (_form(payload=json.dumps({"type": "message_action", "message": {}})), FORM),
    "plain-text": (b"hello", "text/plain"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_signed_malformed_request_is_a_4xx_with_one_log_line(
    bot: BotHarness, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    body, content_type = MALFORMED[case]
    with caplog.at_level(logging.INFO):
        reply = _signed(bot, body, content_type)
        bot.settle()

    assert 400 <= reply.status < 500, (reply.status, reply.text)
    edge = [r for r in caplog.records if r.name == "bot.slack.inbound"]
    assert len(edge) == 1, [r.getMessage() for r in edge]
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert _incidents(bot) == []


@pytest.mark.parametrize("case", ["payload-not-json", "raw-xff", "json-lone-surrogate"])
def test_a_forged_malformed_request_is_401(bot: BotHarness, case: str) -> None:
    body, content_type = MALFORMED[case]

    reply = _signed(bot, body, content_type, secret="not-the-secret")

    assert reply.status == 401


def test_a_megabyte_body_is_refused_without_reading_it(bot: BotHarness) -> None:
    body = _form(**_command_form(bot, text="log " + "x" * 1_000_000))

    reply = _signed(bot, body, FORM)

    assert reply.status == 413
    assert _incidents(bot) == []


def test_ten_thousand_characters_are_refused_in_words(bot: BotHarness) -> None:
    incident = bot.declare()

    logged = bot.command("log " + "x" * 10_000, channel=incident)
    declared = bot.command("declare sev2 " + "y" * 10_000)

    assert (logged.status, declared.status) == (200, 200)
    assert "3000" in logged.json()["text"].replace(",", "")
    assert "characters" in declared.json()["text"]
    assert _notes(bot) == []
    assert len(_incidents(bot)) == 1


# -- control characters and bidi overrides -------------------------------------------------


HOSTILE = "db\x00 down\x07 \u202eevil\u202c \u2066ok\u2069\x7f"
CLEAN = "db down evil ok"


def test_control_characters_are_removed_from_commands_before_storing(bot: BotHarness) -> None:
    incident = bot.declare()

    reply = bot.command(f"log {HOSTILE}", channel=incident)

    assert reply.status == 200, reply.text
    assert _notes(bot) == [CLEAN]


def test_control_characters_are_removed_from_modal_inputs(bot: BotHarness) -> None:
    values = declare_form(HOSTILE)

    reply = bot.requests.view_submission(
        user=COMMANDER, callback_id=CallbackId.DECLARE_MODAL, values=values, private_metadata="{}"
    )
    bot.settle()

    assert reply.status == 200, reply.text
    assert _incidents(bot) == [CLEAN]


def test_control_characters_are_removed_from_shortcut_text(bot: BotHarness) -> None:
    incident = bot.declare()
    message = bot.slack.state.post_user_message(incident, "U0ANN", "placeholder")

    reply = bot.requests.message_shortcut(
        user=COMMANDER, channel=incident, message_ts=message.ts, message_user="U0ANN", text=HOSTILE
    )
    bot.settle()

    assert reply.status == 200
    with bot.db.transaction() as session:
        captured = session.scalars(
            select(TimelineEntry.text).where(TimelineEntry.source_ts == message.ts)
        ).one()
    assert captured == CLEAN


def test_control_characters_are_removed_from_text_fetched_for_a_pushpin(bot: BotHarness) -> None:
    incident = bot.declare()
    message = bot.slack.state.post_user_message(incident, "U0ANN", HOSTILE)

    reply = bot.requests.reaction(
        user=COMMANDER, channel=incident, message_ts=message.ts, item_user="U0ANN"
    )
    bot.settle()

    assert reply.status == 200
    with bot.db.transaction() as session:
        captured = session.scalars(
            select(TimelineEntry.text).where(TimelineEntry.source_ts == message.ts)
        ).one()
    assert captured == CLEAN


# -- every event gets its 200 ------------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_mention", "user": "U0ANN", "text": "<@UWARROOMBOT> help", "channel": "C1"},
        {"type": "channel_rename", "channel": {"id": "C1", "name": "renamed"}},
        {"type": "team_join", "user": {"id": "U0NEW"}},
        {"type": "an_event_slack_adds_next_year"},
    ],
    ids=lambda e: e["type"],
)
def test_an_event_the_bot_does_not_use_gets_200(bot: BotHarness, event: dict[str, Any]) -> None:
    reply = bot.requests.event(event)

    assert reply.status == 200


def test_app_rate_limited_gets_200_and_one_log_line(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(
        {
            "token": "x",
            "type": "app_rate_limited",
            "team_id": "T0WARROOM",
            "minute_rate_limited": 1518467820,
            "api_app_id": "A0WARROOM",
        }
    ).encode()

    with caplog.at_level(logging.INFO):
        reply = _signed(bot, body, JSON)

    assert reply.status == 200
    lines = [r.getMessage() for r in caplog.records if "rate limit" in r.getMessage()]
    assert len(lines) == 1 and "T0WARROOM" in lines[0]


@pytest.mark.parametrize(
    "event",
    [
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UWARROOMBOT"]}},
        {"type": "app_uninstalled"},
    ],
    ids=lambda e: e["type"],
)
def test_a_revoked_token_or_uninstall_stops_slack_calls(
    bot: BotHarness, caplog: pytest.LogCaptureFixture, event: dict[str, Any]
) -> None:
    incident = bot.declare()
    with caplog.at_level(logging.INFO):
        reply = bot.requests.event(event)
        again = bot.requests.event(event)  # a second notice says nothing new
    before = len(bot.slack.state.calls)

    declared = bot.command("declare sev1 After the uninstall")
    message = bot.slack.state.post_user_message(incident, "U0ANN", "pin me")
    pinned = bot.requests.reaction(
        user=COMMANDER, channel=incident, message_ts=message.ts, item_user="U0ANN"
    )
    bot.settle()

    assert (reply.status, again.status, declared.status, pinned.status) == (200,) * 4
    lines = [r.getMessage() for r in caplog.records if "no more Slack calls" in r.getMessage()]
    assert len(lines) == 1 and "T0WARROOM" in lines[0]
    # Stored all the same, and Slack's Web API never called (bolt's own client included).
    assert _incidents(bot)[-1] == "After the uninstall"
    with bot.db.transaction() as session:
        assert session.scalars(
            select(TimelineEntry.id).where(TimelineEntry.source_ts == message.ts)
        ).all()
    assert bot.slack.state.calls[before:] == []


def test_revoked_user_tokens_leave_the_bot_working(bot: BotHarness) -> None:
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["U0ANN"], "bot": []}}

    assert bot.requests.event(event).status == 200
    bot.declare("sev2 Still working")

    assert bot.slack.state.calls_to("conversations.create")


def test_posts_owed_while_access_is_revoked_keep_their_attempts(bot: BotHarness) -> None:
    incident = bot.declare()
    bot.requests.event({"type": "app_uninstalled"})
    before = len(bot.slack.state.calls)

    bot.command("status identified", channel=incident)
    with bot.db.transaction() as session:
        attempts = list(
            session.scalars(select(OutboxMessage.attempts).where(OutboxMessage.sent_at.is_(None)))
        )
    [outbox_job] = [job for job in bot.runtime.jobs if job.name == "outbox"]
    for _ in range(3):
        outbox_job.run()

    with bot.db.transaction() as session:
        after = list(
            session.scalars(select(OutboxMessage.attempts).where(OutboxMessage.sent_at.is_(None)))
        )
    assert attempts and after == attempts  # queued, not used up by the job
    assert bot.slack.state.calls[before:] == []
