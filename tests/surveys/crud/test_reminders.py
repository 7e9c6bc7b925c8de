"""Who is due a reminder, when, and that each is claimed exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from surveys.crud import reminders
from surveys.crud.organizations import get_organization
from surveys.crud.reminders import DueReminder
from surveys.crud.respondents import erase_chat, set_opted_out
from surveys.models import Campaign, CampaignStatus, Respondent, RespondentStatus
from tests.factories import make_campaign, make_respondent

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LAST = NOW - timedelta(hours=1)
"""The respondent's last answer."""
CHAT = 4100


def _campaign(session: Session, *, quiet: str = "", zone: str = "UTC", **kw: object) -> Campaign:
    campaign = make_campaign(
        session, now=NOW - timedelta(days=5), opens_at=NOW - timedelta(days=5), **kw
    )
    organization = get_organization(session, name=campaign.organization)
    assert organization is not None
    organization.quiet_hours = quiet
    organization.timezone = zone
    session.add(organization)
    session.flush()
    return campaign


def _midway(
    session: Session,
    campaign: Campaign,
    chat_id: int = CHAT,
    status: RespondentStatus = RespondentStatus.IN_PROGRESS,
) -> Respondent:
    return make_respondent(
        session,
        campaign=campaign,
        status=status,
        chat_id=chat_id,
        started_at=LAST - timedelta(minutes=10),
    )


def due(session: Session, at: datetime) -> list[DueReminder]:
    return reminders.due_reminders(session, now=at)


def send_all(session: Session, at: datetime) -> int:
    return sum(reminders.claim(session, reminder=r) for r in due(session, at))


def test_the_first_reminder_is_due_its_delay_after_the_last_answer(session: Session) -> None:
    campaign = _campaign(session)
    person = _midway(session, campaign)
    assert due(session, LAST + timedelta(hours=23, minutes=59)) == []
    [reminder] = due(session, LAST + timedelta(hours=24))
    assert (reminder.respondent_id, reminder.chat_id, reminder.sent) == (person.id, CHAT, 0)


def test_at_most_the_campaigns_reminders_each_counted_from_the_last_activity(
    session: Session,
) -> None:
    campaign = _campaign(session, reminders="3600,10800")
    _midway(session, campaign)
    assert send_all(session, LAST + timedelta(hours=1)) == 1
    assert send_all(session, LAST + timedelta(hours=2)) == 0  # the second is due at 3 h
    assert send_all(session, LAST + timedelta(hours=3)) == 1
    assert send_all(session, LAST + timedelta(days=30)) == 0  # the cap
    session.refresh(campaign)
    assert campaign.reminders_sent == 2


def test_no_reminders_when_the_campaign_has_none(session: Session) -> None:
    campaign = _campaign(session, reminders="")
    _midway(session, campaign)
    assert due(session, LAST + timedelta(days=10)) == []


def test_a_reminder_is_claimed_once(session: Session) -> None:
    campaign = _campaign(session)
    _midway(session, campaign)
    [reminder] = due(session, LAST + timedelta(days=1))
    assert reminders.claim(session, reminder=reminder)
    assert not reminders.claim(session, reminder=reminder)  # a second worker with the same view


def test_an_answer_after_the_reminder_was_found_cancels_the_claim(session: Session) -> None:
    campaign = _campaign(session)
    person = _midway(session, campaign)
    [reminder] = due(session, LAST + timedelta(days=1))
    person.updated_at = LAST + timedelta(days=1)  # they answered in the meantime
    session.add(person)
    session.flush()
    assert not reminders.claim(session, reminder=reminder)


def test_quiet_hours_hold_a_reminder_until_the_morning(session: Session) -> None:
    campaign = _campaign(session, quiet="19:00-09:00", zone="America/Chicago")
    _midway(session, campaign)  # due at 11:00 UTC the next day = 05:00 in Chicago (CDT)
    assert due(session, LAST + timedelta(days=1)) == []
    morning = datetime(2026, 3, 11, 14, 0, tzinfo=UTC)  # 09:00 CDT
    assert due(session, morning - timedelta(minutes=1)) == []
    assert len(due(session, morning)) == 1


@pytest.mark.parametrize(
    "status", [RespondentStatus.COMPLETED, RespondentStatus.CONSENT, RespondentStatus.LANGUAGE]
)
def test_only_people_who_started_and_did_not_finish(
    session: Session, status: RespondentStatus
) -> None:
    campaign = _campaign(session)
    _midway(session, campaign, status=status)
    assert due(session, LAST + timedelta(days=5)) == []


def test_someone_choosing_their_role_is_reminded(session: Session) -> None:
    campaign = _campaign(session)
    _midway(session, campaign, status=RespondentStatus.ROLE)
    assert len(due(session, LAST + timedelta(days=1))) == 1


def test_no_reminder_after_the_campaign_closes(session: Session) -> None:
    closing = _campaign(session, closes_at=LAST + timedelta(hours=12))
    _midway(session, closing)
    assert due(session, LAST + timedelta(days=1)) == []
    closed = _campaign(session, status=CampaignStatus.CLOSED, school="Other School")
    _midway(session, closed, chat_id=CHAT + 1)
    assert due(session, LAST + timedelta(days=1)) == []


def test_no_reminder_after_stop_a_block_or_delete(session: Session) -> None:
    campaign = _campaign(session)
    _midway(session, campaign, chat_id=1)
    _midway(session, campaign, chat_id=2)
    _midway(session, campaign, chat_id=3)
    set_opted_out(session, chat_id=1)  # /stop, or the bot was blocked
    erase_chat(session, chat_id=2)  # /delete
    assert [r.chat_id for r in due(session, LAST + timedelta(days=1))] == [3]


def test_claims_from_two_connections_send_one_reminder(engine: Engine) -> None:
    with Session(engine) as session:
        campaign = _campaign(session)
        _midway(session, campaign)
        session.commit()
    at = LAST + timedelta(days=1)
    with Session(engine) as first, Session(engine) as second:
        [seen_first] = due(first, at)
        first.commit()
        [seen_second] = due(second, at)
        second.commit()
        assert reminders.claim(first, reminder=seen_first)
        first.commit()
        assert not reminders.claim(second, reminder=seen_second)
        second.commit()
