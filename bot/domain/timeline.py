"""Kinds of timeline entries. The bot records one for everything it does or sees, so the
timeline can never disagree with the state."""

from __future__ import annotations

import enum


class EntryKind(enum.StrEnum):
    DECLARED = "declared"
    NOTE = "note"
    MESSAGE = "message"
    STATUS = "status"
    SEVERITY = "severity"
    ROLE = "role"
    ROSTER = "roster"
    SUPPORT = "support"
    RUNBOOK = "runbook"
    FOLLOWUP = "followup"
    RESOLVED = "resolved"
    STRIKE = "strike"
    UPDATE = "update"
    AWS_HEALTH = "aws_health"
    RESTORE_DRILL = "restore_drill"
    IMPACT = "impact"
