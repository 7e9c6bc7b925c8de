"""Respondent storage: the chat's state in one read, answers, erasure, update ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from surveys.crud import respondents as store
from surveys.models import Answer, Campaign, Contact, ProcessedUpdate, Respondent
from tests.factories import add_answers, make_campaign, make_respondent, make_survey


def test_a_new_respondent_is_found_by_its_chat(session: Session) -> None:
    campaign = make_campaign(session)
    respondent_id = store.create_respondent(
        session, campaign_id=campaign.id or 0, chat_id=777, language="es"
    )
    state = store.chat_state(session, chat_id=777)
    assert state is not None
    assert state.respondent_id == respondent_id
    assert (state.status, state.language, state.role, state.current_question) == (
        "language", "es", None, None,
    )  # fmt: skip
    assert state.opted_out is False
    assert state.campaign.id == campaign.id
    assert state.campaign.code == campaign.code
    assert state.campaign.organization == "Bridges Tutoring"
    assert state.campaign.version_hash == make_survey().version_hash
    assert store.chat_state(session, chat_id=778) is None


def test_the_survey_in_progress_wins_over_a_finished_one(session: Session) -> None:
    first = make_campaign(session)
    second = make_campaign(session)
    t0 = datetime(2026, 3, 2, tzinfo=UTC)
    make_respondent(session, campaign=first, chat_id=5, status="in_progress", started_at=t0)
    make_respondent(
        session, campaign=second, chat_id=5, status="completed", started_at=t0 + timedelta(days=1)
    )
    state = store.chat_state(session, chat_id=5)
    assert state is not None and state.campaign.id == first.id
    in_second = store.chat_state(session, chat_id=5, campaign_id=second.id)
    assert in_second is not None and in_second.status == "completed"


def test_the_most_recent_of_two_in_progress_wins(session: Session) -> None:
    first = make_campaign(session)
    second = make_campaign(session)
    t0 = datetime(2026, 3, 2, tzinfo=UTC)
    make_respondent(session, campaign=first, chat_id=5, status="in_progress", started_at=t0)
    make_respondent(
        session, campaign=second, chat_id=5, status="consent", started_at=t0 + timedelta(hours=1)
    )
    state = store.chat_state(session, chat_id=5, lock=True)
    assert state is not None and state.campaign.id == second.id


def test_campaign_facts_by_id_and_code(session: Session) -> None:
    campaign = make_campaign(session)
    by_code = store.campaign_facts(session, code=campaign.code)
    by_id = store.campaign_facts(session, campaign_id=campaign.id)
    assert by_code == by_id
    assert by_code is not None and by_code.default_language == "en"
    assert store.campaign_facts(session, code="nope") is None


def _answers(session: Session, respondent_id: str) -> list[Answer]:
    return list(session.exec(select(Answer).where(Answer.respondent_id == respondent_id)))


def test_an_answer_is_stored_then_replaced(session: Session) -> None:
    campaign = make_campaign(session)
    rid = store.create_respondent(session, campaign_id=campaign.id or 0, chat_id=1, language="en")
    store.save_answer(session, respondent_id=rid, question_id="b1", value="2", replace=False)
    store.save_answer(session, respondent_id=rid, question_id="b1", value="5")  # looked up
    store.save_answer(
        session, respondent_id=rid, question_id="t1", value=None, text="help", flagged=True
    )
    assert store.answers_of(session, respondent_id=rid) == {
        "b1": store.StoredAnswer("5", None, False, False),
        "t1": store.StoredAnswer(None, "help", False, True),
    }
    assert len(_answers(session, rid)) == 2
    store.delete_answers(session, respondent_id=rid, question_ids=["t1"])
    assert set(store.answers_of(session, respondent_id=rid)) == {"b1"}


def test_a_safeguarding_flag_survives_a_replaced_or_skipped_answer(session: Session) -> None:
    campaign = make_campaign(session)
    rid = store.create_respondent(session, campaign_id=campaign.id or 0, chat_id=1, language="en")
    store.save_answer(
        session, respondent_id=rid, question_id="t1", value=None, text="x", flagged=True
    )
    store.save_answer(session, respondent_id=rid, question_id="t1", value=None, text="all good")
    assert store.answers_of(session, respondent_id=rid)["t1"] == store.StoredAnswer(
        None, "all good", False, True
    )
    store.save_answer(session, respondent_id=rid, question_id="t1", value=None, skipped=True)
    assert store.answers_of(session, respondent_id=rid)["t1"] == store.StoredAnswer(
        None, None, True, True
    )
    # An unflagged answer replaced by another stays unflagged.
    store.save_answer(session, respondent_id=rid, question_id="t2", value=None, text="a")
    store.save_answer(session, respondent_id=rid, question_id="t2", value=None, text="b")
    assert store.answers_of(session, respondent_id=rid)["t2"].flagged is False


def test_progress_is_saved(session: Session) -> None:
    campaign = make_campaign(session)
    rid = store.create_respondent(session, campaign_id=campaign.id or 0, chat_id=1, language="en")
    done = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    store.save_progress(
        session,
        respondent_id=rid,
        status="completed",
        language="es",
        role="caregiver",
        current_question=None,
        pending=None,
        completed_at=done,
    )
    session.expire_all()
    respondent = session.get(Respondent, rid)
    assert respondent is not None
    assert (respondent.status, respondent.language, respondent.role) == (
        "completed", "es", "caregiver",
    )  # fmt: skip
    assert respondent.completed_at == done


def test_erasing_a_chat_leaves_other_people_alone(session: Session) -> None:
    first = make_campaign(session)
    second = make_campaign(session)
    mine_a = make_respondent(session, campaign=first, chat_id=10)
    mine_b = make_respondent(session, campaign=second, chat_id=10)
    theirs = make_respondent(session, campaign=first, chat_id=11)
    for respondent in (mine_a, mine_b, theirs):
        add_answers(session, respondent=respondent, answers={"b1": "4", "t1": {"text": "hi"}})
    assert store.erase_chat(session, chat_id=10) == 2
    session.expire_all()
    assert [r.id for r in session.exec(select(Respondent))] == [theirs.id]
    assert [c.chat_id for c in session.exec(select(Contact))] == [11]
    assert {a.respondent_id for a in session.exec(select(Answer))} == {theirs.id}
    assert store.erase_chat(session, chat_id=10) == 0


def test_opt_out_marks_every_contact_of_the_chat(session: Session) -> None:
    first = make_campaign(session)
    second = make_campaign(session)
    make_respondent(session, campaign=first, chat_id=10)
    make_respondent(session, campaign=second, chat_id=10)
    make_respondent(session, campaign=first, chat_id=11)
    assert store.set_opted_out(session, chat_id=10) == 2
    assert store.set_opted_out(session, chat_id=10) == 0  # already
    session.expire_all()
    flags = {(c.chat_id, c.opted_out) for c in session.exec(select(Contact))}
    assert flags == {(10, True), (11, False)}


def test_declines_are_counted(session: Session) -> None:
    campaign = make_campaign(session)
    store.count_declined(session, campaign_id=campaign.id or 0)
    store.count_declined(session, campaign_id=campaign.id or 0)
    session.expire_all()
    stored = session.get(Campaign, campaign.id)
    assert stored is not None and stored.declined_count == 2


def test_an_update_id_is_claimed_once(session: Session) -> None:
    assert store.is_processed(session, update_id=41) is False
    assert store.claim_update(session, update_id=41) is True
    assert store.claim_update(session, update_id=41) is False
    assert store.claim_update(session, update_id=42) is True
    assert store.is_processed(session, update_id=41) is True
    assert len(list(session.exec(select(ProcessedUpdate)))) == 2


def test_one_chat_cannot_be_two_respondents_of_one_campaign(session: Session) -> None:
    campaign = make_campaign(session)
    assert campaign.id is not None
    store.create_respondent(session, campaign_id=campaign.id, chat_id=99, language="en")
    with pytest.raises(IntegrityError):
        store.create_respondent(session, campaign_id=campaign.id, chat_id=99, language="en")
