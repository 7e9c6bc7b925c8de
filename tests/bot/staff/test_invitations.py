"""`/start staff_<token>`: an invitation link works once, expires, and sets the menu."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.simulation.offline_request import OfflineRequest
from surveys.crud.organizations import create_organization
from surveys.crud.staff import create_invitation
from surveys.i18n import t
from surveys.models import StaffMember
from surveys.roles import StaffRole
from tests.bot.conftest import AnyApp, Campaign
from tests.bot.staff.conftest import calls, person


def as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def invite(engine: Engine, *roles: StaffRole, lifetime: timedelta = timedelta(hours=72),
           now: datetime | None = None) -> str:  # fmt: skip
    with Session(engine) as session:
        organization = create_organization(session, name="Bridges Tutoring", language="en")
        issued = create_invitation(
            session, organization=organization, roles=frozenset(roles), lifetime=lifetime, now=now
        )
        session.commit()
        return issued.token


async def test_an_invitation_makes_the_chat_staff_in_its_language(
    app: AnyApp, offline: OfflineRequest, engine: Engine
) -> None:
    token = invite(engine, StaffRole.FACILITATOR)
    chat = person(app, offline, 8101, "es")
    await chat.send(f"/start {token}")
    welcome = chat.texts()[0]
    assert "Bridges Tutoring" in welcome and "facilitador/a" in welcome
    assert "/report" in welcome and "/launch" not in welcome
    menu = calls(chat, "setMyCommands")
    assert len(menu) == 1
    assert as_json(menu[0].params["scope"]) == {"type": "chat", "chat_id": 8101}
    commands = [c["command"] for c in as_json(menu[0].params["commands"])]
    assert commands == ["campaigns", "report", "export", "help", "cancel"]
    with Session(engine) as session:
        member = session.exec(select(StaffMember).where(StaffMember.chat_id == 8101)).one()
        assert (member.roles, member.language) == ("facilitator", "es")


async def test_an_invitation_works_once(
    app: AnyApp, offline: OfflineRequest, engine: Engine
) -> None:
    token = invite(engine, StaffRole.OWNER)
    await person(app, offline, 8101).send(f"/start {token}")
    second = person(app, offline, 8102)
    await second.send(f"/start {token}")
    assert second.texts() == [t("staff.invitation.used", "en")]
    assert calls(second, "setMyCommands") == []
    await second.send("/staff")
    assert second.texts() == [t("bot.unsupported.command", "en")]


async def test_an_invitation_expires(app: AnyApp, offline: OfflineRequest, engine: Engine) -> None:
    token = invite(engine, StaffRole.OWNER, now=datetime.now(UTC) - timedelta(hours=73))
    chat = person(app, offline, 8101)
    await chat.send(f"/start {token}")
    assert chat.texts() == [t("staff.invitation.expired", "en")]
    with Session(engine) as session:
        assert session.exec(select(StaffMember)).all() == []


async def test_an_unknown_invitation_is_refused_clearly(
    app: AnyApp, offline: OfflineRequest, engine: Engine
) -> None:
    chat = person(app, offline, 8101)
    await chat.send("/start staff_" + "A" * 32)
    assert chat.texts() == [t("staff.invitation.unknown", "en")]


async def test_campaign_codes_still_work(
    app: AnyApp, offline: OfflineRequest, campaign: Campaign
) -> None:
    chat = person(app, offline, 8101)
    await chat.send(f"/start {campaign.code}")
    assert chat.latest().labels == ["English", "Español"]
