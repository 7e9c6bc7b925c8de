"""Respondents, their contacts, their answers, and the updates already handled.

Keyword-only functions over an open transaction (`Db`: an ORM session, or the
Core connection the bot's hot path uses); none of them commits, so the
conversation service can make one update one transaction. The chat id is only
ever read or written through `Contact`, the table `/delete` removes.

These run on every Telegram update, so they use SQL expressions on the
session's connection rather than ORM objects: one update costs one claim of
its id, one read of the chat's state (respondent, contact and campaign joined),
one read of the answers, and the writes. That is what lets one process handle
over a thousand answers a second on SQLite (see `bench/bench_bot.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import TextualSelect, bindparam, delete, insert, select, text, update

from surveys.crud.analyses import forget_analysis
from surveys.crud.tables import Db as Db
from surveys.crud.tables import connection_of, table_of
from surveys.models import (
    Answer,
    Campaign,
    Contact,
    ProcessedUpdate,
    Respondent,
    RespondentStatus,
    SurveyRecord,
    new_respondent_id,
)

_respondent = table_of(Respondent)
_contact = table_of(Contact)
_campaign = table_of(Campaign)
_answer = table_of(Answer)
_processed = table_of(ProcessedUpdate)
_survey = table_of(SurveyRecord)


def now_utc() -> datetime:
    """Aware UTC: the columns are sqlmodel's UTC datetimes, which refuse naive values."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class CampaignFacts:
    """The campaign columns a conversation needs, read with the respondent.

    Shaped like `Campaign` where the campaign helpers look (`status`, `opens_at`,
    `closes_at`, `follow_up`, `survey_pk`, `code`), so they accept it as is.
    """

    id: int
    code: str
    survey_pk: int
    organization: str
    audience: str
    default_language: str
    status: str
    opens_at: datetime
    closes_at: datetime | None
    follow_up: str | None
    version_hash: str
    """Of the pinned survey: parsed definitions are cached by it."""


@dataclass
class ChatState:
    """One respondent of a chat, with its contact and campaign: what an update starts from."""

    respondent_id: str
    status: str
    language: str
    role: str | None
    current_question: str | None
    pending: str | None
    completed_at: datetime | None
    contact_id: int
    opted_out: bool
    campaign: CampaignFacts


@dataclass(frozen=True)
class StoredAnswer:
    value: str | None
    text: str | None
    skipped: bool
    flagged: bool


# The hot path's statements are written once as SQL with typed parameters. Building a
# SQLAlchemy expression per call costs several times more than running it on SQLite,
# and even a prebuilt expression costs three times more to execute than this.
_STATE_COLUMNS = (
    _respondent.c.id,
    _respondent.c.status,
    _respondent.c.language,
    _respondent.c.role,
    _respondent.c.current_question,
    _respondent.c.pending,
    _respondent.c.completed_at,
    _contact.c.id,
    _contact.c.opted_out,
    _campaign.c.id,
    _campaign.c.code,
    _campaign.c.survey_pk,
    _campaign.c.organization,
    _campaign.c.audience,
    _campaign.c.default_language,
    _campaign.c.status,
    _campaign.c.opens_at,
    _campaign.c.closes_at,
    _campaign.c.follow_up,
    _survey.c.version_hash,
)
_CAMPAIGN_COLUMNS = _STATE_COLUMNS[9:]
_CAMPAIGN_SQL = (
    "SELECT k.id, k.code, k.survey_pk, k.organization, k.audience, k.default_language, "
    "k.status, k.opens_at, k.closes_at, k.follow_up, s.version_hash "
    "FROM campaign k JOIN survey s ON s.id = k.survey_pk "
)
_STATE_SQL = (
    "SELECT r.id, r.status, r.language, r.role, r.current_question, r.pending, "
    "r.completed_at, c.id, c.opted_out, k.id, k.code, k.survey_pk, k.organization, "
    "k.audience, k.default_language, k.status, k.opens_at, k.closes_at, k.follow_up, "
    "s.version_hash "
    "FROM respondent r JOIN contact c ON c.respondent_id = r.id "
    "JOIN campaign k ON k.id = r.campaign_id JOIN survey s ON s.id = k.survey_pk "
    "WHERE c.chat_id = :chat_id {campaign}"
    "ORDER BY CASE WHEN r.status = 'completed' THEN 1 ELSE 0 END, r.updated_at DESC "
    "LIMIT 1{lock}"
)


def _state_query(in_campaign: bool, lock: bool) -> TextualSelect:
    sql = _STATE_SQL.format(
        campaign="AND r.campaign_id = :campaign_id " if in_campaign else "",
        lock=" FOR UPDATE OF r" if lock else "",
    )
    return text(sql).columns(*_STATE_COLUMNS)


