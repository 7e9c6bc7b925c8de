"""`/staff`: who is in the organization, and removing someone from the chat.

Each other member gets a Remove button (never one for yourself: nobody locks themselves
out by a slip of the thumb). A tap asks to confirm, and says so when the member is the
organization's only safeguarding lead: alerts would then reach the owners only after the
escalation time. Confirming revokes the member as `chorus staff revoke` does (audited,
their command menu reset); their next update is refused. A button's member id is never
trusted: it must be an active member of the tapping member's own organization.
"""

from __future__ import annotations

from bot.staff import state
from bot.staff.access import Staff
from bot.staff.buttons import StaffTap, button, column
from bot.staff.menus import queue_menu_reset
from bot.staff.state import Flow
from surveys.crud.staff import (
    StaffError,
    list_staff,
    member_roles,
    members_with_role,
    revoke_member,
)
from surveys.i18n import t
from surveys.models import StaffMember
from surveys.roles import StaffRole


def roles_text(roles: str, language: str) -> str:
    names = [part for part in roles.split(",") if part]
    return ", ".join(t(f"staff.roles.{name}", language) for name in names)


def show(staff: Staff) -> None:
    """The list, one line per member, with a Remove button for each of the others."""
    staff.audit("staff.list")
    language = staff.language
    members = list_staff(staff.session, organization=staff.organization)
    lines = [t("staff.members.header", language, organization=staff.organization.name)]
    for member in members:
        roles = roles_text(member.roles, language)
        lines.append(
            t(
                "staff.members.row",
                language,
                number=member.id,
                name=member.display_name,
                roles=roles,
            )
        )
    others = [(m.id, m.display_name) for m in members if m.id and m.id != staff.member.id]
    if not others:
        staff.out.send(staff.chat_id, "\n".join(lines))
        return
    flow = state.begin(staff.session, staff.member, "staff")
    markup = column(
        [button(t("staff.remove.button", language, name=name), flow.nonce, "V", member_id)
         for member_id, name in others]
    )  # fmt: skip
    lines.append(t("staff.remove.hint", language))
    staff.out.send(staff.chat_id, "\n".join(lines), reply_markup=markup)


def on_tap(staff: Staff, flow: Flow, tap: StaffTap) -> None:
    """V: ask to confirm removing a member; W: remove them."""
    member = _other_member(staff, tap)
    if member is None or member.id is None:
        staff.say("staff.remove.unavailable")
        return
    if tap.kind == "V":
        _confirm(staff, flow, member)
    elif flow.step == "confirm" and flow.data.get("member") == member.id:
        _remove(staff, member)
    else:
        staff.say("staff.old_button")


def _other_member(staff: Staff, tap: StaffTap) -> StaffMember | None:
    member_id = tap.first_id()
    if member_id is None or len(tap.fields) != 1:
        return None
    found = staff.session.get(StaffMember, member_id)
    if (
        found is None
        or found.organization_id != staff.organization.id
        or found.revoked_at is not None
        or found.id == staff.member.id
    ):
        return None
    return found


def _only_lead(staff: Staff, member: StaffMember) -> bool:
    if StaffRole.SAFEGUARDING_LEAD not in member_roles(member):
        return False
    assert staff.organization.id is not None
    leads = members_with_role(
        staff.session, organization_id=staff.organization.id, role=StaffRole.SAFEGUARDING_LEAD
    )
    return [lead.id for lead in leads] == [member.id]


def _confirm(staff: Staff, flow: Flow, member: StaffMember) -> None:
    assert member.id is not None
    flow.step, flow.data = "confirm", {"member": member.id}
    state.save(staff.session, staff.member, flow)
    language = staff.language
    text = t(
        "staff.remove.confirm",
        language,
        name=member.display_name,
        roles=roles_text(member.roles, language),
        organization=staff.organization.name,
    )
    if _only_lead(staff, member):
        minutes = staff.organization.escalation_minutes
        text += "\n\n" + t(
            "staff.remove.only_lead", language, name=member.display_name, minutes=minutes
        )
    markup = column(
        [
            button(t("staff.remove.confirm_button", language), flow.nonce, "W", member.id),
            button(t("staff.cancel_button", language), flow.nonce, "X"),
        ]
    )
    staff.out.send(staff.chat_id, text, reply_markup=markup)


def _remove(staff: Staff, member: StaffMember) -> None:
    state.save(staff.session, staff.member, None)
    assert member.id is not None
    try:
        revoked = revoke_member(
            staff.session,
            organization=staff.organization,
            member_id=member.id,
            revoked_by=staff.member,
        )
    except StaffError:
        staff.say("staff.remove.unavailable")
        return
    queue_menu_reset(staff.out, revoked.chat_id)
    staff.say("staff.remove.done", name=revoked.display_name)
