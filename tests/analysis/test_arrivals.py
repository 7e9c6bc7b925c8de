"""Comments worked out as they arrive, kept with their answers, and used by the packet."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlmodel import Session, func, select

from analysis import arrivals, themes
from analysis.frames import load_open_texts
from analysis.text_results import BLANK, decode, text_key
from analysis.themes import summarize_themes
from surveys.crud import respondents as store
from surveys.models import Answer, AnswerAnalysis, Respondent
from tests.analysis.seeding import Seed, Text

COMMENTS = [
    "The bus is late every morning",
    "More tutoring after school please",
    "My teacher cares about me",
    "Necesitamos más tutoría después de la escuela",
    "El autobús llega tarde",
]


@pytest.fixture
def campaign(session: Session) -> Session:
    seed = Seed(session)
    camp = seed.campaign(seed.survey("pulse_student"), "S1")
    for i, comment in enumerate(COMMENTS * 3):
        language = "es" if comment in COMMENTS[3:] else "en"
        seed.respondent(camp, {"b1": 4, "t1": Text(f"{comment} {i % 2}")}, language=language)
    seed.respondent(camp, {"b1": 3, "t1": Text("   ")})
    session.commit()
    return session


def analyse_everything(session: Session) -> int:
    total = 0
    while done := arrivals.analyse_pending(session, limit=4):
        total += done
    session.commit()
    return total


def first_comment(session: Session) -> Answer:
    """The first comment stored: an English respondent's, "The bus is late every morning 0"."""
    with_text = Answer.text.is_not(None)  # type: ignore[union-attr]
    answer = session.exec(select(Answer).where(with_text).order_by(Answer.id)).first()
    assert answer is not None and answer.text is not None
    assert answer.text.startswith("The bus is late")
    return answer


def kept_count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AnswerAnalysis)).one())


def test_every_comment_is_worked_out_once(campaign: Session) -> None:
    assert analyse_everything(campaign) == len(COMMENTS) * 3 + 1
    assert kept_count(campaign) == len(COMMENTS) * 3 + 1
    assert analyse_everything(campaign) == 0  # nothing is read again
    results = campaign.exec(select(AnswerAnalysis.result)).all()
    assert results.count(BLANK) == 1  # the blank comment: kept, never counted
    spanish = [decode(r) for r in results if r != BLANK and decode(r).language == "es"]
    assert len(spanish) == 6


def test_the_summary_is_the_same_and_parses_nothing_when_all_is_kept(
    campaign: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = load_open_texts(campaign, campaign_codes=["S1"])
    worked_out = summarize_themes(texts, min_theme_respondents=1, emergent_min_respondents=1)
    analyse_everything(campaign)
    texts = load_open_texts(campaign, campaign_codes=["S1"])
    assert texts["result"].notna().all()

    asked: list[list[str]] = []
    real = themes._analyze_all

    def counting(keys: list[str], *args: object) -> list[object]:
        asked.append(keys)
        return real(keys, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(themes, "_analyze_all", counting)
    from_kept = summarize_themes(texts, min_theme_respondents=1, emergent_min_respondents=1)
    pd.testing.assert_frame_equal(from_kept, worked_out)
    assert asked == [[]]
    assert len(from_kept) >= 3


def test_a_changed_answer_is_worked_out_again(campaign: Session) -> None:
    analyse_everything(campaign)
    answer = first_comment(campaign)
    before = kept_count(campaign)
    store.save_answer(
        campaign,
        respondent_id=answer.respondent_id,
        question_id=answer.question_id,
        value=None,
        text="The buses are always full",
        replace=True,
    )
    campaign.commit()
    assert kept_count(campaign) == before - 1
    assert analyse_everything(campaign) == 1
    kept = campaign.get(AnswerAnalysis, answer.id)
    assert kept is not None and "transportation" in decode(kept.result).themes


def test_a_result_for_text_since_changed_is_not_kept(campaign: Session) -> None:
    pending = arrivals.pending_texts(campaign, limit=1)
    analyses = arrivals.analyse(pending)
    campaign.exec(select(Answer)).all()
    answer = campaign.get(Answer, pending[0].answer_id)
    assert answer is not None
    answer.text = "Something else entirely"  # changed while the engine worked
    campaign.add(answer)
    campaign.flush()
    arrivals.keep(campaign, analyses)
    assert campaign.get(AnswerAnalysis, pending[0].answer_id) is None


def test_erasing_a_respondent_erases_what_was_kept_of_their_comments(campaign: Session) -> None:
    analyse_everything(campaign)
    answer = first_comment(campaign)
    before = kept_count(campaign)
    store.erase_respondent(campaign, respondent_id=answer.respondent_id)
    campaign.commit()
    assert kept_count(campaign) == before - 1
    assert campaign.get(AnswerAnalysis, answer.id) is None


def test_a_respondent_who_switches_language_is_analysed_again(campaign: Session) -> None:
    analyse_everything(campaign)
    answer = first_comment(campaign)
    respondent = campaign.get(Respondent, answer.respondent_id)
    assert respondent is not None and respondent.language == "en"
    respondent.language = "es"
    campaign.add(respondent)
    campaign.commit()
    assert [p.answer_id for p in arrivals.pending_texts(campaign)] == [answer.id]
    assert analyse_everything(campaign) == 1
    kept = campaign.get(AnswerAnalysis, answer.id)
    assert kept is not None and kept.language == "es"
    assert kept.text_key == text_key("es", answer.text.strip())  # type: ignore[union-attr]
