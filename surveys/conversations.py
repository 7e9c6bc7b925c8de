"""The conversation service: the engine, the database and idempotency, with no channel.

A chat id is only an address here; Telegram lives in `bot/`. Each public
function is one transaction over an open `Db` (a Core connection or an ORM session):

1. an update id already processed changes nothing (Telegram redelivers);
2. the chat's respondent and answers are read fresh: no state is kept in memory,
   so a restart loses nothing and several workers can serve one bot;
3. the engine decides; answers and progress are written, the update id recorded;
4. the adapter queues what to say in the same transaction (the outbox), and the
   transaction commits both: a reply never promises an answer that was not
   stored, and an answer stored is never left without its reply.

`run(engine, work)` opens that transaction and retries it when two workers
collide. Every call that writes starts by writing (claiming its update id), so on
SQLite it holds the write lock from its first statement and concurrent workers
queue on the busy timeout; on PostgreSQL the respondent's row is locked.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from surveys import engine as conversation
from surveys.crud import alerts
from surveys.crud import respondents as store
from surveys.crud.campaigns import campaign_availability, campaign_follow_up, campaign_survey
from surveys.crud.respondents import CampaignFacts, ChatState, Db, StoredAnswer
from surveys.definition import Survey
from surveys.engine import (
    Action,
    Back,
    Consent,
    Context,
    Given,
    Progress,
    Prompt,
    Reply,
    SetLanguage,
    Show,
    Step,
)
from surveys.i18n import resolve_language
from surveys.models import RespondentStatus

logger = logging.getLogger(__name__)

T = TypeVar("T")

TRANSACTION_ATTEMPTS = 3


class Notice(StrEnum):
    """Why nothing was asked: the adapter turns each into a translated message."""

    UNKNOWN_CODE = "unknown_code"
    CLOSED = "closed"
    NOT_YET_OPEN = "not_yet_open"
    ALREADY_ANSWERED = "already_answered"
    NO_SURVEY = "no_survey"  # nothing in progress: how to join
    OTHER_CAMPAIGN = "other_campaign"  # a button from another survey
    OLD_BUTTON = "old_button"
    DELETED = "deleted"
    NOTHING_TO_DELETE = "nothing_to_delete"


@dataclass(frozen=True)
class Outcome:
    """What one update did, for the adapter to say."""

    language: str
    """The catalog language to reply in, register included ("es@formal"): pass it to `t`."""
    step: Step | None = None
    notice: Notice | None = None
    campaign_id: int | None = None
    duplicate: bool = False
    reminder: Prompt | None = None
    """After an error on a message: the current question's buttons, shown again."""
    alert_id: int | None = None
    """A disclosure raised this safeguarding alert (stored in this transaction): the
    adapter tells the organization's safeguarding leads in the same transaction."""


@dataclass(frozen=True)
class CurrentSurvey:
    campaign_id: int
    languages: tuple[str, ...]
    """Offered by the survey: what `/language` can switch to."""
    language: str
    in_progress: bool


@dataclass
class _Active:
    state: ChatState
    survey: Survey

    @property
    def campaign(self) -> CampaignFacts:
        return self.state.campaign


# Parsed surveys by content hash: a campaign's pinned definition never changes, and
# parsing it (pydantic validation) would otherwise cost more than the whole update.
_surveys: dict[str, Survey] = {}


def _survey(session: Db, campaign: CampaignFacts) -> Survey:
    survey = _surveys.get(campaign.version_hash)
    if survey is None:
        if isinstance(session, Connection):
            # An ORM read inside the connection's transaction; closing it leaves that open.
            with Session(bind=session) as orm:
                survey = campaign_survey(orm, campaign=campaign)
        else:
            survey = campaign_survey(session, campaign=campaign)
        _surveys[campaign.version_hash] = survey
    return survey