_STATE_QUERIES = {
    (in_campaign, lock): _state_query(in_campaign, lock)
    for in_campaign in (False, True)
    for lock in (False, True)
}
_CAMPAIGN_BY_ID = text(_CAMPAIGN_SQL + "WHERE k.id = :campaign_id").columns(*_CAMPAIGN_COLUMNS)
_CAMPAIGN_BY_CODE = text(_CAMPAIGN_SQL + "WHERE k.code = :code").columns(*_CAMPAIGN_COLUMNS)
_ANSWERS = text(
    "SELECT question_id, value, text, skipped, flagged FROM answer "
    "WHERE respondent_id = :respondent_id"
).columns(
    _answer.c.question_id, _answer.c.value, _answer.c.text, _answer.c.skipped, _answer.c.flagged
)
_ANSWER_EXISTS = text(
    "SELECT id FROM answer WHERE respondent_id = :respondent_id AND question_id = :question_id"
)
_ANSWER_TYPES = (
    bindparam("skipped", type_=_answer.c.skipped.type),
    bindparam("flagged", type_=_answer.c.flagged.type),
    bindparam("answered_at", type_=_answer.c.answered_at.type),
)
_INSERT_ANSWER = text(
    "INSERT INTO answer (respondent_id, question_id, value, text, skipped, flagged, answered_at) "
    "VALUES (:respondent_id, :question_id, :value, :text, :skipped, :flagged, :answered_at)"
).bindparams(*_ANSWER_TYPES)
_UPDATE_ANSWER = text(
    "UPDATE answer SET value = :value, text = :text, skipped = :skipped, "
    "flagged = (flagged OR :flagged), "
    "answered_at = :answered_at WHERE respondent_id = :respondent_id AND question_id = :question_id"
).bindparams(*_ANSWER_TYPES)
_UPDATE_PROGRESS = text(
    "UPDATE respondent SET status = :status, language = :language, role = :role, "
    "current_question = :current_question, pending = :pending, completed_at = :completed_at, "
    "updated_at = :updated_at WHERE id = :id"
).bindparams(
    bindparam("completed_at", type_=_respondent.c.completed_at.type),
    bindparam("updated_at", type_=_respondent.c.updated_at.type),
)
_CLAIM = text(
    "INSERT INTO processed_update (update_id, processed_at) VALUES (:update_id, :processed_at) "
    "ON CONFLICT (update_id) DO NOTHING"
).bindparams(bindparam("processed_at", type_=_processed.c.processed_at.type))
"""`ON CONFLICT DO NOTHING` reads the same in SQLite (3.24 and later) and PostgreSQL."""


def chat_state(
    session: Db, *, chat_id: int, campaign_id: int | None = None, lock: bool = False
) -> ChatState | None:
    """The respondent a message from `chat_id` is for (in `campaign_id`, if given).

    A chat may have answered several campaigns: the one still in progress wins,
    then the most recently touched. `lock` takes a row lock (`FOR UPDATE` on
    PostgreSQL; SQLite serializes writers by itself) so two workers handling the
    same person's updates take turns instead of interleaving.
    """
    connection = connection_of(session)
    # SQLite has no row locks (and no FOR UPDATE): its writers take turns on the whole file.
    query = _STATE_QUERIES[campaign_id is not None, lock and connection.dialect.name != "sqlite"]
    params: dict[str, object] = {"chat_id": chat_id}
    if campaign_id is not None:
        params["campaign_id"] = campaign_id
    row = connection.execute(query, params).first()
    if row is None:
        return None
    state = row[:9]
    return ChatState(*state, campaign=CampaignFacts(*row[9:]))  # type: ignore[misc]


def campaign_facts(
    session: Db, *, campaign_id: int | None = None, code: str | None = None
) -> CampaignFacts | None:
    """A campaign by id or by code (the deep-link payload), or None."""
    if campaign_id is not None:
        row = connection_of(session).execute(_CAMPAIGN_BY_ID, {"campaign_id": campaign_id}).first()
    elif code is not None:
        row = connection_of(session).execute(_CAMPAIGN_BY_CODE, {"code": code}).first()
    else:
        raise ValueError("give campaign_id or code")
    return CampaignFacts(*row) if row else None


def create_respondent(
    session: Db,
    *,
    campaign_id: int,
    chat_id: int,
    language: str,
    status: str = RespondentStatus.LANGUAGE,
) -> str:
    """A new respondent of `campaign_id` reachable at `chat_id`; returns its random id."""
    respondent_id = new_respondent_id()
    moment = now_utc()
    connection = connection_of(session)
    connection.execute(
        insert(_respondent),
        {
            "id": respondent_id,
            "campaign_id": campaign_id,
            "language": language,
            "status": str(status),
            "started_at": moment,
            "updated_at": moment,
        },
    )
    connection.execute(
        insert(_contact),
        {
            "respondent_id": respondent_id,
            "chat_id": chat_id,
            "campaign_id": campaign_id,
            "opted_out": False,
            "created_at": moment,
            "updated_at": moment,
        },
    )
    return respondent_id


