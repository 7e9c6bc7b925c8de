"""Respondents, their contacts, their answers, and the updates already handled.

Keyword-only functions over an open session; none of them commits, so the
conversation service can make one update one transaction. The chat id is only
ever read or written through `Contact`, the table `/delete` removes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import case, delete, update
from sqlmodel import Session, select

from surveys.models import (
    Answer,
    Contact,
    ProcessedUpdate,
    Respondent,
    RespondentStatus,
)


def now_utc() -> datetime:
    """Aware UTC: the columns are sqlmodel's UTC datetimes, which refuse naive values."""
    return datetime.now(UTC)


def active_respondent(
    session: Session, *, chat_id: int, lock: bool = False
) -> tuple[Respondent, Contact] | None:
    """The respondent a message from `chat_id` is for, with its contact.

    A chat may have answered several campaigns: the one still in progress wins,
    then the most recently touched. `lock` takes a row lock (`FOR UPDATE` on
    PostgreSQL; SQLite serializes writers by itself) so two workers handling the
    same person's updates take turns instead of interleaving.
    """
    finished = case((Respondent.status == RespondentStatus.COMPLETED, 1), else_=0)
    query = (
        select(Respondent, Contact)
        .join(Contact, Contact.respondent_id == Respondent.id)
        .where(Contact.chat_id == chat_id)
        .order_by(finished, Respondent.updated_at.desc())
        .limit(1)
    )
    if lock:
        query = query.with_for_update(of=Respondent)
    row = session.exec(query).first()
    return (row[0], row[1]) if row else None


def respondent_for_campaign(
    session: Session, *, chat_id: int, campaign_id: int, lock: bool = False
) -> tuple[Respondent, Contact] | None:
    """This chat's respondent in one campaign: one response per person per campaign."""
    query = (
        select(Respondent, Contact)
        .join(Contact, Contact.respondent_id == Respondent.id)
        .where(Contact.chat_id == chat_id, Respondent.campaign_id == campaign_id)
        .limit(1)
    )
    if lock:
        query = query.with_for_update(of=Respondent)
    row = session.exec(query).first()
    return (row[0], row[1]) if row else None


def create_respondent(
    session: Session,
    *,
    campaign_id: int,
    chat_id: int,
    language: str,
    status: str = RespondentStatus.LANGUAGE,
) -> tuple[Respondent, Contact]:
    moment = now_utc()
    respondent = Respondent(
        campaign_id=campaign_id,
        language=language,
        status=status,
        started_at=moment,
        updated_at=moment,
    )
    contact = Contact(
        respondent_id=respondent.id, chat_id=chat_id, created_at=moment, updated_at=moment
    )
    session.add(respondent)
    session.flush()  # the tables have no ORM relationship, so insert the parent first
    session.add(contact)
    return respondent, contact


def answers_by_question(session: Session, *, respondent_id: str) -> dict[str, Answer]:
    rows = session.exec(select(Answer).where(Answer.respondent_id == respondent_id))
    return {answer.question_id: answer for answer in rows}


def upsert_answer(
    session: Session,
    *,
    respondent_id: str,
    question_id: str,
    value: str | None,
    text: str | None = None,
    skipped: bool = False,
    flagged: bool = False,
    existing: Answer | None = None,
) -> Answer:
    """Store the answer to one question, replacing an earlier one (Back, then answer again).

    Pass `existing` when the caller already loaded the respondent's answers, to
    save a query; otherwise it is looked up.
    """
    if existing is None:
        existing = session.exec(
            select(Answer).where(
                Answer.respondent_id == respondent_id, Answer.question_id == question_id
            )
        ).one_or_none()
    moment = now_utc()
    answer = existing or Answer(
        respondent_id=respondent_id, question_id=question_id, answered_at=moment
    )
    answer.value = value
    answer.text = text
    answer.skipped = skipped
    answer.flagged = flagged
    answer.answered_at = moment
    session.add(answer)
    return answer


def delete_answers(session: Session, *, respondent_id: str, question_ids: Iterable[str]) -> None:
    ids = list(question_ids)
    if ids:
        session.execute(
            delete(Answer).where(
                Answer.respondent_id == respondent_id,
                Answer.question_id.in_(ids),  # type: ignore[attr-defined]
            )
        )


def erase_respondent(session: Session, *, respondent_id: str) -> None:
    """Remove the respondent, every answer and the contact: nothing of them is left."""
    session.execute(delete(Answer).where(Answer.respondent_id == respondent_id))
    session.execute(delete(Contact).where(Contact.respondent_id == respondent_id))
    session.execute(delete(Respondent).where(Respondent.id == respondent_id))


def erase_chat(session: Session, *, chat_id: int) -> int:
    """`/delete`: erase every respondent this chat ever was, in every campaign. Returns how many."""
    ids = list(session.exec(select(Contact.respondent_id).where(Contact.chat_id == chat_id)))
    for respondent_id in ids:
        erase_respondent(session, respondent_id=respondent_id)
    return len(ids)


def set_opted_out(session: Session, *, chat_id: int, opted_out: bool = True) -> int:
    """Mark every contact of `chat_id` (the user blocked the bot, or came back). Returns rows."""
    result = session.execute(
        update(Contact)
        .where(Contact.chat_id == chat_id, Contact.opted_out != opted_out)
        .values(opted_out=opted_out, updated_at=now_utc())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def is_processed(session: Session, *, update_id: int) -> bool:
    return session.get(ProcessedUpdate, update_id) is not None


def record_update(session: Session, *, update_id: int) -> None:
    """Remember `update_id`; a concurrent duplicate then fails on the primary key at commit."""
    session.add(ProcessedUpdate(update_id=update_id, processed_at=now_utc()))
