"""`/incident log`, `timeline`, `strike` and `followup` over signed HTTP, on SQLite and
PostgreSQL. The clock stands on Wednesday 2026-09-16 14:00 UTC (07:00 in California,
17:00 in Nairobi), the night the team's own write-up could not keep straight."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.domain.clock import FixedClock
from bot.slack.timeline_render import MAX_MESSAGE_CHARS, split_messages
from bot.store.models import FollowUp, TimelineEntry
from tests.harness import COMMANDER, BotHarness

NOW = datetime(2026, 9, 16, 14, 0, tzinfo=UTC)
ANN = "U0ANN"  # a responder in Lusaka
BOB = "U0BOB"
ADMIN = "U0ADMIN"


@pytest.fixture
def bot(database_url: str) -> Iterator[BotHarness]:
    harness = BotHarness(database_url, clock=FixedClock(NOW), settings={"warroom_admins": ADMIN})
    harness.slack.state.add_user(
        ANN, "ann", tz="Africa/Lusaka", tz_offset=7200, tz_label="Central Africa Time"
    )
    harness.slack.state.add_user(BOB, "bob", tz="Africa/Accra")
    harness.slack.state.add_user(ADMIN, "root", tz="UTC")
    yield harness
    harness.close()


@pytest.fixture
def channel(bot: BotHarness) -> str:
    return bot.declare("sev1 Production environment deleted")


def notes(bot: BotHarness) -> list[TimelineEntry]:
    with bot.db.transaction() as session:
        return list(
            session.scalars(
                select(TimelineEntry).where(TimelineEntry.kind == "note").order_by(TimelineEntry.id)
            )
        )


def all_entries(bot: BotHarness) -> list[TimelineEntry]:
    with bot.db.transaction() as session:
        return list(
            session.scalars(
                select(TimelineEntry).order_by(TimelineEntry.occurred_at, TimelineEntry.id)
            )
        )


def ack(bot: BotHarness, text: str, channel: str, user: str = COMMANDER) -> str:
    reply = bot.command(text, channel=channel, user=user)
    assert reply.status == 200, reply.text
    return str(reply.json()["text"])


def show_timeline(
    bot: BotHarness, channel: str, args: str = "", user: str = COMMANDER
) -> list[str]:
    """The messages `timeline` sent to the asker after its acknowledgement."""
    before = len(bot.responses())
    bot.command(f"timeline {args}".strip(), channel=channel, user=user)
    return [str(r["text"]) for r in bot.responses()[before:]]


# -- log -------------------------------------------------------------------------------


def test_log_pst_in_september_is_pacific_daylight_time_and_echoes_every_team_zone(
    bot: BotHarness, channel: str
) -> None:
    text = ack(bot, "log 6:38 AM PST | We have lost everything", channel)

    [entry] = notes(bot)
    assert entry.occurred_at == datetime(2026, 9, 16, 13, 38, tzinfo=UTC)
    assert entry.recorded_at == NOW
    assert entry.backdated is True
    assert (entry.author_id, entry.text) == (COMMANDER, "We have lost everything")
    assert "2026-09-16 13:38 UTC (Wed)" in text
    assert "06:38 PDT America/Los_Angeles" in text
    assert "16:38 EAT Africa/Nairobi" in text
    assert "15:38 CAT Africa/Lusaka" in text
    assert "13:38 GMT Africa/Accra" in text
    # The reply says PST was read as the season's clock, and how to mean UTC-8 instead.
    assert "PDT" in text.split("UTC (Wed)", 1)[1] and "UTC-8" in text
    assert "> We have lost everything" in text


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("6:38 AM PST", datetime(2026, 9, 16, 13, 38, tzinfo=UTC)),
        ("06:38 PDT", datetime(2026, 9, 16, 13, 38, tzinfo=UTC)),
        ("15:30 CAT", datetime(2026, 9, 16, 13, 30, tzinfo=UTC)),
        # 16:30 CAT today is 30 minutes ahead: the most recent one is yesterday's.
        ("16:30 CAT", datetime(2026, 9, 15, 14, 30, tzinfo=UTC)),
        ("Sep 16 06:38 America/Los_Angeles", datetime(2026, 9, 16, 13, 38, tzinfo=UTC)),
        ("2026-09-16T13:38Z", datetime(2026, 9, 16, 13, 38, tzinfo=UTC)),
        ("05:38 UTC-8", datetime(2026, 9, 16, 13, 38, tzinfo=UTC)),
        ("15m ago", datetime(2026, 9, 16, 13, 45, tzinfo=UTC)),
        ("2h ago", datetime(2026, 9, 16, 12, 0, tzinfo=UTC)),
    ],
)
def test_log_accepts_each_documented_form(
    bot: BotHarness, channel: str, when: str, expected: datetime
) -> None:
    text = ack(bot, f"log {when} | rolled back the stack", channel)

    [entry] = notes(bot)
    assert entry.occurred_at == expected, text
    assert entry.backdated is True
    assert entry.text == "rolled back the stack"
    assert f"{expected:%Y-%m-%d %H:%M} UTC" in text


def test_log_without_a_time_is_now_and_keeps_mentions_intact(bot: BotHarness, channel: str) -> None:
    text = ack(bot, f"log paged <@{ANN}|ann> about the <https://x.example|runbook>", channel)

    [entry] = notes(bot)
    assert entry.occurred_at == NOW and entry.backdated is False
    assert entry.text == f"paged <@{ANN}|ann> about the <https://x.example|runbook>"
    assert "2026-09-16 14:00 UTC (Wed)" in text
    assert "Logged as entry 2" in text  # "declared" is entry 1


def test_log_marks_the_author_active_on_the_roster(bot: BotHarness, channel: str) -> None:
    bot.clock.advance(minutes=30)
    ack(bot, "log checking the backups", channel)

    from bot.store.models import Participant

    with bot.db.transaction() as session:
        person = session.scalars(select(Participant).where(Participant.user_id == COMMANDER)).one()
        assert person.last_active_at == NOW + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("6:38 XYZ | text", "`XYZ` in `6:38 XYZ` is not a zone warroom knows"),
        ("6:38 Mars/Olympus | text", "`Mars/Olympus` is not a zone warroom knows"),
        ("2026-09-16T15:00Z | text", "can't be in the future"),
        ("6:38 PST |", "Say what happened"),
        ("", "Say what happened"),
        ("x" * 3001, "3,001 characters; keep it to 3,000"),
        ("10m ago | " + "y" * 3001, "3,001 characters; keep it to 3,000"),
    ],
)
def test_log_refuses_clearly_and_writes_nothing(
    bot: BotHarness, channel: str, args: str, expected: str
) -> None:
    text = ack(bot, f"log {args}", channel)

    assert expected in text
    assert notes(bot) == []


def test_log_of_exactly_3000_characters_is_accepted(bot: BotHarness, channel: str) -> None:
    ack(bot, "log " + "z" * 3000, channel)

    assert len(notes(bot)[0].text) == 3000


def test_log_outside_an_incident_channel_is_refused(bot: BotHarness) -> None:
    text = ack(bot, "log something", bot.general)

    assert "works inside an incident channel" in text
    assert all_entries(bot) == []


def test_log_with_a_time_but_no_bar_is_logged_now_with_a_hint(
    bot: BotHarness, channel: str
) -> None:
    text = ack(bot, "log 6:38 PST db restored", channel)

    assert notes(bot)[0].occurred_at == NOW
    assert "put it before a `|`" in text


# -- timeline ----------------------------------------------------------------------------


def test_timeline_is_ordered_by_when_it_happened_not_when_it_was_typed(
    bot: BotHarness, channel: str
) -> None:
    ack(bot, "log second: restore started", channel)
    ack(bot, "log 1h ago | first: stack deleted", channel)

    [message] = show_timeline(bot, channel)

    first = message.index("first: stack deleted")
    declared = message.index("Incident declared")
    second = message.index("second: restore started")
    assert first < declared < second
    # Numbers are the order of recording: declared 1, "second" 2, the backdated one 3.
    assert "`  3` 06:00 PDT · 13:00 UTC" in message
    assert "`  2` 07:00 PDT · 14:00 UTC" in message


def test_timeline_uses_the_askers_slack_timezone(bot: BotHarness, channel: str) -> None:
    ack(bot, "log 6:38 AM PST | We have lost everything", channel)

    [californian] = show_timeline(bot, channel)
    [zambian] = show_timeline(bot, channel, user=ANN)

    assert "America/Los_Angeles (your Slack profile)" in californian
    assert "06:38 PDT · 13:38 UTC" in californian
    assert "Africa/Lusaka (your Slack profile)" in zambian
    assert "15:38 CAT · 13:38 UTC" in zambian
    assert {c.params["user"] for c in bot.slack.state.calls_to("users.info")} >= {COMMANDER, ANN}


def test_timeline_in_a_zone_given_and_with_day_separators(bot: BotHarness, channel: str) -> None:
    ack(bot, "log 2026-09-16T03:00Z | replica lag alarms", channel)

    [pacific] = show_timeline(bot, channel, "America/Los_Angeles")
    [nairobi] = show_timeline(bot, channel, "Africa/Nairobi")

    # California: the alarm was on Tuesday evening, the declaration Wednesday morning.
    assert "America/Los_Angeles (as asked)" in pacific
    tuesday = pacific.index("*— Tue Sep 15, 2026 (America/Los_Angeles) —*")
    alarm = pacific.index("20:00 PDT · Wed 03:00 UTC")  # UTC's other day is named
    wednesday = pacific.index("*— Wed Sep 16, 2026 (America/Los_Angeles) —*")
    declared = pacific.index("07:00 PDT · 14:00 UTC")
    assert tuesday < alarm < wednesday < declared
    # Nairobi: both on Wednesday, one separator.
    assert nairobi.count("(Africa/Nairobi) —*") == 1
    assert nairobi.index("06:00 EAT · 03:00 UTC") < nairobi.index("17:00 EAT · 14:00 UTC")


def test_timeline_refuses_an_unknown_zone(bot: BotHarness, channel: str) -> None:
    before = len(bot.responses())
    text = ack(bot, "timeline Mars/Olympus", channel)

    assert "`Mars/Olympus` is not a zone warroom knows" in text
    assert len(bot.responses()) == before


def test_timeline_without_a_known_zone_lets_slack_show_local_time(
    bot: BotHarness, channel: str
) -> None:
    bot.slack.state.fail_next("users.info", "user_not_found")

    [message] = show_timeline(bot, channel, user=BOB)

    assert "times in UTC, and in your own zone as Slack shows it" in message
    assert f"<!date^{int(NOW.timestamp())}^" in message


def test_timeline_escapes_user_text(bot: BotHarness, channel: str) -> None:
    ack(bot, f"log <!channel> wake up <@{ANN}> & see <https://evil.example|docs>", channel)

    [message] = show_timeline(bot, channel)

    assert "<!channel>" not in message
    assert "&lt;!channel&gt;" in message
    assert f"<@{ANN}>" in message
    assert "<https://evil.example" not in message
    assert "&amp; see" in message


def test_long_timeline_is_split_into_messages_and_nothing_is_lost(
    bot: BotHarness, channel: str
) -> None:
    texts = [f"entry-{n:02d} " + "w" * 2800 for n in range(12)]
    for text in texts:
        ack(bot, f"log {text}", channel)

    messages = show_timeline(bot, channel)

    assert len(messages) >= 10
    assert all(len(m) <= MAX_MESSAGE_CHARS for m in messages)
    assert f"part 2 of {len(messages)}" in messages[1]
    joined = "\n".join(messages)
    for text in texts:
        assert joined.count(text) == 1


def test_one_huge_line_is_cut_without_losing_a_character() -> None:
    words = " ".join(f"w{n}" for n in range(3000))
    line = f"<@U1>: {words} &amp; end"

    messages = split_messages("*header*", [line], limit=1000)

    assert all(len(m) <= 1000 for m in messages)
    rebuilt = " ".join(
        piece.removeprefix("↳ ")
        for m in messages
        for piece in m.split("\n")
        if not piece.startswith(("*header*", "_(part"))
    )
    assert rebuilt.split() == line.split()


# -- strike ------------------------------------------------------------------------------


def test_author_strikes_their_own_entry_and_it_stays_in_the_record(
    bot: BotHarness, channel: str
) -> None:
    ack(bot, "log 10m ago | db is fine", channel, user=ANN)

    # 13:50, before the declaration at 14:00, but recorded after it: it is entry 2.
    text = ack(bot, "strike 2 wrong: it was the replica", channel, user=ANN)

    assert "Struck entry 2" in text and "~db is fine~" in text
    entries = all_entries(bot)
    struck = next(e for e in entries if e.text == "db is fine")
    assert (struck.struck_at, struck.struck_by, struck.strike_reason) == (
        NOW,
        ANN,
        "wrong: it was the replica",
    )
    strike_note = entries[-1]
    assert strike_note.kind == "strike" and strike_note.author_id == ANN
    assert "Struck entry 2" in strike_note.text
    assert "db is fine" not in strike_note.text  # what was struck does not live on here
    [message] = show_timeline(bot, channel)
    assert f"~<@{ANN}>: db is fine~" in message
    assert f"_(struck by <@{ANN}>: wrong: it was the replica)_" in message
    assert "`  2` 06:50 PDT · 13:50 UTC :memo: ~" in message  # it keeps its number


def test_commander_and_admin_may_strike_anyones_entry(bot: BotHarness, channel: str) -> None:
    ack(bot, "log first guess", channel, user=ANN)
    ack(bot, "log second guess", channel, user=ANN)

    ack(bot, "strike 2", channel, user=COMMANDER)
    ack(bot, "strike #3 duplicate", channel, user=ADMIN)

    struck = {e.text: e.struck_by for e in all_entries(bot) if e.struck_at is not None}
    assert struck == {"first guess": COMMANDER, "second guess": ADMIN}


def test_others_may_not_strike_and_are_told_who_may(bot: BotHarness, channel: str) -> None:
    ack(bot, "log the restore finished", channel, user=ANN)

    text = ack(bot, "strike 2", channel, user=BOB)

    assert f"its author (<@{ANN}>)" in text
    assert f"the incident commander (<@{COMMANDER}>)" in text
    assert "Nothing was changed" in text
    entries = all_entries(bot)
    assert all(e.struck_at is None for e in entries)
    assert [e.kind for e in entries] == ["declared", "note"]


def test_a_bot_entry_may_be_struck_by_the_commander_only(bot: BotHarness, channel: str) -> None:
    text = ack(bot, "strike 1", channel, user=ANN)

    assert text.count(f"<@{COMMANDER}>") == 1  # the commander wrote it: named once
    assert all(e.struck_at is None for e in all_entries(bot))


@pytest.mark.parametrize(
    ("args", "expected"),
    [("", "Which entry?"), ("two", "is not an entry number"), ("9", "there is no entry 9")],
)
def test_strike_refuses_what_it_cannot_strike(
    bot: BotHarness, channel: str, args: str, expected: str
) -> None:
    text = ack(bot, f"strike {args}", channel)

    assert expected in text
    assert [e.kind for e in all_entries(bot)] == ["declared"]


def test_an_entry_is_struck_once(bot: BotHarness, channel: str) -> None:
    ack(bot, "log oops", channel)
    ack(bot, "strike 2", channel)

    text = ack(bot, "strike 2 again", channel)

    assert "already struck" in text
    assert [e.kind for e in all_entries(bot)] == ["declared", "note", "strike"]


# -- followup ----------------------------------------------------------------------------


def test_followup_is_recorded_for_the_postmortem_and_on_the_timeline(
    bot: BotHarness, channel: str
) -> None:
    text = ack(bot, "followup Enable PITR on every DynamoDB table", channel, user=ANN)

    assert "Action item 1 recorded for the INC-1 postmortem" in text
    with bot.db.transaction() as session:
        followup = session.scalars(select(FollowUp)).one()
        assert (followup.text, followup.author_id, followup.created_at) == (
            "Enable PITR on every DynamoDB table",
            ANN,
            NOW,
        )
    assert all_entries(bot)[-1].kind == "followup"
    [message] = show_timeline(bot, channel)
    assert f"follow-up · <@{ANN}>: Action item 1: Enable PITR on every DynamoDB table" in message


@pytest.mark.parametrize(
    ("args", "expected"), [("", "Say what happened"), ("f" * 3001, "keep it to 3,000")]
)
def test_followup_refuses_empty_or_too_long_text(
    bot: BotHarness, channel: str, args: str, expected: str
) -> None:
    text = ack(bot, f"followup {args}", channel)

    assert expected in text
    with bot.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(FollowUp)) == 0
    assert [e.kind for e in all_entries(bot)] == ["declared"]


def test_help_lists_the_timeline_commands(bot: BotHarness) -> None:
    text = ack(bot, "help", bot.general)

    for usage in (
        "log [<when> |] <text>",
        "timeline [<IANA zone>]",
        "strike <n> [reason]",
        "followup <text>",
    ):
        assert f"/incident {usage}" in text
