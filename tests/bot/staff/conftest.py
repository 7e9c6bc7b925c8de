"""Two organizations, their staff and a campaign each, and helpers to read what happened."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.simulation.offline_request import Call, OfflineRequest
from surveys.models import AuditEvent, Campaign, StaffMember
from tests.bot.conftest import AnyApp, Chat
from tests.factories import make_campaign, make_staff

HOME = "Bridges Tutoring"
AWAY = "Northside Mentors"
OWNER, ORGANIZER, FACILITATOR, LEAD = 7101, 7102, 7103, 7104
AWAY_ORGANIZER = 7201
STRANGER = 7301


@dataclass(frozen=True)
class Staffed:
    home: Campaign
    """An open campaign of HOME (Lincoln Middle School, grade 7)."""
    away: Campaign
    """An open campaign of AWAY, which HOME's staff must never see."""


@pytest.fixture
def staffed(engine: Engine) -> Iterator[Staffed]:
    with Session(engine, expire_on_commit=False) as session:
        home = make_campaign(session, organization=HOME)
        away = make_campaign(session, organization=AWAY, school="Far Away High School")
        for chat_id, roles in (
            (OWNER, "owner"),
            (ORGANIZER, "organizer"),
            (FACILITATOR, "facilitator"),
            (LEAD, "safeguarding-lead"),
        ):
            make_staff(session, organization=HOME, roles=roles, chat_id=chat_id)
        make_staff(session, organization=AWAY, roles="organizer", chat_id=AWAY_ORGANIZER)
        session.commit()
    yield Staffed(home=home, away=away)


def person(app: AnyApp, offline: OfflineRequest, chat_id: int, language: str = "en") -> Chat:
    return Chat(app, offline, chat_id, language_code=language)


def calls(chat: Chat, method: str) -> list[Call]:
    return [c for c in chat.last_calls if c.method == method]


def nonce_of(engine: Engine, chat_id: int) -> str:
    """The nonce of the chat's flow in progress, to forge a button for it."""
    with Session(engine) as session:
        member = session.exec(select(StaffMember).where(StaffMember.chat_id == chat_id)).one()
        assert member.state is not None
        return str(json.loads(member.state)["nonce"])


def audit_actions(engine: Engine) -> list[tuple[str, int | None]]:
    """(action, campaign id) of every audit event, oldest first."""
    with Session(engine) as session:
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        return [(e.action, e.campaign_id) for e in events]


def campaign_status(engine: Engine, campaign_id: int | None) -> str:
    with Session(engine) as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        return campaign.status
