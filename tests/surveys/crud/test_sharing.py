"""Results queued once per contact, as bulk traffic, with their progress; /stop excludes."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from surveys.crud import sharing
from surveys.crud.respondents import set_opted_out
from surveys.models import Contact, OutboxMessage, OutboxPriority, OutboxStatus, RespondentStatus
from tests.sharing_seed import Person, closed_campaign

TEXTS = {"en": "EN student", "en@formal": "EN family", "es": "ES tú", "es@formal": "ES usted"}


def _queue(session: Session, campaign_id: int, limit: int = 500) -> int:
    return sharing.queue_results(
        session, campaign_id=campaign_id, texts=TEXTS, fallback="?", limit=limit
    )


def outbox(session: Session) -> dict[int, OutboxMessage]:
    return {m.chat_id: m for m in session.exec(select(OutboxMessage)).all()}


def test_each_completed_respondent_gets_it_once_in_their_voice(session: Session) -> None:
    people = [
        Person(1),
        Person(2, "es"),
        Person(3, "es", "caregiver"),
        Person(4, "en", "caregiver"),
        Person(5, status=RespondentStatus.IN_PROGRESS),
    ]
    campaign = closed_campaign(session, people)
    assert campaign.id is not None
    assert sharing.voices_waiting(session, campaign_id=campaign.id) == {
        "en": 1,
        "es": 1,
        "es@formal": 1,
        "en@formal": 1,
    }
    assert _queue(session, campaign.id) == 4
    rows = outbox(session)
    assert {chat: m.payload.split('"text":')[1] for chat, m in rows.items()} == {
        1: '"EN student"}',
        2: '"ES tú"}',
        3: '"ES usted"}',
        4: '"EN family"}',
    }
    assert {m.priority for m in rows.values()} == {OutboxPriority.BULK}
    assert _queue(session, campaign.id) == 0  # sharing again sends nothing
    assert len(outbox(session)) == 4


def test_batches_cover_everyone_once(session: Session) -> None:
    campaign = closed_campaign(session, [Person(i) for i in range(1, 8)])
    assert campaign.id is not None
    assert [_queue(session, campaign.id, limit=3) for _ in range(4)] == [3, 3, 1, 0]
    assert sorted(outbox(session)) == list(range(1, 8))


def test_opted_out_people_are_left_out(session: Session) -> None:
    campaign = closed_campaign(session, [Person(1), Person(2), Person(3)])
    assert campaign.id is not None
    set_opted_out(session, chat_id=2)
    assert _queue(session, campaign.id) == 2
    assert sorted(outbox(session)) == [1, 3]


def test_progress_counts_queued_sent_and_failed(session: Session) -> None:
    campaign = closed_campaign(session, [Person(i) for i in range(1, 5)])
    assert campaign.id is not None
    _queue(session, campaign.id, limit=3)
    rows = outbox(session)
    rows[1].status = OutboxStatus.SENT
    rows[2].status = OutboxStatus.FAILED
    session.add_all([rows[1], rows[2]])
    session.flush()
    progress = sharing.share_progress(session, campaign_id=campaign.id)
    assert (progress.waiting, progress.queued, progress.sent, progress.failed) == (1, 1, 1, 1)
    session.delete(rows[1])  # pruned a week after it was sent
    session.flush()
    assert sharing.share_progress(session, campaign_id=campaign.id).sent == 1


def test_two_sharers_at_once_queue_each_person_once(engine: Engine) -> None:
    with Session(engine) as session:
        campaign = closed_campaign(session, [Person(i) for i in range(1, 6)])
        session.commit()
        campaign_id = campaign.id
    assert campaign_id is not None
    with Session(engine) as first, Session(engine) as second:
        assert _queue(first, campaign_id) == 5
        first.commit()
        assert _queue(second, campaign_id) == 0
        second.commit()
    with Session(engine) as session:
        assert len(outbox(session)) == 5
        marked = session.exec(select(Contact).where(col(Contact.shared_outbox_id).is_not(None)))
        assert len(marked.all()) == 5


def test_stop_cancels_queued_bulk_rows_only(session: Session) -> None:
    campaign = closed_campaign(session, [Person(1)])
    assert campaign.id is not None
    _queue(session, campaign.id)
    session.add(OutboxMessage(chat_id=1, method="sendMessage", payload="{}"))  # a reply
    session.flush()
    assert sharing.stop_messaging(session, chat_id=1) == 1
    statuses = sorted((m.priority, m.status) for m in session.exec(select(OutboxMessage)).all())
    assert statuses == [(OutboxPriority.INTERACTIVE, "queued"), (OutboxPriority.BULK, "failed")]
    contact = session.exec(select(Contact)).one()
    assert contact.opted_out
    sharing.resume_messaging(session, chat_id=1)
    session.refresh(contact)
    assert not contact.opted_out