def answers_of(session: Db, *, respondent_id: str) -> dict[str, StoredAnswer]:
    rows = connection_of(session).execute(_ANSWERS, {"respondent_id": respondent_id})
    return {
        qid: StoredAnswer(value, text, bool(skipped), bool(flagged))
        for qid, value, text, skipped, flagged in rows
    }


def save_answer(
    session: Db,
    *,
    respondent_id: str,
    question_id: str,
    value: str | None,
    text: str | None = None,
    skipped: bool = False,
    flagged: bool = False,
    replace: bool | None = None,
) -> None:
    """Store the answer to one question, replacing an earlier one (Back, then answer again).

    `replace` says whether an answer is already stored (the caller usually knows,
    having read the answers); None looks it up. A safeguarding flag, once set, stays:
    going back and retyping or skipping must not erase the record that someone
    disclosed harm, and the new text stays out of quotes with it.
    """
    connection = connection_of(session)
    if replace is None:
        key = {"respondent_id": respondent_id, "question_id": question_id}
        replace = connection.execute(_ANSWER_EXISTS, key).first() is not None
    fields = {
        "respondent_id": respondent_id,
        "question_id": question_id,
        "value": value,
        "text": text,
        "skipped": skipped,
        "flagged": flagged,
        "answered_at": now_utc(),
    }
    if replace:
        forget_analysis(session, respondent_id=respondent_id, question_id=question_id)
    connection.execute(_UPDATE_ANSWER if replace else _INSERT_ANSWER, fields)


def delete_answers(session: Db, *, respondent_id: str, question_ids: Iterable[str]) -> None:
    ids = list(question_ids)
    if ids:
        connection_of(session).execute(
            delete(_answer).where(
                _answer.c.respondent_id == respondent_id, _answer.c.question_id.in_(ids)
            )
        )


def save_progress(
    session: Db,
    *,
    respondent_id: str,
    status: str,
    language: str,
    role: str | None,
    current_question: str | None,
    pending: str | None,
    completed_at: datetime | None,
) -> None:
    connection_of(session).execute(
        _UPDATE_PROGRESS,
        {
            "id": respondent_id,
            "status": str(status),
            "language": language,
            "role": role,
            "current_question": current_question,
            "pending": pending,
            "completed_at": completed_at,
            "updated_at": now_utc(),
        },
    )


def set_contact_opted_out(session: Db, *, contact_id: int, opted_out: bool) -> None:
    connection_of(session).execute(
        update(_contact)
        .where(_contact.c.id == contact_id)
        .values(opted_out=opted_out, updated_at=now_utc())
    )


def set_opted_out(session: Db, *, chat_id: int, opted_out: bool = True) -> int:
    """Mark every contact of `chat_id` (the user blocked the bot, or came back). Returns rows."""
    result = connection_of(session).execute(
        update(_contact)
        .where(_contact.c.chat_id == chat_id, _contact.c.opted_out != opted_out)
        .values(opted_out=opted_out, updated_at=now_utc())
    )
    return int(result.rowcount or 0)


def count_declined(session: Db, *, campaign_id: int) -> None:
    """Declining stores nothing but this count."""
    connection_of(session).execute(
        update(_campaign)
        .where(_campaign.c.id == campaign_id)
        .values(declined_count=_campaign.c.declined_count + 1)
    )


def erase_respondent(session: Db, *, respondent_id: str) -> None:
    """Remove the respondent, every answer and the contact: nothing of them is left."""
    connection = connection_of(session)
    connection.execute(delete(_answer).where(_answer.c.respondent_id == respondent_id))
    connection.execute(delete(_contact).where(_contact.c.respondent_id == respondent_id))
    connection.execute(delete(_respondent).where(_respondent.c.id == respondent_id))


def erase_chat(session: Db, *, chat_id: int) -> int:
    """`/delete`: erase every respondent this chat ever was, in every campaign. Returns how many."""
    connection = connection_of(session)
    ids = list(
        connection.execute(
            select(_contact.c.respondent_id).where(_contact.c.chat_id == chat_id)
        ).scalars()
    )
    for respondent_id in ids:
        erase_respondent(session, respondent_id=respondent_id)
    return len(ids)


def claim_update(session: Db, *, update_id: int) -> bool:
    """Record `update_id` as handled; False when it already was (a redelivery or a retry).

    One statement that both checks and records, so a duplicate arriving at the
    same moment on another worker waits for the first and then finds the row.
    """
    values = {"update_id": update_id, "processed_at": now_utc()}
    return bool(connection_of(session).execute(_CLAIM, values).rowcount)


def is_processed(session: Db, *, update_id: int) -> bool:
    query = select(_processed.c.update_id).where(_processed.c.update_id == update_id)
    return connection_of(session).execute(query).first() is not None
