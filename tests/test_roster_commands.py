"""The roster over signed HTTP on SQLite and PostgreSQL: need, standby, release, recall,
role, roster, join/leave events, refusals, and two moves of one person at once."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.errors import WarroomError
from bot.services import roster, roster_view
from bot.store.models import Incident, Participant, ParticipantTransition, TimelineEntry
from tests.harness import COMMANDER, BotHarness

ANN, BOB, ADMIN = "U0ANN", "U0BOB", "U0ADMIN"


def _setup(bot: BotHarness) -> str:
    bot.slack.state.add_user(ANN, "ann")
    bot.slack.state.add_user(BOB, "bob")
    return bot.declare()


@pytest.fixture
def incident(bot: BotHarness) -> str:
    return _setup(bot)


def dms_to(bot: BotHarness, user: str) -> list[str]:
    channel = bot.slack.state.channel_by_name(f"dm-{user}")
    return [m.text for m in bot.posted(channel.id)] if channel else []


def roster_state(bot: BotHarness) -> dict[str, tuple[str, int]]:
    with bot.db.transaction() as session:
        return {
            p.user_id: (p.state, p.needed_seconds)
            for p in session.scalars(select(Participant).order_by(Participant.id))
        }


def timeline(bot: BotHarness) -> list[tuple[str, str, dict[str, Any] | None]]:
    with bot.db.transaction() as session:
        return [
            (e.kind, e.text, e.data)
            for e in session.scalars(select(TimelineEntry).order_by(TimelineEntry.id))
        ]


def transitions(bot: BotHarness, user: str) -> list[tuple[str | None, str, str | None, str | None]]:
    with bot.db.transaction() as session:
        rows = session.scalars(
            select(ParticipantTransition)
            .join(Participant)
            .where(Participant.user_id == user)
            .order_by(ParticipantTransition.id)
        )
        return [(t.from_state, t.to_state, t.by_user, t.reason) for t in rows]


def ack(reply: Any) -> str:
    assert reply.status == 200, reply.text
    return str(reply.json()["text"])


def show_roster(bot: BotHarness, incident: str, user: str) -> str:
    """`roster` answers after its acknowledgement, in one message to the asker."""
    before = len(bot.responses())
    assert bot.command("roster", channel=incident, user=user).status == 200
    [shown] = bot.responses()[before:]
    return str(shown["text"])


def test_need_adds_people_as_needed_invites_them_and_logs_each(
    bot: BotHarness, incident: str
) -> None:
    text = ack(bot.command(f"need <@{ANN}> <@{BOB}|bob>", channel=incident))

    assert f"<@{ANN}>" in text and f"<@{BOB}>" in text
    assert roster_state(bot) == {COMMANDER: ("needed", 0), ANN: ("needed", 0), BOB: ("needed", 0)}
    invited = [
        c.params["users"]
        for c in bot.slack.state.calls_to("conversations.invite")
        if c.params["channel"] == incident
    ]
    assert invited[-2:] == [ANN, BOB]
    channel = bot.slack.state.channels[incident]
    assert ANN in channel.members and BOB in channel.members
    entries = [e for e in timeline(bot) if e[0] == "roster"]
    assert [e[2]["user"] for e in entries] == [ANN, BOB]
    assert entries[0][1] == f"<@{ANN}> is needed (pulled in by <@{COMMANDER}>)"
    assert any(":sos:" in m.text for m in bot.posted(incident))
    assert transitions(bot, ANN) == [(None, "needed", COMMANDER, "need")]


def test_need_is_open_to_anyone_in_the_channel(bot: BotHarness, incident: str) -> None:
    bot.command(f"need <@{ANN}>", channel=incident)

    ack(bot.command(f"need <@{BOB}>", channel=incident, user=ANN))

    assert roster_state(bot)[BOB] == ("needed", 0)


def test_need_of_someone_already_needed_or_on_standby_writes_nothing(
    bot: BotHarness, incident: str
) -> None:
    bot.command(f"need <@{ANN}> <@{BOB}>", channel=incident)
    bot.command(f"standby <@{BOB}>", channel=incident)
    before = timeline(bot)

    text = ack(bot.command(f"need <@{ANN}> <@{BOB}>", channel=incident))

    assert f"<@{ANN}> is already needed" in text
    assert f"<@{BOB}> is on standby" in text and f"/incident recall <@{BOB}>" in text
    assert timeline(bot) == before


def test_need_without_a_mention_shows_the_form(bot: BotHarness, incident: str) -> None:
    text = ack(bot.command("need ann", channel=incident))

    assert "`ann` is not a Slack user" in text and "/incident need <@user>" in text
    assert set(roster_state(bot)) == {COMMANDER}


def test_standby_moves_counts_time_logs_announces_and_tells_the_person(
    bot: BotHarness, incident: str
) -> None:
    bot.command(f"need <@{ANN}>", channel=incident)
    bot.clock.advance(minutes=50)

    text = ack(bot.command(f"standby <@{ANN}|ann> DNS is fixed, thanks", channel=incident))

    assert "on standby" in text
    assert roster_state(bot)[ANN] == ("standby", 50 * 60)
    assert transitions(bot, ANN)[-1] == ("needed", "standby", COMMANDER, "DNS is fixed, thanks")
    kind, entry, data = timeline(bot)[-1]
    assert kind == "roster"
    assert entry == f"<@{ANN}> released to standby by <@{COMMANDER}>: DNS is fixed, thanks"
    assert data is not None and (data["from"], data["to"]) == ("needed", "standby")
    dm = dms_to(bot, ANN)[-1]
    assert "INC-1" in dm and "Production environment deleted" in dm
    assert "DNS is fixed, thanks" in dm and f"<@{COMMANDER}>" in dm
    assert "may leave the call" in dm
    assert bot.slack.state.calls_to("conversations.open")
    assert any("released to standby" in m.text for m in bot.posted(incident))


def test_standby_of_someone_already_on_standby_is_a_clear_error(
    bot: BotHarness, incident: str
) -> None:
    bot.command(f"need <@{ANN}>", channel=incident)
    bot.command(f"standby <@{ANN}>", channel=incident)
    before, dms = timeline(bot), len(dms_to(bot, ANN))

    text = ack(bot.command(f"standby <@{ANN}>", channel=incident))

    assert text == f":warning: <@{ANN}> is already on standby. Nothing was changed."
    assert timeline(bot) == before
    assert len(dms_to(bot, ANN)) == dms


def test_release_frees_the_person_and_tells_them(bot: BotHarness, incident: str) -> None:
    bot.command(f"need <@{ANN}>", channel=incident)
    bot.clock.advance(minutes=10)

    ack(bot.command(f"release <@{ANN}> root cause found", channel=incident))

    assert roster_state(bot)[ANN] == ("released", 600)
    dm = dms_to(bot, ANN)[-1]
    assert "released you from *INC-1" in dm and "root cause found" in dm


def test_recall_brings_back_with_a_dm_that_links_the_channel(
    bot: BotHarness, incident: str
) -> None:
    bot.command(f"need <@{ANN}>", channel=incident)
    bot.clock.advance(minutes=20)
    bot.command(f"standby <@{ANN}>", channel=incident)
    bot.clock.advance(hours=3)
    bot.slack.state.channels[incident].members.remove(ANN)

    text = ack(bot.command(f"recall <@{ANN}> the restore failed", channel=incident))
    bot.clock.advance(minutes=5)

    assert "needed again" in text
    dm = dms_to(bot, ANN)[-1]
    assert "recalled you to *INC-1" in dm and "the restore failed" in dm
    assert f"https://slack.com/app_redirect?channel={incident}" in dm
    assert ANN in bot.slack.state.channels[incident].members  # invited back
    assert transitions(bot, ANN)[-1] == ("standby", "needed", COMMANDER, "the restore failed")
    snapshot = roster_view.snapshot(bot.ctx, 1)
    line = next(x for x in snapshot.lines if x.user_id == ANN)
    assert line.needed_seconds == 25 * 60  # 20 minutes, then 5 since the recall


def test_recall_of_someone_needed_is_refused(bot: BotHarness, incident: str) -> None:
    bot.command(f"need <@{ANN}>", channel=incident)

    text = ack(bot.command(f"recall <@{ANN}>", channel=incident))

    assert "already needed" in text


def test_the_commander_cannot_be_released_before_handing_over(
    bot: BotHarness, incident: str
) -> None:
    text = ack(bot.command(f"release <@{COMMANDER}>", channel=incident))

    assert "is the commander" in text and "/incident role commander" in text
    assert roster_state(bot)[COMMANDER][0] == "needed"


@pytest.mark.parametrize(
    "command",
    [
        f"standby <@{ANN}>",
        f"release <@{ANN}>",
        f"recall <@{ANN}>",
        f"role scribe <@{ANN}>",
        f"role commander <@{BOB}>",
    ],
)
def test_a_non_commander_is_refused_and_nothing_changes(
    bot: BotHarness, incident: str, command: str
) -> None:
    bot.command(f"need <@{ANN}> <@{BOB}>", channel=incident)
    if command.startswith("recall"):
        bot.command(f"standby <@{ANN}>", channel=incident)
    before_roster, before_timeline = roster_state(bot), timeline(bot)
    before_dms = len(dms_to(bot, ANN))

    text = ack(bot.command(command, channel=incident, user=BOB))

    assert text.startswith(":warning: Only the incident commander")
    assert f"<@{COMMANDER}>" in text and "Nothing was changed" in text
    assert roster_state(bot) == before_roster
    assert timeline(bot) == before_timeline
    assert len(dms_to(bot, ANN)) == before_dms
    with bot.db.transaction() as session:
        incident_row = session.scalars(select(Incident)).one()
        assert (incident_row.commander_id, incident_row.scribe_id) == (COMMANDER, None)


def test_roster_commands_outside_an_incident_channel_say_where_to_run_them(bot: BotHarness) -> None:
    text = ack(bot.command(f"need <@{ANN}>"))

    assert "works inside an incident channel" in text


def test_handing_over_command_adds_the_new_commander_and_refreshes_the_summary(
    bot: BotHarness, incident: str
) -> None:
    text = ack(bot.command(f"role commander <@{BOB}|bob>", channel=incident))

    assert f"<@{BOB}> is now commander" in text
    assert roster_state(bot)[BOB] == ("needed", 0)
    assert BOB in bot.slack.state.channels[incident].members
    role = [e for e in timeline(bot) if e[0] == "role"]
    assert role == [
        (
            "role",
            f"Commander: <@{COMMANDER}> → <@{BOB}> (by <@{COMMANDER}>)",
            {"role": "commander", "old": COMMANDER, "new": BOB},
        )
    ]
    summary = bot.posted(incident)[0]
    assert summary.edits >= 1 and f"*Commander:* <@{BOB}>" in summary.text
    # the old commander is now refused; the new one may move people
    refused = ack(bot.command(f"standby <@{COMMANDER}>", channel=incident))
    assert "Only the incident commander (<@U0BOB>)" in refused
    ack(bot.command(f"standby <@{COMMANDER}> handed over", channel=incident, user=BOB))
    assert roster_state(bot)[COMMANDER][0] == "standby"


def test_scribe_and_comms_are_roles_on_the_summary_and_the_roster(
    bot: BotHarness, incident: str
) -> None:
    bot.command(f"need <@{ANN}> <@{BOB}>", channel=incident)

    ack(bot.command(f"role scribe <@{ANN}>", channel=incident))
    ack(bot.command(f"role comms <@{BOB}>", channel=incident))
    again = ack(bot.command(f"role scribe <@{ANN}>", channel=incident))

    assert "already scribe" in again
    summary = bot.posted(incident)[0].text
    assert f"*Scribe:* <@{ANN}>" in summary and f"*Comms:* <@{BOB}>" in summary
    shown = show_roster(bot, incident, ANN)
    assert f"<@{ANN}> :memo: scribe" in shown and f"<@{BOB}> :loudspeaker: comms" in shown
    role = [e[2] for e in timeline(bot) if e[0] == "role"]
    assert role == [
        {"role": "scribe", "old": None, "new": ANN},
        {"role": "comms", "old": None, "new": BOB},
    ]


def test_role_needs_a_known_role_and_a_person(bot: BotHarness, incident: str) -> None:
    assert "not a role" in ack(bot.command(f"role boss <@{ANN}>", channel=incident))
    assert "Which role, and who?" in ack(bot.command("role scribe", channel=incident))


def test_roster_shows_states_times_and_roles(bot: BotHarness, incident: str) -> None:
    bot.command(f"need <@{ANN}> <@{BOB}>", channel=incident)
    bot.clock.advance(minutes=30)
    bot.command(f"standby <@{BOB}>", channel=incident)
    bot.clock.advance(minutes=35)

    text = show_roster(bot, incident, BOB)

    needed, standby, released = (
        text.index("*Needed (2)*"),
        text.index("*On standby (1)*"),
        text.index("*Released (0)*: nobody"),
    )
    assert needed < standby < released
    assert f"• <@{COMMANDER}> :crown: commander: needed for 1h 05m" in text
    assert f"• <@{ANN}>: needed for 1h 05m" in text
    assert f"• <@{BOB}>: needed for 30m" in text
    assert text.index(f"<@{ANN}>") < standby < text.index(f"<@{BOB}>:")
    assert "2h 40m (2.7 responder-hours)" in text


def test_joining_the_channel_makes_you_needed_and_leaving_releases_you(
    bot: BotHarness, incident: str
) -> None:
    join = {
        "type": "member_joined_channel",
        "user": ANN,
        "channel": incident,
        "channel_type": "C",
        "team": "T0WARROOM",
    }
    assert bot.requests.event(join).status == 200
    bot.clock.advance(minutes=15)
    leave = {**join, "type": "member_left_channel"}
    assert bot.requests.event(leave).status == 200

    assert roster_state(bot)[ANN] == ("released", 900)
    assert transitions(bot, ANN) == [
        (None, "needed", ANN, "joined the channel"),
        ("needed", "released", ANN, "left the channel"),
    ]
    assert [e[1] for e in timeline(bot) if e[0] == "roster"] == [
        f"<@{ANN}> joined the channel: needed",
        f"<@{ANN}> left the channel: released",
    ]
    assert dms_to(bot, ANN) == []  # nobody is DMed for what they did themselves


def test_join_events_for_the_bot_itself_or_other_channels_are_ignored(
    bot: BotHarness, incident: str
) -> None:
    before = timeline(bot)
    bot.requests.event(
        {"type": "member_joined_channel", "user": "UWARROOMBOT", "channel": incident}
    )
    bot.requests.event({"type": "member_joined_channel", "user": ANN, "channel": bot.general})
    bot.requests.event(
        {"type": "member_joined_channel", "user": COMMANDER, "channel": incident}
    )  # already needed

    assert set(roster_state(bot)) == {COMMANDER}
    assert timeline(bot) == before


@pytest.fixture
def admin_bot(database_url: str) -> Iterator[BotHarness]:
    harness = BotHarness(database_url, settings={"warroom_admins": ADMIN})
    yield harness
    harness.close()


def test_a_warroom_admin_may_move_people(admin_bot: BotHarness) -> None:
    incident = _setup(admin_bot)
    admin_bot.command(f"need <@{ANN}>", channel=incident)

    text = ack(admin_bot.command(f"standby <@{ANN}>", channel=incident, user=ADMIN))

    assert "on standby" in text
    assert roster_state(admin_bot)[ANN][0] == "standby"


def _race(bot: BotHarness, *moves: Any) -> list[object]:
    """Run the moves at the same instant on their own threads; returns each outcome."""
    barrier = threading.Barrier(len(moves))
    outcomes: list[object] = [None] * len(moves)
    # Open one pooled connection per thread first, so neither thread spends the race
    # connecting while the other finishes.
    warm = [bot.db.engine.connect() for _ in moves]
    for connection in warm:
        connection.close()

    def run(i: int, move: Any) -> None:
        barrier.wait()
        try:
            outcomes[i] = move(
                bot.ctx, number=1, by_user=COMMANDER, user_id=ANN, reason=f"thread {i}"
            )
        except WarroomError as error:
            outcomes[i] = error

    threads = [threading.Thread(target=run, args=(i, m)) for i, m in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_two_standbys_of_one_person_at_once_make_one_move(bot: BotHarness, incident: str) -> None:
    bot.command(f"need <@{ANN}>", channel=incident)

    outcomes = _race(bot, roster.release_to_standby, roster.release_to_standby)

    refused = [o for o in outcomes if isinstance(o, WarroomError)]
    assert len(refused) == 1 and "already on standby" in refused[0].user_message
    assert [t[:2] for t in transitions(bot, ANN)] == [(None, "needed"), ("needed", "standby")]
    standby = [e for e in timeline(bot) if e[0] == "roster" and e[2]["to"] == "standby"]
    assert len(standby) == 1


def test_standby_and_release_at_once_leave_a_consistent_chain(
    bot: BotHarness, incident: str
) -> None:
    bot.command(f"need <@{ANN}>", channel=incident)
    bot.clock.advance(minutes=10)

    _race(bot, roster.release_to_standby, roster.release)

    chain = transitions(bot, ANN)
    for earlier, later in itertools.pairwise(chain):
        assert later[0] == earlier[1], chain  # each move starts where the last one ended
    state, seconds = roster_state(bot)[ANN]
    assert state == chain[-1][1]
    assert seconds == 600  # the needed interval was closed exactly once
    moves = [
        (e[2]["from"], e[2]["to"])
        for e in timeline(bot)
        if e[0] == "roster" and e[2]["user"] == ANN
    ]
    assert moves == [t[:2] for t in chain]
