"""Events are applied exactly once in effect: an event id counts as seen only when its
work committed, so Slack's redelivery applies what failed and skips what succeeded."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from bot.services import event_claims
from bot.slack.app import WarroomApp
from bot.store.models import EventClaim, Participant, ParticipantTransition, TimelineEntry
from tests.faults import FailStatements, FlakyDatabase
from tests.harness import BotHarness


def _claims(bot: BotHarness) -> int:
    with bot.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(EventClaim)) or 0)


def _join(channel: str, user: str) -> dict[str, Any]:
    return {"type": "member_joined_channel", "user": user, "channel": channel}


def _roster(bot: BotHarness) -> dict[str, tuple[str, int]]:
    """user -> (state, number of transitions)."""
    with bot.db.transaction() as session:
        rows = session.execute(
            select(Participant.user_id, Participant.state, func.count(ParticipantTransition.id))
            .join(ParticipantTransition, ParticipantTransition.participant_id == Participant.id)
            .group_by(Participant.user_id, Participant.state)
        ).all()
    return {user: (state, count) for user, state, count in rows}


def test_a_repeated_event_id_is_dropped_and_old_ids_are_pruned(bot: BotHarness) -> None:
    event = {
        "type": "reaction_added",
        "user": "U1",
        "reaction": "thumbsup",
        "item": {"type": "message", "channel": bot.general, "ts": "1.000100"},
    }

    first = bot.requests.event(event, event_id="Ev0001")
    again = bot.requests.event(event, event_id="Ev0001", retry_num=1)

    assert (first.status, again.status) == (200, 200)
    assert _claims(bot) == 1
    assert event_claims.claim(bot.ctx, "Ev0001").outcome is event_claims.Outcome.DONE

    bot.clock.advance(hours=2)
    assert event_claims.claim(bot.ctx, "Ev0002").outcome is event_claims.Outcome.CLAIMED
    assert event_claims.prune(bot.ctx) == 0  # nothing is a day old yet
    bot.clock.advance(days=1, minutes=1)
    assert event_claims.prune(bot.ctx) == 2
    assert _claims(bot) == 0


def test_an_event_whose_work_failed_is_applied_on_slacks_retry(bot: BotHarness) -> None:
    incident = bot.declare()

    with FailStatements(bot.db.engine, "INSERT INTO participants") as fault:
        failed = bot.requests.event(_join(incident, "U0LATE"), event_id="EvJoin")
    retried = bot.requests.event(_join(incident, "U0LATE"), event_id="EvJoin", retry_num=1)

    assert fault.hits == 1
    assert failed.status >= 500  # not a 2xx: Slack delivers it again
    assert retried.status == 200
    assert _roster(bot)["U0LATE"] == ("needed", 1)


def test_an_applied_event_is_never_applied_again(bot: BotHarness) -> None:
    """A late copy of an old join must not pull back someone who has left since."""
    incident = bot.declare()
    bot.requests.event(_join(incident, "U0GONE"), event_id="EvJoin1")
    left = {"type": "member_left_channel", "user": "U0GONE", "channel": incident}
    bot.requests.event(left, event_id="EvLeft1")

    again = bot.requests.event(_join(incident, "U0GONE"), event_id="EvJoin1", retry_num=2)

    assert again.status == 200
    assert _roster(bot)["U0GONE"] == ("released", 2)


def test_concurrent_copies_of_an_event_are_applied_once(bot: BotHarness) -> None:
    incident = bot.declare()
    in_work, go_on = threading.Event(), threading.Event()

    def hold_first_copy(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "INSERT INTO participants" in statement and not in_work.is_set():
            in_work.set()
            go_on.wait(10)

    from sqlalchemy import event as sa_event

    sa_event.listen(bot.db.engine, "before_cursor_execute", hold_first_copy)
    statuses: list[int] = []
    try:

        def send() -> None:
            statuses.append(
                bot.requests.event(_join(incident, "U0TWICE"), event_id="EvSame").status
            )

        first = threading.Thread(target=send)
        first.start()
        assert in_work.wait(10)
        second = threading.Thread(target=send)
        second.start()  # finds the first copy at work, and waits for its outcome
        go_on.set()
        first.join(10)
        second.join(10)
    finally:
        sa_event.remove(bot.db.engine, "before_cursor_execute", hold_first_copy)

    assert statuses == [200, 200]
    assert _roster(bot)["U0TWICE"] == ("needed", 1)


def test_a_claim_left_by_a_dead_replica_is_taken_over_after_its_lease(bot: BotHarness) -> None:
    incident = bot.declare()
    app = bot.runtime.app
    assert isinstance(app, WarroomApp) and app.gate is not None
    app.gate.busy_wait_seconds = 0  # answer at once instead of waiting for the holder
    abandoned = event_claims.claim(bot.ctx, "EvOrphan")  # a replica died holding it
    assert abandoned.outcome is event_claims.Outcome.CLAIMED

    busy = bot.requests.event(_join(incident, "U0ORPH"), event_id="EvOrphan", retry_num=1)
    bot.clock.advance(minutes=1)  # Slack's next retry, after the lease ran out
    later = bot.requests.event(_join(incident, "U0ORPH"), event_id="EvOrphan", retry_num=2)

    assert busy.status == 503
    assert later.status == 200
    assert _roster(bot)["U0ORPH"] == ("needed", 1)


def test_thirty_joins_while_the_database_keeps_failing_all_land_once(bot: BotHarness) -> None:
    """PostgreSQL: backends terminated from another connection throughout; SQLite: every
    fourth statement fails. Slack's retries (at once, after 1 and 5 minutes) then apply
    what failed and skip what succeeded."""
    incident = bot.declare()
    users = [f"U0J{n:03d}" for n in range(30)]
    events = {f"EvJ{n:03d}": _join(incident, user) for n, user in enumerate(users)}

    with FlakyDatabase(bot.db.engine) as flaky:
        first = {eid: bot.requests.event(ev, event_id=eid).status for eid, ev in events.items()}
    assert flaky.hits > 0

    statuses = dict(first)
    for retry_num, minutes in ((1, 0), (2, 1), (3, 5)):
        bot.clock.advance(minutes=minutes)
        # The first retry round re-sends every event (an answer may have been lost on the
        # way back); later rounds only what still failed, as Slack does.
        again = (
            events if retry_num == 1 else {e: events[e] for e, s in statuses.items() if s != 200}
        )
        for eid, ev in again.items():
            statuses[eid] = bot.requests.event(ev, event_id=eid, retry_num=retry_num).status

    assert set(statuses.values()) == {200}
    roster = _roster(bot)
    assert {user: roster.get(user) for user in users} == {user: ("needed", 1) for user in users}


def test_socket_mode_deliveries_pass_the_same_gate(bot: BotHarness) -> None:
    """`warroom socket` hands bolt parsed envelopes: they are cleaned and claimed too."""
    from slack_bolt import BoltRequest

    incident = bot.declare()
    envelope = {
        "type": "event_callback",
        "team_id": "T0WARROOM",
        "event_id": "EvSocket1",
        "event": _join(incident, "U0SOCK"),
    }

    first = bot.runtime.app.dispatch(BoltRequest(body=envelope, mode="socket_mode"))
    again = bot.runtime.app.dispatch(BoltRequest(body=envelope, mode="socket_mode"))

    assert (first.status, again.status) == (200, 200)
    assert _roster(bot)["U0SOCK"] == ("needed", 1)
    assert event_claims.claim(bot.ctx, "EvSocket1").outcome is event_claims.Outcome.DONE


def test_copies_of_one_event_on_two_replicas_are_applied_once(database_url: str) -> None:
    """Slack's retry and the original may land on different replicas at the same time. A
    second application of a pushpin would tell the reactor "already on the timeline"."""
    first = BotHarness(database_url)
    replicas = [first, BotHarness(database_url, slack=first.slack)]  # one Slack, one database
    try:
        incident = first.declare()
        message = first.slack.state.post_user_message(incident, "U0ANN", "rolled back")
        barrier = threading.Barrier(6)
        statuses: list[int] = []

        def deliver(replica: BotHarness, retry_num: int) -> None:
            barrier.wait(10)
            reply = replica.requests.reaction(
                user="U0BOB",
                channel=incident,
                message_ts=message.ts,
                item_user="U0ANN",
                event_id="EvPin1",
                retry_num=retry_num or None,
            )
            statuses.append(reply.status)

        threads = [
            threading.Thread(target=deliver, args=(replica, n))
            for replica in replicas
            for n in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
        for replica in replicas:
            replica.settle()

        assert statuses == [200] * 6
        told = [
            m.text
            for m in first.slack.state.messages_in(incident, include_ephemeral=True)
            if m.ephemeral_to == "U0BOB"
        ]
        assert len(told) == 1 and "is on the INC-1 timeline" in told[0], told
        with first.db.transaction() as session:
            captured = session.scalars(
                select(TimelineEntry.text).where(TimelineEntry.source_ts == message.ts)
            ).all()
        assert captured == ["rolled back"]
    finally:
        for replica in reversed(replicas):
            replica.close()
