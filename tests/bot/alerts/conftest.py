"""An organization with two safeguarding leads, an owner, a facilitator, a lead of another
organization, and a student at the open-text question, for the alert tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.simulation.offline_request import Call, OfflineRequest
from surveys.crud.organizations import create_organization
from surveys.models import Alert, Campaign, OutboxMessage, StaffMember
from tests.bot.conftest import AnyApp, Chat, Shown, reach_last_question
from tests.factories import make_campaign, make_staff

ORG = "Bridges Tutoring"
OTHER_ORG = "Casa Aurora"
SCHOOL = "Lincoln Middle School"
TIMEZONE = "America/Chicago"
DISCLOSURE = "Sometimes I want to kill myself"
STUDENT = 5001
LEAD, SECOND_LEAD, OWNER, FACILITATOR, OTHER_LEAD = 7001, 7002, 7003, 7004, 7101


@dataclass
class Staff:
    lead: StaffMember
    second_lead: StaffMember
    owner: StaffMember
    facilitator: StaffMember
    other_lead: StaffMember


class Student(Chat):
    """A student whose Telegram account has a name and username an alert must never show."""

    @property
    def user(self) -> dict[str, Any]:
        return {
            "id": self.chat_id,
            "is_bot": False,
            "first_name": "Zorblatt",
            "last_name": "Quuxley",
            "username": "zq_secret_handle",
            "language_code": self.language_code,
        }


@pytest.fixture
def staff(engine: Engine) -> Iterator[Staff]:
    with Session(engine, expire_on_commit=False) as session:
        create_organization(session, name=ORG, timezone=TIMEZONE, escalation_minutes=30)
        create_organization(session, name=OTHER_ORG)
        members = Staff(
            lead=make_staff(
                session, organization=ORG, roles="safeguarding-lead", chat_id=LEAD,
                display_name="Ana Lead",
            ),
            second_lead=make_staff(
                session, organization=ORG, roles="facilitator,safeguarding-lead",
                chat_id=SECOND_LEAD, display_name="Luis Segundo", language="es",
            ),
            owner=make_staff(
                session, organization=ORG, roles="owner", chat_id=OWNER, display_name="Olga Owner"
            ),
            facilitator=make_staff(
                session, organization=ORG, roles="organizer,facilitator", chat_id=FACILITATOR,
                display_name="Fay",
            ),
            other_lead=make_staff(
                session, organization=OTHER_ORG, roles="safeguarding-lead", chat_id=OTHER_LEAD,
                display_name="Otto",
            ),
        )  # fmt: skip
        session.commit()
    yield members


@pytest.fixture
def campaign(engine: Engine, staff: Staff) -> Iterator[Campaign]:
    """An open campaign of the organization with leads (overrides tests/bot's fixture)."""
    with Session(engine, expire_on_commit=False) as session:
        stored = make_campaign(session, organization=ORG, school=SCHOOL, grade="7")
        session.commit()
    yield stored


@pytest.fixture
def student(app: AnyApp, offline: OfflineRequest) -> Student:
    return Student(app, offline, STUDENT)


async def disclose(student: Chat, campaign: Campaign, text: str = DISCLOSURE) -> list[Call]:
    await reach_last_question(student, campaign)
    return await student.send(text)


def sent_to(offline: OfflineRequest, chat_id: int, *, since: int = 0) -> list[Call]:
    """The messages the bot sent to `chat_id` (calls from index `since` on)."""
    return [c for c in offline.calls[since:] if c.method == "sendMessage" and c.chat_id == chat_id]


def shown(call: Call) -> Shown:
    """A sent message as the recipient's phone shows it, to tap its buttons."""
    return Shown(call.result["message_id"], call.text or "", call.buttons)


def alerts(engine: Engine) -> list[Alert]:
    with Session(engine) as session:
        return list(session.exec(select(Alert).order_by(Alert.id)).all())  # type: ignore[arg-type]


def outbox_rows(engine: Engine, chat_id: int) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id)
                .order_by(OutboxMessage.id)  # type: ignore[arg-type]
            ).all()
        )
