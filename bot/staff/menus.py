"""The staff command menu: each command, the permission it needs, and the chat's menu.

The menu set with `setMyCommands` (scope: this chat) lists only what the roles
allow. It is a convenience, never a grant: every command checks again on the
server. It goes through the outbox like any message, so it survives a crash.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.outgoing import Outgoing
from surveys.crud.outbox import NewMessage
from surveys.i18n import t
from surveys.roles import Permission, StaffRole, permissions

STAFF_COMMANDS: dict[str, Permission | None] = {
    "launch": Permission.LAUNCH,
    "campaigns": Permission.VIEW_CAMPAIGNS,
    "report": Permission.REPORT,
    "export": Permission.EXPORT,
    "close": Permission.CLOSE,
    "share": Permission.SHARE,
    "invite": Permission.MANAGE_STAFF,
    "staff": Permission.MANAGE_STAFF,
    "alerts": Permission.HANDLE_ALERTS,
    "help": None,
    "cancel": None,
}
"""Every staff command and what it needs (None: any member), in menu order."""


def commands_for(roles: Iterable[StaffRole]) -> list[str]:
    granted = permissions(roles)
    return [name for name, needs in STAFF_COMMANDS.items() if needs is None or needs in granted]


def command_lines(roles: Iterable[StaffRole], language: str) -> str:
    """ "/launch – launch a survey at a school", one per line, for /help and the welcome."""
    return "\n".join(
        f"/{name} – {t(f'staff.commands.{name}', language)}" for name in commands_for(roles)
    )


def _scope(chat_id: int) -> dict[str, object]:
    return {"type": "chat", "chat_id": chat_id}


def queue_menu(out: Outgoing, chat_id: int, roles: Iterable[StaffRole], language: str) -> None:
    commands = [
        {"command": name, "description": t(f"staff.commands.{name}", language)}
        for name in commands_for(roles)
    ]
    out.call(chat_id, "setMyCommands", {"commands": commands, "scope": _scope(chat_id)})


def menu_reset(chat_id: int) -> NewMessage:
    """The call that removes a chat's staff menu (for a revoked member)."""
    return NewMessage(chat_id, "deleteMyCommands", {"scope": _scope(chat_id)})


def queue_menu_reset(out: Outgoing, chat_id: int) -> None:
    reset = menu_reset(chat_id)
    out.call(chat_id, reset.method, dict(reset.params))