def context_of(campaign: CampaignFacts, survey: Survey) -> Context:
    return Context(
        organization=campaign.organization,
        languages=tuple(survey.languages),
        default_language=campaign.default_language,
        audience=campaign.audience,
        follow_up=campaign_follow_up(campaign),
    )


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _pending(raw: str | None) -> tuple[tuple[str, ...], bool]:
    if not raw:
        return (), False
    data = json.loads(raw)
    return tuple(data.get("pending", ())), bool(data.get("awaiting_other", False))


def progress_of(state: ChatState, answers: dict[str, StoredAnswer]) -> Progress:
    pending, awaiting_other = _pending(state.pending)
    return Progress(
        status=RespondentStatus(state.status),
        language=state.language,
        role=state.role,
        current=state.current_question,
        answers={
            qid: Given(value=a.value, text=a.text, skipped=a.skipped, flagged=a.flagged)
            for qid, a in answers.items()
        },
        pending=pending,
        awaiting_other=awaiting_other,
    )


def _save_progress(
    session: Db, respondent_id: str, progress: Progress, state: ChatState | None
) -> None:
    pending = None
    if progress.pending or progress.awaiting_other:
        pending = json.dumps(
            {"pending": list(progress.pending), "awaiting_other": progress.awaiting_other}
        )
    completed_at = state.completed_at if state is not None else None
    if progress.status == RespondentStatus.COMPLETED and completed_at is None:
        completed_at = store.now_utc()
    store.save_progress(
        session,
        respondent_id=respondent_id,
        status=progress.status,
        language=progress.language,
        role=progress.role,
        current_question=progress.current,
        pending=pending,
        completed_at=completed_at,
    )


def _apply(session: Db, active: _Active, step: Step, answers: dict[str, StoredAnswer]) -> None:
    """Write what the engine decided: answers, removals and progress; on decline, erase all."""
    respondent_id = active.state.respondent_id
    if step.declined:
        store.erase_respondent(session, respondent_id=respondent_id)
        store.count_declined(session, campaign_id=active.campaign.id)
        return
    if step.removed:
        store.delete_answers(session, respondent_id=respondent_id, question_ids=step.removed)
    if step.saved is not None:
        question_id, given = step.saved
        store.save_answer(
            session,
            respondent_id=respondent_id,
            question_id=question_id,
            value=given.value,
            text=given.text,
            skipped=given.skipped,
            flagged=given.flagged,
            replace=question_id in answers and question_id not in step.removed,
        )
    _save_progress(session, respondent_id, step.progress, active.state)


def claim(session: Db, update_id: int | None) -> bool:
    """True when this update is new; records it in the same statement.

    For adapters whose reply to an update changes no survey state (`/help`): the
    claim makes a redelivered update say nothing twice.
    """
    return update_id is None or store.claim_update(session, update_id=update_id)


def _finish(session: Db, outcome: Outcome) -> Outcome:
    """The outcome, with the transaction left open: the caller (`run`) commits it
    together with whatever the adapter queues to say about it."""
    return outcome


def _duplicate(session: Db, language: str) -> Outcome:
    """A redelivered update: its claim wrote nothing, so there is nothing to undo."""
    return Outcome(language=stranger(language), duplicate=True)


def _activate(session: Db, state: ChatState) -> _Active:
    if state.opted_out:  # they are talking to us again
        store.set_contact_opted_out(session, contact_id=state.contact_id, opted_out=False)
        state.opted_out = False
    return _Active(state, _survey(session, state.campaign))


def _load_active(session: Db, chat_id: int) -> _Active | None:
    state = store.chat_state(session, chat_id=chat_id, lock=True)
    return _activate(session, state) if state is not None else None


def _closed_notice(campaign: CampaignFacts, now: datetime) -> Notice | None:
    availability = campaign_availability(campaign, now=now)
    if availability == "closed":
        return Notice.CLOSED
    if availability == "not_yet_open":
        return Notice.NOT_YET_OPEN
    return None


