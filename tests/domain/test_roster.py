"""The roster state machine and time accounting (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.roster import (
    Move,
    ParticipantState,
    Position,
    RosterMoveRefused,
    apply_move,
    next_state,
    responder_hours,
)

T0 = datetime(2026, 9, 16, 13, 0, tzinfo=UTC)
N, S, R = ParticipantState.NEEDED, ParticipantState.STANDBY, ParticipantState.RELEASED
WHO = "<@U1>"


@pytest.mark.parametrize(
    ("current", "move", "expected"),
    [
        (None, Move.NEED, N),
        (None, Move.JOIN, N),
        (S, Move.JOIN, N),
        (R, Move.JOIN, N),
        (N, Move.LEAVE, R),
        (S, Move.LEAVE, R),
        (N, Move.STANDBY, S),
        (R, Move.STANDBY, S),
        (N, Move.RELEASE, R),
        (S, Move.RELEASE, R),
        (S, Move.RECALL, N),
        (R, Move.RECALL, N),
    ],
)
def test_allowed_moves(
    current: ParticipantState | None, move: Move, expected: ParticipantState
) -> None:
    assert next_state(current, move, WHO) is expected


@pytest.mark.parametrize(
    ("current", "move", "says"),
    [
        (S, Move.STANDBY, "<@U1> is already on standby. Nothing was changed."),
        (R, Move.RELEASE, "<@U1> is already released. Nothing was changed."),
        (N, Move.RECALL, "<@U1> is already needed. Nothing was changed."),
        (N, Move.NEED, "<@U1> is already needed. Nothing was changed."),
        (N, Move.JOIN, "<@U1> is already needed."),
        (R, Move.LEAVE, "<@U1> is already released."),
        (S, Move.NEED, "`/incident recall <@U1> [reason]`"),
        (None, Move.STANDBY, "not on this incident's roster"),
        (None, Move.RECALL, "`/incident need <@U1>`"),
        (None, Move.LEAVE, "not on this incident's roster"),
    ],
)
def test_refused_moves_say_why(current: ParticipantState | None, move: Move, says: str) -> None:
    with pytest.raises(RosterMoveRefused) as refused:
        next_state(current, move, WHO)
    assert says in refused.value.user_message


def test_time_as_needed_sums_intervals_and_skips_standby() -> None:
    position = apply_move(None, Move.NEED, T0, WHO)
    assert position == Position(N, 0, T0)

    position = apply_move(position, Move.STANDBY, T0 + timedelta(minutes=30), WHO)
    assert (position.state, position.needed_seconds, position.needed_since) == (S, 1800, None)
    assert position.needed_seconds_at(T0 + timedelta(hours=5)) == 1800  # standby is not counted

    position = apply_move(position, Move.RECALL, T0 + timedelta(hours=2), WHO)
    assert position.needed_since == T0 + timedelta(hours=2)
    assert position.needed_seconds_at(T0 + timedelta(hours=2, minutes=15)) == 1800 + 900

    position = apply_move(position, Move.RELEASE, T0 + timedelta(hours=3), WHO)
    assert (position.state, position.needed_seconds) == (R, 1800 + 3600)


def test_responder_hours_adds_everyone_up_to_the_instant() -> None:
    ann = Position(N, 0, T0)  # needed for the whole two hours
    bob = Position(S, 1800, None)  # half an hour, then standby
    assert responder_hours([ann, bob], T0 + timedelta(hours=2)) == pytest.approx(2.5)


def test_a_clock_behind_never_makes_negative_time() -> None:
    position = Position(N, 60, T0)
    assert position.needed_seconds_at(T0 - timedelta(minutes=5)) == 60
    assert position.moved_to(S, T0 - timedelta(seconds=1)).needed_seconds == 60


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        Position.joined(datetime(2026, 9, 16, 13, 0))
