"""Errors a responder can act on.

Every rule that refuses a request raises a subclass of `WarroomError` whose message is
written for the person who typed the command. The Slack layer turns any of them into one
ephemeral reply, in one place, so no handler needs its own try/except.
"""

from __future__ import annotations


class WarroomError(Exception):
    """A refusal with a message meant for the user who asked."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class UsageError(WarroomError):
    """The command could not be parsed; the message shows the right form."""


class NotAnIncidentChannel(WarroomError):
    def __init__(self, command: str = "") -> None:
        what = f"`/incident {command}`" if command else "This command"
        super().__init__(
            f"{what} works inside an incident channel. Run it there, or declare one with "
            "`/incident declare <title>`."
        )


class NotPermitted(WarroomError):
    """Only the commander (or a warroom admin) may do this."""


class NotFound(WarroomError):
    pass


class InvalidTime(WarroomError):
    """A time a responder gave could not be read, or is not allowed (future, unknown zone)."""


class SupportError(WarroomError):
    """AWS Support could not do what was asked; the message says why and what to do."""


class NoSupportSubscription(SupportError):
    """The account's plan has no Support API access (Basic or Developer)."""


class AwsNotConfigured(SupportError):
    pass


class HealthError(WarroomError):
    """AWS Health could not be asked (denied, throttled, unreachable); asked again later."""


class HealthUnavailable(HealthError):
    """The account's plan has no AWS Health API access (`SubscriptionRequiredException`):
    warroom says so once and stops asking for that incident."""


class NotStored(WarroomError):
    """The database did not answer (after a few quick tries): nothing was written, and the
    person must hear that, not a silent failure."""

    def __init__(self, what: str = "This") -> None:
        super().__init__(
            f"{what} was NOT stored: warroom could not reach its database. "
            "Nothing was changed; try again in a moment."
        )