def _advance(session: Db, active: _Active, action: Action) -> Step:
    answers = store.answers_of(session, respondent_id=active.state.respondent_id)
    step = conversation.advance(
        active.survey,
        context_of(active.campaign, active.survey),
        progress_of(active.state, answers),
        action,
    )
    _apply(session, active, step, answers)
    return step


def stranger(language: str) -> str:
    """How to address someone whose role is unknown: respectfully ("usted" in Spanish)."""
    return conversation.voice(Progress(RespondentStatus.LANGUAGE, language, None, None, {}))


def _voice_of(state: ChatState) -> str:
    """The catalog language for a respondent: "es" to a student, "es@formal" to others."""
    return conversation.voice(
        Progress(RespondentStatus(state.status), state.language, state.role, None, {})
    )


def _spoken(step: Step) -> str:
    return conversation.voice(step.progress)


def hint_language(language_code: str | None) -> str:
    """The shipped language closest to a client's language setting (for chats with no survey)."""
    return resolve_language(language_code or "en")


def _offered(hint: str, survey: Survey, default: str) -> str:
    return hint if hint in survey.languages else default


def start(
    session: Db,
    *,
    chat_id: int,
    update_id: int | None,
    code: str | None,
    language_hint: str = "en",
    now: datetime | None = None,
) -> Outcome:
    """`/start [code]`: join a campaign, resume it, or learn how to join."""
    if not claim(session, update_id):
        return _duplicate(session, language_hint)
    current = _now(now)
    if not code:
        active = _load_active(session, chat_id)
        if active is None or active.state.status == RespondentStatus.COMPLETED:
            language = _voice_of(active.state) if active else stranger(language_hint)
            return _finish(session, Outcome(language, notice=Notice.NO_SURVEY))
        return _resume(session, active, current)

    campaign = store.campaign_facts(session, code=code)
    if campaign is None:
        return _finish(session, Outcome(stranger(language_hint), notice=Notice.UNKNOWN_CODE))
    state = store.chat_state(session, chat_id=chat_id, campaign_id=campaign.id, lock=True)
    if state is not None:
        if state.status == RespondentStatus.COMPLETED:
            outcome = Outcome(
                _voice_of(state), notice=Notice.ALREADY_ANSWERED, campaign_id=campaign.id
            )
            return _finish(session, outcome)
        return _resume(session, _activate(session, state), current)

    survey = _survey(session, campaign)
    notice = _closed_notice(campaign, current)
    if notice is not None:
        language = _offered(language_hint, survey, campaign.default_language)
        return _finish(session, Outcome(stranger(language), notice=notice))
    step = conversation.begin(survey, context_of(campaign, survey))
    respondent_id = store.create_respondent(
        session, campaign_id=campaign.id, chat_id=chat_id, language=step.progress.language
    )
    _save_progress(session, respondent_id, step.progress, None)
    return _finish(session, Outcome(_spoken(step), step=step, campaign_id=campaign.id))


def _resume(session: Db, active: _Active, now: datetime) -> Outcome:
    campaign = active.campaign.id
    notice = _closed_notice(active.campaign, now)
    if notice is not None:
        outcome = Outcome(_voice_of(active.state), notice=notice, campaign_id=campaign)
        return _finish(session, outcome)
    step = _advance(session, active, Show())
    return _finish(session, Outcome(_spoken(step), step=step, campaign_id=campaign))


