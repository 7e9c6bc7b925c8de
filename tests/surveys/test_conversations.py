"""The conversation service: engine + storage + idempotency, without any channel."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from surveys import conversations
from surveys.conversations import Notice
from surveys.engine import Back, Choose, Consent, Reply, SetLanguage, SetRole, Skip
from surveys.i18n import t
from surveys.models import Answer, Campaign, Contact, Respondent
from tests.factories import make_campaign, make_respondent

CHAT = 4242


@pytest.fixture
def campaign(session: Session) -> Campaign:
    campaign = make_campaign(session)
    session.commit()
    return campaign


class Ids:
    def __init__(self) -> None:
        self.next = 100

    def __call__(self) -> int:
        self.next += 1
        return self.next


@pytest.fixture
def ids() -> Ids:
    return Ids()


def _act(session: Session, ids: Ids, action: object, **kwargs: object) -> conversations.Outcome:
    return conversations.handle(
        session,
        chat_id=CHAT,
        update_id=ids(),
        action=action,
        **kwargs,  # type: ignore[arg-type]
    )


def _to_first_question(
    session: Session, campaign: Campaign, ids: Ids, role: str = "student"
) -> None:
    conversations.start(session, chat_id=CHAT, update_id=ids(), code=campaign.code)
    _act(session, ids, SetLanguage("en"))
    _act(session, ids, Consent(True))
    _act(session, ids, SetRole(role))


def _answers(session: Session) -> dict[str, str | None]:
    session.expire_all()
    rows = session.exec(
        select(Answer)
        .join(Contact, Contact.respondent_id == Answer.respondent_id)
        .where(Contact.chat_id == CHAT)
    )
    return {a.question_id: a.value for a in rows}


def test_start_creates_the_respondent_and_asks_the_language(
    session: Session, campaign: Campaign, ids: Ids
) -> None:
    outcome = conversations.start(session, chat_id=CHAT, update_id=ids(), code=campaign.code)
    assert outcome.step is not None and outcome.step.prompt is not None
    assert outcome.step.prompt.kind == "language"
    assert outcome.campaign_id == campaign.id
    assert outcome.language == "en@formal"  # nobody known yet: the respectful register
    contact = session.exec(select(Contact).where(Contact.chat_id == CHAT)).one()
    respondent = session.get(Respondent, contact.respondent_id)
    assert respondent is not None and respondent.status == "language"


def test_the_same_update_twice_changes_nothing(
    session: Session, campaign: Campaign, ids: Ids
) -> None:
    _to_first_question(session, campaign, ids)
    first = conversations.handle(session, chat_id=CHAT, update_id=9000, action=Choose("b1", "2"))
    again = conversations.handle(session, chat_id=CHAT, update_id=9000, action=Choose("b1", "2"))
    assert first.step is not None and first.step.saved is not None
    assert again.duplicate is True and again.step is None
    assert _answers(session) == {"b1": "2"}


@pytest.mark.parametrize(
    ("overrides", "notice"),
    [
        ({"status": "closed"}, Notice.CLOSED),
        ({"opens_at": datetime.now(UTC) + timedelta(days=1)}, Notice.NOT_YET_OPEN),
    ],
)
def test_a_campaign_not_taking_answers(
    session: Session, ids: Ids, overrides: dict[str, object], notice: Notice
) -> None:
    campaign = make_campaign(session, **overrides)
    session.commit()
    outcome = conversations.start(session, chat_id=CHAT, update_id=ids(), code=campaign.code)
    assert outcome.notice is notice
    assert session.exec(select(Respondent)).all() == []


def test_an_unknown_code_and_a_chat_with_no_survey(session: Session, ids: Ids) -> None:
    unknown = conversations.start(session, chat_id=CHAT, update_id=ids(), code="nope")
    assert unknown.notice is Notice.UNKNOWN_CODE
    bare = conversations.start(session, chat_id=CHAT, update_id=ids(), code=None)
    assert bare.notice is Notice.NO_SURVEY
    typed = _act(session, ids, Reply("hello"))
    assert typed.notice is Notice.NO_SURVEY


def test_declining_erases_everything_but_the_count(
    session: Session, campaign: Campaign, ids: Ids
) -> None:
    conversations.start(session, chat_id=CHAT, update_id=ids(), code=campaign.code)
    _act(session, ids, SetLanguage("es"))
    outcome = _act(session, ids, Consent(False))
    assert outcome.step is not None and outcome.step.declined
    session.expire_all()
    assert session.exec(select(Respondent)).all() == []
    assert session.exec(select(Contact)).all() == []
    stored = session.get(Campaign, campaign.id)
    assert stored is not None and stored.declined_count == 1


def test_answer_back_and_answer_again_keeps_one_row(
    session: Session, campaign: Campaign, ids: Ids
) -> None:
    _to_first_question(session, campaign, ids)
    _act(session, ids, Choose("b1", "2"))
    _act(session, ids, Back(), question_id="b2")
    _act(session, ids, Choose("b1", "5"))
    assert _answers(session) == {"b1": "5"}
    assert len(session.exec(select(Answer)).all()) == 1


def test_an_old_back_button_and_another_campaigns_button(
    session: Session, campaign: Campaign, ids: Ids
) -> None:
    _to_first_question(session, campaign, ids)
    _act(session, ids, Choose("b1", "2"))
    assert _act(session, ids, Back(), question_id="b1").notice is Notice.OLD_BUTTON
    other = _act(session, ids, Choose("b2", "3"), campaign_id=(campaign.id or 0) + 1)
    assert other.notice is Notice.OTHER_CAMPAIGN
    assert _answers(session) == {"b1": "2"}


def test_a_finished_survey_is_answered_once(session: Session, campaign: Campaign, ids: Ids) -> None:
    make_respondent(session, campaign=campaign, chat_id=CHAT)
    session.commit()
    again = conversations.start(session, chat_id=CHAT, update_id=ids(), code=campaign.code)
    assert again.notice is Notice.ALREADY_ANSWERED
    assert _act(session, ids, Choose("b1", "4")).notice is Notice.ALREADY_ANSWERED
    assert len(session.exec(select(Respondent)).all()) == 1


def test_a_campaign_closed_mid_survey_stops_taking_answers(
    session: Session, campaign: Campaign, ids: Ids
) -> None:
    _to_first_question(session, campaign, ids)
    campaign.status = "closed"
    session.add(campaign)
    session.commit()
    assert _act(session, ids, Choose("b1", "4")).notice is Notice.CLOSED
    assert _answers(session) == {}


def test_students_get_tu_and_parents_get_usted(
    session: Session, campaign: Campaign, ids: Ids
) -> None:
    conversations.start(session, chat_id=CHAT, update_id=ids(), code=campaign.code)
    _act(session, ids, SetLanguage("es"))
    _act(session, ids, Consent(True))
    outcome = _act(session, ids, SetRole("caregiver"))
    assert outcome.language == "es@formal"
    assert conversations.language_of(session, chat_id=CHAT) == "es@formal"
    other = make_respondent(
        session, campaign=make_campaign(session), chat_id=CHAT + 1, role="student",
        language="es", status="in_progress",
    )  # fmt: skip
    session.commit()
    assert other.role == "student"
    assert conversations.language_of(session, chat_id=CHAT + 1) == "es"


def test_a_stray_message_gets_the_buttons_again_but_a_bad_number_does_not(
    session: Session, campaign: Campaign, ids: Ids
) -> None:
    _to_first_question(session, campaign, ids)
    stray = _act(session, ids, Reply("hi"))
    assert stray.step is not None and stray.step.error == t("errors.tap_button", "en")
    assert stray.reminder is not None and stray.reminder.question_id == "b1"
    _act(session, ids, Choose("b1", "4"))
    _act(session, ids, Choose("b2", "4"))
    _act(session, ids, Choose("g1", "yes_often"))
    _act(session, ids, Skip("h1"))
    bad = _act(session, ids, Reply("lots"))
    assert bad.step is not None and bad.step.error == t("errors.number_whole", "en")
    assert bad.reminder is None
    assert _answers(session) == {"b1": "4", "b2": "4", "g1": "yes_often", "h1": None}


def test_delete_erases_every_campaign_of_the_chat(session: Session, ids: Ids) -> None:
    make_respondent(session, campaign=make_campaign(session), chat_id=CHAT)
    make_respondent(session, campaign=make_campaign(session), chat_id=CHAT)
    make_respondent(session, campaign=make_campaign(session), chat_id=CHAT + 1)
    session.commit()
    outcome = conversations.delete(session, chat_id=CHAT, update_id=ids())
    assert outcome.notice is Notice.DELETED
    session.expire_all()
    assert [c.chat_id for c in session.exec(select(Contact))] == [CHAT + 1]
    again = conversations.delete(session, chat_id=CHAT, update_id=ids())
    assert again.notice is Notice.NOTHING_TO_DELETE


def test_opting_out_and_coming_back(session: Session, campaign: Campaign, ids: Ids) -> None:
    _to_first_question(session, campaign, ids)
    assert conversations.opt_out(session, chat_id=CHAT) == 1
    session.expire_all()
    assert session.exec(select(Contact)).one().opted_out is True
    _act(session, ids, Choose("b1", "3"))
    session.expire_all()
    assert session.exec(select(Contact)).one().opted_out is False


def test_run_retries_a_transaction_that_lost_a_race(engine: Engine) -> None:
    attempts: list[int] = []

    def work(connection: Connection) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))
        return "done"

    assert conversations.run(engine, work) == "done"
    assert len(attempts) == 2


def test_run_gives_up_after_bounded_attempts(engine: Engine) -> None:
    def work(connection: Connection) -> str:
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))

    with pytest.raises(OperationalError):
        conversations.run(engine, work)


def test_two_workers_given_the_same_update_store_one_answer(engine: Engine) -> None:
    """Two processes (here threads, each with its own connection) race on one redelivery."""
    with Session(engine, expire_on_commit=False) as session:
        campaign = make_campaign(session)
        session.commit()
        ids = Ids()
        _to_first_question(session, campaign, ids)
        session.commit()  # the service leaves committing to its caller

    barrier = threading.Barrier(8)

    def worker(_: int) -> conversations.Outcome:
        barrier.wait()
        return conversations.run(
            engine,
            lambda s: conversations.handle(
                s, chat_id=CHAT, update_id=777_777, action=Choose("b1", "4")
            ),
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(worker, range(8)))
    assert sum(not o.duplicate for o in outcomes) == 1
    with Session(engine) as session:
        assert [(a.question_id, a.value) for a in session.exec(select(Answer))] == [("b1", "4")]


def test_two_starts_at_the_same_moment_make_one_respondent(engine: Engine) -> None:
    """Two workers handling two `/start`s of one chat at once: one respondent, not two."""
    with Session(engine, expire_on_commit=False) as session:
        campaign = make_campaign(session)
        session.commit()
    barrier = threading.Barrier(6)

    def worker(n: int) -> conversations.Outcome:
        barrier.wait()
        return conversations.run(
            engine,
            lambda s: conversations.start(
                s, chat_id=CHAT, update_id=900_000 + n, code=campaign.code
            ),
        )

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(worker, range(6)))
    assert all(o.step is not None for o in outcomes)  # everyone got the language question
    with Session(engine) as session:
        assert len(session.exec(select(Respondent)).all()) == 1
        assert len(session.exec(select(Contact)).all()) == 1
