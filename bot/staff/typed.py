"""Typed text while a staff flow is in progress: the flow takes it, not the survey.

Checked first on every typed message, with one indexed query: only a chat with a
flow in progress (`StaffMember.state`) is routed here. Once the flow ends (or
`/cancel`), the same chat's text goes to its survey again, so a staff member can
also answer as a respondent.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot.outgoing import Outgoing
from bot.staff import launch_flow, state
from bot.staff.access import Staff, allowed, run_as_staff
from surveys.models import StaffMember
from surveys.roles import Permission


def in_flow(out: Outgoing, chat_id: int) -> bool:
    found = out.db.execute(
        select(StaffMember.id).where(
            StaffMember.chat_id == chat_id,
            col(StaffMember.revoked_at).is_(None),
            col(StaffMember.state).is_not(None),
        )
    ).first()
    return found is not None


def handle_text(
    out: Outgoing, *, chat_id: int, update_id: int | None, text: str, hint: str
) -> bool:
    """True when a staff flow took the text (and answered it) in this transaction."""
    if not in_flow(out, chat_id):
        return False

    def work(staff: Staff) -> None:
        flow = state.load(staff.member)
        if flow is not None and flow.name == "launch":
            if allowed(staff, Permission.LAUNCH):
                launch_flow.on_text(staff, flow, text)
        else:
            staff.say("staff.use_buttons")

    run_as_staff(out, chat_id=chat_id, update_id=update_id, hint=hint,
                 permission=None, work=work)  # fmt: skip
    return True