def handle(
    session: Db,
    *,
    chat_id: int,
    update_id: int | None,
    action: Action,
    campaign_id: int | None = None,
    question_id: str | None = None,
    language_hint: str = "en",
    now: datetime | None = None,
) -> Outcome:
    """One action from a chat: a button (`campaign_id` and, for Back, `question_id`
    from its callback data, checked here against the stored state) or a message.
    """
    if not claim(session, update_id):
        return _duplicate(session, language_hint)
    current = _now(now)
    active = _load_active(session, chat_id)
    elsewhere = campaign_id is not None and (active is None or campaign_id != active.campaign.id)
    if elsewhere and isinstance(action, Consent) and action.agree:
        # "Start" tapped on a consent message after declining: declining erased the
        # respondent, so this is a fresh join of the campaign the button names.
        rejoined = _rejoin(session, chat_id, campaign_id or 0, language_hint, current)
        if rejoined is not None:
            return _finish(session, rejoined)
    if active is None:
        return _finish(session, Outcome(stranger(language_hint), notice=Notice.NO_SURVEY))
    state = active.state
    language = _voice_of(state)
    campaign = active.campaign.id
    if campaign_id is not None and campaign_id != campaign:
        return _finish(
            session, Outcome(language, notice=Notice.OTHER_CAMPAIGN, campaign_id=campaign)
        )
    if state.status == RespondentStatus.COMPLETED:
        if isinstance(action, SetLanguage):  # /help and /privacy are still read afterwards
            step = _advance(session, active, action)
            return _finish(session, Outcome(_spoken(step), step=step, campaign_id=campaign))
        return _finish(
            session, Outcome(language, notice=Notice.ALREADY_ANSWERED, campaign_id=campaign)
        )
    notice = _closed_notice(active.campaign, current)
    if notice is not None:
        return _finish(session, Outcome(language, notice=notice, campaign_id=campaign))
    if isinstance(action, Back) and (question_id is None or question_id != state.current_question):
        current_prompt = _current_prompt(session, active)
        outcome = Outcome(
            language, notice=Notice.OLD_BUTTON, campaign_id=campaign, reminder=current_prompt
        )
        return _finish(session, outcome)
    step = _advance(session, active, action)
    reminder = None
    if step.error is not None:
        reminder = _reminder(active, step, typed=isinstance(action, Reply))
    outcome = Outcome(
        _spoken(step),
        step=step,
        campaign_id=campaign,
        reminder=reminder,
        alert_id=_raise_alert(session, active, step, current),
    )
    return _finish(session, outcome)


def _raise_alert(session: Db, active: _Active, step: Step, now: datetime) -> int | None:
    """The alert for a disclosure this step stored, written with the answer; else None.

    Keyed on the engine's `safeguarding` (this action disclosed), not on the stored
    flag: keeping an earlier flagged answer after going Back is not a new disclosure.
    """
    if not step.safeguarding or step.saved is None:
        return None
    question_id, given = step.saved
    alert_id = alerts.raise_alert(
        session,
        campaign_id=active.campaign.id,
        question_id=question_id,
        text=given.text or "",
        now=now,
    )
    if alert_id is None:  # never the text: logs must not carry a disclosure
        logger.warning(
            "campaign %d has no organization: a disclosure raised no alert", active.campaign.id
        )
    return alert_id


def _reminder(active: _Active, step: Step, *, typed: bool) -> Prompt | None:
    """After input the engine could not use, the current question again, with its buttons.

    A person coming back after a break types "hi", or taps a button of an earlier
    question: they get the short notice and, right under it, the question they
    are at. Errors about a typed answer to a text question (a number out of range)
    already say what to type, so the question is not repeated for those.
    """
    shown = conversation.advance(
        active.survey, context_of(active.campaign, active.survey), step.progress, Show()
    )
    prompt = shown.prompt
    if prompt is None or (typed and prompt.expects_text):
        return None
    return prompt


def _current_prompt(session: Db, active: _Active) -> Prompt | None:
    """What the respondent is being asked now, without changing anything."""
    answers = store.answers_of(session, respondent_id=active.state.respondent_id)
    shown = conversation.advance(
        active.survey,
        context_of(active.campaign, active.survey),
        progress_of(active.state, answers),
        Show(),
    )
    return shown.prompt


