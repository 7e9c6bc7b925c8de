"""A closed campaign with completed respondents, for the results-sharing tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from surveys.crud.organizations import get_organization
from surveys.models import Campaign, CampaignStatus, RespondentStatus
from tests.factories import add_answers, make_campaign, make_respondent

FOLLOW_UP = {"en": "Join us on May 5 at the library.", "es": "Le esperamos el 5 de mayo."}


@dataclass(frozen=True)
class Person:
    chat_id: int
    language: str = "en"
    role: str = "student"
    status: RespondentStatus = RespondentStatus.COMPLETED
    happy: bool = True


def closed_campaign(session: Session, people: list[Person], *, min_n: int = 3) -> Campaign:
    """A closed campaign of the factory survey whose organization hides groups under `min_n`;
    each person answers b1 (belonging) and g1 (consistency), favorably or not."""
    now = datetime.now(UTC)
    campaign = make_campaign(
        session,
        follow_up=FOLLOW_UP,
        now=now - timedelta(days=10),
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=1),
    )
    organization = get_organization(session, name=campaign.organization)
    assert organization is not None
    organization.min_group_size = min_n
    session.add(organization)
    for person in people:
        respondent = make_respondent(
            session,
            campaign=campaign,
            chat_id=person.chat_id,
            language=person.language,
            role=person.role,
            status=person.status,
        )
        answers = {"b1": "5", "g1": "sometimes"} if person.happy else {"b1": "2", "g1": "rarely"}
        add_answers(session, respondent=respondent, answers=answers)
    campaign.status = CampaignStatus.CLOSED
    session.add(campaign)
    session.flush()
    return campaign


def crowd(n: int, *, first_chat: int = 8000) -> list[Person]:
    return [Person(first_chat + i, happy=i % 4 != 0) for i in range(n)]
