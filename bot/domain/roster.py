"""Roster states: who is still needed on the call, who was released to standby (off the
call, reachable), who is released (done).

The lesson behind this module: a call that starts with 13 people should end with the 4 who
are still needed, and everyone else should go back to their day without losing the
ability to be called back. So the roster is a small state machine with named moves, and
time as needed is accounted per person (summed over every interval spent as needed).
Pure rules: no database, no Slack; the store keeps a `Position` per person.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.clock import ensure_utc
from bot.domain.errors import WarroomError


class ParticipantState(enum.StrEnum):
    NEEDED = "needed"
    STANDBY = "standby"
    RELEASED = "released"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    ParticipantState.NEEDED: "needed",
    ParticipantState.STANDBY: "on standby",
    ParticipantState.RELEASED: "released",
}


class Move(enum.StrEnum):
    """What can happen to a person on the roster, by command or by what Slack reports."""

    NEED = "need"  # `/incident need`: someone new is pulled in
    JOIN = "join"  # they joined the incident channel
    LEAVE = "leave"  # they left the incident channel
    STANDBY = "standby"  # off the call, reachable
    RELEASE = "release"  # done
    RECALL = "recall"  # back from standby or released


@dataclass(frozen=True)
class _Rule:
    allowed_from: frozenset[ParticipantState | None]
    to: ParticipantState


_N, _S, _R = ParticipantState.NEEDED, ParticipantState.STANDBY, ParticipantState.RELEASED

# `None` is "not on the roster yet". Anything not listed is refused with a reason.
RULES: dict[Move, _Rule] = {
    Move.NEED: _Rule(frozenset({None}), _N),
    Move.JOIN: _Rule(frozenset({None, _S, _R}), _N),
    Move.LEAVE: _Rule(frozenset({_N, _S}), _R),
    Move.STANDBY: _Rule(frozenset({_N, _R}), _S),
    Move.RELEASE: _Rule(frozenset({_N, _S}), _R),
    Move.RECALL: _Rule(frozenset({_S, _R}), _N),
}


class RosterMoveRefused(WarroomError):
    """The move makes no sense from the person's current state; the message says why."""


def _refusal(move: Move, current: ParticipantState | None, who: str) -> str:
    if current is None:
        return (
            f"{who} is not on this incident's roster. Add them with `/incident need {who}` first."
        )
    if RULES[move].to is current:
        already = {
            _N: f"{who} is already needed.",
            _S: f"{who} is already on standby.",
            _R: f"{who} is already released.",
        }[current]
        return already + " Nothing was changed."
    if move is Move.NEED:
        return (
            f"{who} is {current.label}. The commander can bring them back with "
            f"`/incident recall {who} [reason]`."
        )
    return f"{who} is {current.label}; `{move.value}` does not apply. Nothing was changed."


def next_state(current: ParticipantState | None, move: Move, who: str) -> ParticipantState:
    """The state `move` leads to, or `RosterMoveRefused` naming `who` (a mention)."""
    rule = RULES[move]
    if current not in rule.allowed_from:
        raise RosterMoveRefused(_refusal(move, current, who))
    return rule.to


@dataclass(frozen=True)
class Position:
    """Where a person stands and their time as needed: `needed_seconds` holds the closed
    intervals, `needed_since` the start of the open one (None unless needed)."""

    state: ParticipantState
    needed_seconds: int = 0
    needed_since: datetime | None = None

    @classmethod
    def joined(cls, at: datetime) -> Position:
        return cls(ParticipantState.NEEDED, 0, ensure_utc(at))

    def moved_to(self, state: ParticipantState, at: datetime) -> Position:
        """The position after a move at `at`: closes or opens the needed interval."""
        at = ensure_utc(at)
        seconds = self.needed_seconds
        since = self.needed_since
        if self.state is ParticipantState.NEEDED and state is not ParticipantState.NEEDED:
            seconds += _interval(since, at)
            since = None
        elif self.state is not ParticipantState.NEEDED and state is ParticipantState.NEEDED:
            since = at
        return replace(self, state=state, needed_seconds=seconds, needed_since=since)

    def needed_seconds_at(self, until: datetime) -> int:
        """Total time as needed up to `until` (the open interval counted up to it)."""
        return self.needed_seconds + _interval(self.needed_since, ensure_utc(until))


def _interval(start: datetime | None, end: datetime) -> int:
    """Whole seconds from start to end; never negative (replica clocks may disagree)."""
    if start is None:
        return 0
    return max(0, int((end - ensure_utc(start)).total_seconds()))


def apply_move(position: Position | None, move: Move, at: datetime, who: str) -> Position:
    """Check `move` against the rules and return the new position."""
    state = next_state(position.state if position else None, move, who)
    if position is None:
        return Position.joined(at)
    return position.moved_to(state, at)


def responder_hours(positions: Iterable[Position], until: datetime) -> float:
    """Everyone's time as needed, summed, in hours: the human cost of the incident."""
    return sum(p.needed_seconds_at(until) for p in positions) / 3600
