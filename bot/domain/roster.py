"""Roster states: who is still needed on the call, who was released to standby (off the
call, reachable), who is released (done)."""

from __future__ import annotations

import enum


class ParticipantState(enum.StrEnum):
    NEEDED = "needed"
    STANDBY = "standby"
    RELEASED = "released"