def _rejoin(
    session: Db, chat_id: int, campaign_id: int, language_hint: str, now: datetime
) -> Outcome | None:
    campaign = store.campaign_facts(session, campaign_id=campaign_id)
    if campaign is None or _closed_notice(campaign, now) is not None:
        return None
    if store.chat_state(session, chat_id=chat_id, campaign_id=campaign_id) is not None:
        return None
    survey = _survey(session, campaign)
    context = context_of(campaign, survey)
    language = _offered(language_hint, survey, campaign.default_language)
    begun = conversation.begin(survey, context, language=language)
    respondent_id = store.create_respondent(
        session, campaign_id=campaign_id, chat_id=chat_id, language=begun.progress.language
    )
    step = conversation.advance(survey, context, begun.progress, Consent(True))
    if step.error is not None:  # pragma: no cover - begin() always leads to consent here
        return None
    _save_progress(session, respondent_id, step.progress, None)
    return Outcome(_spoken(step), step=step, campaign_id=campaign_id)


def resume(
    session: Db,
    *,
    chat_id: int,
    update_id: int | None,
    language_hint: str = "en",
    now: datetime | None = None,
) -> Outcome:
    """`/resume` (or `/start` with no code): show the next unanswered question again."""
    return start(
        session,
        chat_id=chat_id,
        update_id=update_id,
        code=None,
        language_hint=language_hint,
        now=now,
    )


def delete(
    session: Db, *, chat_id: int, update_id: int | None, language_hint: str = "en"
) -> Outcome:
    """`/delete`, confirmed: erase every answer and the contact of this chat, in every campaign."""
    if not claim(session, update_id):
        return _duplicate(session, language_hint)
    state = store.chat_state(session, chat_id=chat_id, lock=True)
    language = _voice_of(state) if state else stranger(language_hint)
    erased = store.erase_chat(session, chat_id=chat_id)
    if erased:
        logger.info("erased %d respondent(s) on request", erased)
    notice = Notice.DELETED if erased else Notice.NOTHING_TO_DELETE
    return _finish(session, Outcome(language, notice=notice))


def opt_out(session: Db, *, chat_id: int) -> int:
    """The chat blocked the bot: mark its contacts opted out. Returns how many were marked."""
    return store.set_opted_out(session, chat_id=chat_id)


def language_of(session: Db, *, chat_id: int, language_hint: str = "en") -> str:
    """The language to talk to this chat in, for messages outside a survey step."""
    state = store.chat_state(session, chat_id=chat_id)
    return _voice_of(state) if state else stranger(language_hint)


def current_survey(session: Db, *, chat_id: int) -> CurrentSurvey | None:
    """The chat's current survey, for `/language` and `/stop`; None when it has none."""
    state = store.chat_state(session, chat_id=chat_id)
    if state is None:
        return None
    survey = _survey(session, state.campaign)
    return CurrentSurvey(
        campaign_id=state.campaign.id,
        languages=tuple(survey.languages),
        language=_voice_of(state),
        in_progress=state.status != RespondentStatus.COMPLETED,
    )


def run(engine: Engine, work: Callable[[Db], T]) -> T:
    """Run one service call in its own transaction, retrying a lost race.

    The transaction is a Core `Connection`, not an ORM `Session`: the service
    writes SQL, not objects, and a session's bookkeeping (begin, flush, commit,
    close) cost more per update than the statements themselves.

    Two workers writing for the same person at the same moment can collide on a
    unique key (two first answers to one question) or, on SQLite, wait longer than
    the busy timeout; the retry reads the state afresh, and a redelivered update
    then finds its id already claimed and does nothing.
    """
    for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
        with engine.connect() as connection:
            try:
                result = work(connection)
                connection.commit()
                return result
            except (IntegrityError, OperationalError) as exc:
                connection.rollback()
                if attempt == TRANSACTION_ATTEMPTS:
                    raise
                logger.info("transaction conflict (%s), retrying", type(exc).__name__)
    raise AssertionError("unreachable")  # pragma: no cover
