"""Typed text while `/launch` is in progress: the flow takes it, not the survey.

Checked first on every typed message, with one indexed query: only a chat whose
member is in the middle of `/launch` (`StaffMember.state`) is routed here. Other
flows are buttons only, so their chat's text keeps going to its survey; once
`/launch` ends (or `/cancel`), so does this chat's. A staff member can therefore
also answer a survey as a respondent.
"""

from __future__ import annotations

import json

from sqlmodel import col, select

from bot.outgoing import Outgoing
from bot.staff import launch_flow, state
from bot.staff.access import Staff, allowed, run_as_staff
from surveys.models import StaffMember
from surveys.roles import Permission

TYPED_FLOW = "launch"


def in_typed_flow(out: Outgoing, chat_id: int) -> bool:
    raw = out.db.execute(
        select(StaffMember.state).where(
            StaffMember.chat_id == chat_id,
            col(StaffMember.revoked_at).is_(None),
            col(StaffMember.state).is_not(None),
        )
    ).scalar()
    if not raw:
        return False
    try:
        return bool(json.loads(raw).get("name") == TYPED_FLOW)
    except (ValueError, AttributeError):
        return False


def handle_text(
    out: Outgoing, *, chat_id: int, update_id: int | None, text: str, hint: str
) -> bool:
    """True when `/launch` took the text (and answered it) in this transaction."""
    if not in_typed_flow(out, chat_id):
        return False

    def work(staff: Staff) -> None:
        flow = state.load(staff.member)
        if flow is not None and allowed(staff, Permission.LAUNCH):
            launch_flow.on_text(staff, flow, text)

    run_as_staff(out, chat_id=chat_id, update_id=update_id, hint=hint,
                 permission=None, work=work)  # fmt: skip
    return True
