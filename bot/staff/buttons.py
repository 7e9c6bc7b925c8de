"""Staff buttons: short callback data, tied to one run of one flow.

Layout: ``S:<nonce>:<kind>[:<field>...]``; as sent it is signed for the chat
(`bot.outgoing`), so other chats cannot use it. The nonce names the flow run
stored in `StaffMember.state`: once the flow ends or another starts, its buttons
do nothing, so a replayed tap cannot close, export or invite twice. Fields are
never trusted: every campaign id is checked against the member's organization.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from surveys.roles import Permission

PREFIX = "S"
_FIELD = re.compile(r"^[A-Za-z0-9_\-]{1,24}$")

KIND_PERMISSIONS: dict[str, Permission | None] = {
    "L": Permission.LAUNCH,  # a /launch step: L:<step>:<value>
    "C": Permission.CLOSE,  # close a campaign: C:<campaign id>
    "E": Permission.EXPORT,  # export a campaign: E:<campaign id>
    "F": Permission.EXPORT,  # the export's format: F:<campaign id>:<csv|xlsx>
    "R": Permission.REPORT,  # report on a campaign: R:<campaign id>
    "A": Permission.REPORT,  # add a campaign to the report: A:<campaign id>
    "G": Permission.REPORT,  # make the report: G
    "I": Permission.MANAGE_STAFF,  # invite for a role: I:<role>
    "V": Permission.MANAGE_STAFF,  # remove a member, asked: V:<member id>
    "W": Permission.MANAGE_STAFF,  # remove a member, confirmed: W:<member id>
    "S": Permission.SHARE,  # share a campaign's results: S:<campaign id>
    "Y": Permission.SHARE,  # confirm the share: Y:<campaign id>
    "X": None,  # cancel the flow
}


@dataclass(frozen=True)
class StaffTap:
    nonce: str
    kind: str
    fields: tuple[str, ...]

    @property
    def permission(self) -> Permission | None:
        return KIND_PERMISSIONS[self.kind]

    def first_id(self) -> int | None:
        """The first field as a row id (a campaign's, a member's), or None when it is not
        one. Never trusted: the caller checks it belongs to the member's organization."""
        if not self.fields or not self.fields[0].isdigit() or len(self.fields[0]) > 12:
            return None
        return int(self.fields[0])


def is_staff_data(data: str) -> bool:
    return data.startswith(f"{PREFIX}:")


def encode(nonce: str, kind: str, *fields: str | int) -> str:
    parts = [PREFIX, nonce, kind, *(str(f) for f in fields)]
    return ":".join(parts)


def decode(data: str) -> StaffTap | None:
    parts = data.split(":")
    if len(parts) < 3 or parts[0] != PREFIX or parts[2] not in KIND_PERMISSIONS:
        return None
    if not all(_FIELD.match(part) for part in parts[1:]):
        return None
    return StaffTap(nonce=parts[1], kind=parts[2], fields=tuple(parts[3:]))


def button(label: str, nonce: str, kind: str, *fields: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(nonce, kind, *fields))


def column(buttons: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """One button per row: labels are school names and sentences."""
    return InlineKeyboardMarkup([[b] for b in buttons])
