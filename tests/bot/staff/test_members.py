"""`/staff` in the chat: the list, and removing someone (`bot/staff/members.py`)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.simulation.offline_request import OfflineRequest
from surveys.i18n import t
from surveys.models import StaffMember
from tests.bot.conftest import AnyApp, Chat, Shown
from tests.bot.staff.conftest import (
    AWAY_ORGANIZER,
    FACILITATOR,
    LEAD,
    ORGANIZER,
    OWNER,
    Staffed,
    audit_actions,
    calls,
    nonce_of,
    person,
)


def member_id(engine: Engine, chat_id: int) -> int:
    with Session(engine) as session:
        member = session.exec(select(StaffMember).where(StaffMember.chat_id == chat_id)).one()
        assert member.id is not None
        return member.id


def revoked(engine: Engine, chat_id: int) -> bool:
    with Session(engine) as session:
        member = session.exec(select(StaffMember).where(StaffMember.chat_id == chat_id)).one()
        return member.revoked_at is not None


def remove_button(message: Shown, member: int) -> str:
    """The data of the Remove button for `member` (every test member is called "Staff")."""
    return next(
        b["callback_data"] for b in message.buttons if f":V:{member}|" in b["callback_data"]
    )


async def test_an_owner_removes_the_only_lead_after_a_warning(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    owner = person(app, offline, OWNER)
    await owner.send("/staff")
    listing = owner.latest()
    assert len(listing.buttons) == 3  # everyone but the owner
    assert f":V:{member_id(engine, OWNER)}|" not in str(listing.buttons)
    await owner.tap_data(remove_button(listing, member_id(engine, LEAD)), on=listing)
    confirm = owner.latest()
    assert "only safeguarding lead" in confirm.text and "30 minutes" in confirm.text
    assert not revoked(engine, LEAD)
    await owner.tap(t("staff.remove.confirm_button", "en"), on=confirm)
    assert revoked(engine, LEAD)
    assert owner.texts() == [t("staff.remove.done", "en", name="Staff")]
    assert ("staff.revoke", None) in audit_actions(engine)
    # The removed lead is refused at once, and their command menu is reset.
    lead = person(app, offline, LEAD)
    await lead.send("/alerts")
    assert lead.texts() == [t("bot.unsupported.command", "en")]
    assert any(c.method == "deleteMyCommands" and str(LEAD) in str(c.params) for c in offline.calls)


async def test_removing_a_member_who_is_not_the_only_lead_warns_of_nothing(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    owner = person(app, offline, OWNER)
    await owner.send("/staff")
    listing = owner.latest()
    await owner.tap_data(remove_button(listing, member_id(engine, FACILITATOR)), on=listing)
    assert "safeguarding" not in owner.latest().text
    await owner.tap(t("staff.cancel_button", "en"))
    assert not revoked(engine, FACILITATOR)


async def test_forged_removals_change_nothing(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    owner = person(app, offline, OWNER)
    await owner.send("/staff")
    nonce = nonce_of(engine, OWNER)
    away = member_id(engine, AWAY_ORGANIZER)
    # Another organization's member, asked and confirmed.
    await owner.tap_signed(f"S:{nonce}:V:{away}")
    assert owner.texts() == [t("staff.remove.unavailable", "en")]
    await owner.tap_signed(f"S:{nonce}:W:{away}")
    assert owner.texts() == [t("staff.remove.unavailable", "en")]
    # A confirmation nobody was asked for, and removing oneself.
    await owner.tap_signed(f"S:{nonce}:W:{member_id(engine, ORGANIZER)}")
    assert owner.texts() == [t("staff.old_button", "en")]
    await owner.tap_signed(f"S:{nonce}:W:{member_id(engine, OWNER)}")
    assert owner.texts() == [t("staff.remove.unavailable", "en")]
    # A member who may not manage staff.
    facilitator = person(app, offline, FACILITATOR)
    await facilitator.send("/export")  # a flow, so a nonce to forge with
    forged = f"S:{nonce_of(engine, FACILITATOR)}:W:{member_id(engine, LEAD)}"
    await facilitator.tap_signed(forged)
    assert facilitator.texts() == [t("staff.not_allowed", "en")]
    for chat_id in (AWAY_ORGANIZER, ORGANIZER, OWNER, LEAD):
        assert not revoked(engine, chat_id)
    assert calls(owner, "deleteMyCommands") == []


async def test_an_organization_of_one_has_nobody_to_remove(
    app: AnyApp, offline: OfflineRequest, staffed: Staffed, engine: Engine
) -> None:
    away = Chat(app, offline, AWAY_ORGANIZER)
    with Session(engine) as session:
        member = session.exec(
            select(StaffMember).where(StaffMember.chat_id == AWAY_ORGANIZER)
        ).one()
        member.roles = "owner"
        session.add(member)
        session.commit()
    await away.send("/staff")
    (listing,) = calls(away, "sendMessage")
    assert listing.buttons == []
    assert t("staff.remove.hint", "en") not in away.said()
