"""The retention purge removes exactly what can point at a person, and keeps the answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from surveys.crud.organizations import get_organization
from surveys.crud.retention import closed_moment, purge
from surveys.models import (
    Alert,
    Answer,
    Campaign,
    CampaignStatus,
    Contact,
    InboxUpdate,
    OutboxMessage,
    ProcessedUpdate,
    Respondent,
)
from tests.factories import add_answers, make_campaign, make_respondent, make_staff

CLOSED = datetime(2026, 1, 10, tzinfo=UTC)
OLD_CHAT, SHARED_CHAT, OTHER_CHAT, STAFF_CHAT = 7001, 7002, 7003, 7004


def _closed_campaign(session: Session, school: str, closes_at: datetime) -> Campaign:
    return make_campaign(
        session,
        school=school,
        now=closes_at - timedelta(days=20),
        opens_at=closes_at - timedelta(days=20),
        closes_at=closes_at,
    )


def _queue_rows(session: Session, chat_id: int, update_id: int) -> None:
    session.add(InboxUpdate(update_id=update_id, chat_id=chat_id, payload="{}", status="done"))
    session.add(ProcessedUpdate(update_id=update_id))
    session.add(OutboxMessage(chat_id=chat_id, method="sendMessage", payload="{}", status="sent"))


def _alert(session: Session, campaign: Campaign) -> None:
    assert campaign.organization_id is not None and campaign.id is not None
    session.add(
        Alert(
            organization_id=campaign.organization_id,
            campaign_id=campaign.id,
            question_id="t1",
            text="flagged",
            escalate_at=CLOSED,
        )
    )


def seed(session: Session) -> tuple[Campaign, Campaign]:
    """An expired campaign (two chats, one also in a live campaign) and a live one."""
    old = _closed_campaign(session, "Old School", CLOSED)
    live = make_campaign(session, school="Live School")
    for chat_id, campaign in ((OLD_CHAT, old), (SHARED_CHAT, old), (SHARED_CHAT, live)):
        person = make_respondent(session, campaign=campaign, chat_id=chat_id)
        add_answers(session, respondent=person, answers={"b1": "4", "t1": {"text": "More clubs"}})
    make_respondent(session, campaign=live, chat_id=OTHER_CHAT)
    make_staff(session, organization=old.organization, roles="owner", chat_id=STAFF_CHAT)
    for update_id, chat_id in enumerate((OLD_CHAT, SHARED_CHAT, OTHER_CHAT, STAFF_CHAT), 1):
        _queue_rows(session, chat_id, update_id)
    _alert(session, old)
    _alert(session, live)
    session.flush()
    return old, live


def counts(session: Session) -> dict[str, int]:
    def n(model: type) -> int:
        return len(session.exec(select(model)).all())

    return {
        "contacts": n(Contact),
        "inbox": n(InboxUpdate),
        "outbox": n(OutboxMessage),
        "processed": n(ProcessedUpdate),
        "alerts": n(Alert),
        "respondents": n(Respondent),
        "answers": n(Answer),
    }


def test_nothing_goes_before_the_retention_period_ends(session: Session) -> None:
    seed(session)
    before = counts(session)
    report = purge(session, now=CLOSED + timedelta(days=89, hours=23))
    assert report.campaigns == [] and report.total == 0
    assert counts(session) == before


def test_purge_removes_exactly_what_the_dry_run_said(session: Session) -> None:
    old, _ = seed(session)
    before = counts(session)
    at = CLOSED + timedelta(days=90)
    dry = purge(session, now=at, dry_run=True)
    assert counts(session) == before  # a dry run removes nothing
    done = purge(session, now=at)
    assert dry == done
    assert done.campaigns == [old.code]
    # Two contacts of the old campaign; the queue rows, processed id of the one chat that
    # is in no live campaign and is no staff member; the old campaign's alert.
    assert (done.contacts, done.inbox, done.outbox, done.processed, done.alerts) == (2, 1, 1, 1, 1)
    after = counts(session)
    assert after["respondents"] == before["respondents"]  # de-identified answers stay
    assert after["answers"] == before["answers"]
    remaining_chats = set(session.exec(select(Contact.chat_id)).all())
    assert remaining_chats == {SHARED_CHAT, OTHER_CHAT}
    assert set(session.exec(select(InboxUpdate.chat_id)).all()) == {
        SHARED_CHAT,
        OTHER_CHAT,
        STAFF_CHAT,
    }
    assert OLD_CHAT not in set(session.exec(select(OutboxMessage.chat_id)).all())
    old_alerts = session.exec(select(Alert).where(col(Alert.campaign_id) == old.id)).all()
    assert old_alerts == []
    assert purge(session, now=at).total == 0  # a second run finds nothing


def test_the_organizations_retention_period_is_used(session: Session) -> None:
    old, _ = seed(session)
    organization = get_organization(session, name=old.organization)
    assert organization is not None
    organization.retention_days = 30
    session.add(organization)
    session.flush()
    assert purge(session, now=CLOSED + timedelta(days=29), dry_run=True).campaigns == []
    assert purge(session, now=CLOSED + timedelta(days=30), dry_run=True).campaigns == [old.code]


def test_closing_by_hand_starts_the_retention_period() -> None:
    later = CLOSED + timedelta(days=60)
    assert closed_moment(status=CampaignStatus.CLOSED, closes_at=later, closed_at=CLOSED) == CLOSED
    assert closed_moment(status=CampaignStatus.OPEN, closes_at=later, closed_at=None) == later
    assert closed_moment(status=CampaignStatus.OPEN, closes_at=None, closed_at=None) is None
