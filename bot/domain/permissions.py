"""Who may do what: CONTRACT.md's one rule, in one place.

The commander of an incident and the warroom admins may change roles, move people on the
roster, change severity, open an AWS case and resolve. Everyone else gets a refusal that
names who may.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.domain.errors import NotPermitted


def is_commander_or_admin(user_id: str, commander_id: str, admins: Collection[str]) -> bool:
    return user_id == commander_id or user_id in admins


def require_commander(
    user_id: str, commander_id: str, admins: Collection[str], action: str
) -> None:
    if not is_commander_or_admin(user_id, commander_id, admins):
        raise NotPermitted(
            f"Only the incident commander (<@{commander_id}>) or a warroom admin may "
            f"`{action}`. Nothing was changed. Ask <@{commander_id}>, or ask them to hand "
            "over with `/incident role commander @you`."
        )
