"""Loading stored answers into frames: shape, multi-campaign input, unknown codes, privacy,
the grouped untimed read against the row-by-row one."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlmodel import Session

from analysis import frames
from analysis.frames import (
    TIDY_COLUMNS,
    load_open_texts,
    load_responses,
    previous_campaign_codes,
)
from analysis.packet import open_texts
from surveys.models import Answer, SurveyRecord
from tests.analysis.seeding import SKIP, T0, Seed, Text


def test_loads_one_row_per_answer_with_groups(seed: Seed, analysis_session: Session) -> None:
    student = seed.survey("pulse_student")
    camp = seed.campaign(student, "S1", school="Lincoln", grade="9", roster_size=40)
    seed.respondent(camp, {"b1": 4, "b2": SKIP, "t1": Text("hi")}, language="es")
    seed.respondent(camp, {"b1": "not_sure"})

    responses = load_responses(analysis_session, campaign_codes=["S1"])

    assert responses.campaigns.loc[0, "campaign"] == "S1"
    assert responses.campaigns.loc[0, "roster_size"] == 40
    assert len(responses.respondents) == 2
    assert len(responses.answers) == 4
    tidy = responses.tidy()
    assert list(tidy.columns) == TIDY_COLUMNS
    row = tidy[(tidy["question_id"] == "b1") & (tidy["language"] == "es")].iloc[0]
    assert (row["value"], row["school"], row["grade"], row["role"]) == (
        "4",
        "Lincoln",
        "9",
        "student",
    )
    assert row["domain"] == "belonging"
    assert bool(tidy.loc[tidy["question_id"] == "b2", "skipped"].iloc[0]) is True
    q = responses.questions.set_index("question_id")
    assert bool(q.loc["b2", "reverse"]) is True
    assert q.loc["b1", "text_es"] == "Me siento bienvenido en la escuela."
    assert q.loc["a1", "favorable"] == ("college", "trade")


def test_several_campaigns_and_unknown_code(seed: Seed, analysis_session: Session) -> None:
    seed.campaign(seed.survey("pulse_student"), "S1")
    seed.campaign(seed.survey("pulse_caregiver"), "F1")

    both = load_responses(analysis_session, campaign_codes=["S1", "F1"])
    assert both.campaigns["campaign"].tolist() == ["S1", "F1"]
    assert len(both.surveys) == 2

    with pytest.raises(ValueError, match="unknown campaign code: NOPE"):
        load_responses(analysis_session, campaign_codes=["S1", "NOPE"])


def test_frames_never_carry_chat_ids(seed: Seed, analysis_session: Session) -> None:
    camp = seed.campaign(seed.survey("pulse_student"), "S1")
    seed.respondent(camp, {"b1": 5}, chat_id=987654321)
    responses = load_responses(analysis_session, campaign_codes=["S1"])
    for frame in (responses.campaigns, responses.respondents, responses.answers, responses.tidy()):
        assert "chat_id" not in frame.columns
        assert "987654321" not in frame.to_string()


def test_previous_campaign_is_same_survey_and_school(seed: Seed, analysis_session: Session) -> None:
    student = seed.survey("pulse_student")
    seed.campaign(student, "OLD", opens_at=T0.replace(year=2024))
    seed.campaign(student, "MID", opens_at=T0.replace(year=2025))
    seed.campaign(student, "OTHER", school="Other", opens_at=T0.replace(year=2025))
    seed.campaign(student, "NEW", opens_at=T0)
    assert previous_campaign_codes(analysis_session, campaign_codes=["NEW"]) == ["MID"]
    assert previous_campaign_codes(analysis_session, campaign_codes=["NEW", "MID"]) == ["OLD"]
    assert previous_campaign_codes(analysis_session, campaign_codes=["OLD"]) == []


def test_open_texts_read_alone_match_the_full_load(seed: Seed, analysis_session: Session) -> None:
    camp = seed.campaign(seed.survey("pulse_student"), "S1")
    seed.respondent(camp, {"t1": Text("More buses"), "b1": 4}, language="es")
    seed.respondent(camp, {"t1": Text("Help", flagged=True), "n1": ["food"]})
    seed.respondent(camp, {"t1": SKIP, "b1": 2})
    alone = load_open_texts(analysis_session, campaign_codes=["S1"])
    assert sorted(alone["text"]) == ["Help", "More buses"]
    assert alone.set_index("text").loc["Help", "flagged"]
    assert alone.set_index("text").loc["More buses", "language"] == "es"
    full = open_texts(load_responses(analysis_session, campaign_codes=["S1"]))
    pd.testing.assert_frame_equal(alone, full)


def _seed_mixed(session: Session) -> tuple[Seed, SurveyRecord]:
    """Two surveys, three campaigns: every kind of stored answer the packet reads."""
    seed = Seed(session)
    student, caregiver = seed.survey("pulse_student"), seed.survey("pulse_caregiver")
    s1, s2, f1 = (
        seed.campaign(student, "S1"),
        seed.campaign(student, "S2", grade="10"),
        seed.campaign(caregiver, "F1"),
    )
    seed.respondent(s1, {"t1": Text("More buses"), "b1": 4, "n1": ["food", "other"]})
    seed.respondent(s1, {"b2": SKIP, "a1": "college", "b1": "not_sure", "c1": 1})
    seed.respondent(s1, {"t1": Text("Help", flagged=True)})  # text answers only
    seed.respondent(s2, {"n1": ["food"], "t1": SKIP, "b1": 5}, language="es")
    lone = seed.respondent(f1, {"w1": 2, "r1": SKIP, "t1": Text("Gracias")})
    # Stored oddities the bot does not write but a frame must carry as they are: no value
    # yet not skipped, a flag without text, an answer to a question the survey lacks.
    for qid, value, flagged in (("c9", None, False), ("zz", "3", True), ("aa", "1", False)):
        session.add(
            Answer(
                respondent_id=lone.id, question_id=qid, value=value, flagged=flagged, answered_at=T0
            )
        )
    session.flush()
    return seed, student


@pytest.fixture
def split_spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records, per read, whether the grouped answers could be split (False: fell back)."""
    calls: list[bool] = []
    real = frames._split_answers

    def spy(*args: Any) -> dict[str, np.ndarray] | None:
        columns = real(*args)
        calls.append(columns is not None)
        return columns

    monkeypatch.setattr(frames, "_split_answers", spy)
    return calls


def _row_read(session: Session, codes: list[str], monkeypatch: pytest.MonkeyPatch) -> pd.DataFrame:
    with monkeypatch.context() as m:
        m.setattr(frames, "_GROUPED_ANSWERS_SQL", {})
        return load_responses(session, campaign_codes=codes, answer_times=False).answers


def test_grouped_untimed_read_matches_the_row_read(
    session: Session, monkeypatch: pytest.MonkeyPatch, split_spy: list[bool]
) -> None:
    _seed_mixed(session)
    codes = ["F1", "S1", "S2"]
    fast = load_responses(session, campaign_codes=codes, answer_times=False).answers
    assert split_spy == [True]
    rows = _row_read(session, codes, monkeypatch)
    assert split_spy == [True]  # the row read never asked for the grouped answers
    pd.testing.assert_frame_equal(fast, rows)
    assert len(fast) == 17
    assert fast["value"].isna().sum() == 7
    assert fast.loc[fast["question_id"] == "n1", "value"].tolist() == [
        '["food", "other"]',
        '["food"]',
    ]
    assert fast.loc[fast["flagged"], "question_id"].tolist() == ["zz", "t1"]
    # The same answers as the timed read, which is left as it was (answer times aside).
    timed = load_responses(session, campaign_codes=codes).answers.drop(columns="answered_at")
    key = ["respondent_id", "question_id"]
    pd.testing.assert_frame_equal(
        fast.drop(columns="answered_at").sort_values(key).reset_index(drop=True),
        timed.sort_values(key).reset_index(drop=True),
    )
    assert fast["answered_at"].isna().all()


def test_untimed_answers_in_campaign_respondent_and_survey_order(
    session: Session, split_spy: list[bool]
) -> None:
    _seed_mixed(session)
    answers = load_responses(session, campaign_codes=["S2", "F1", "S1"], answer_times=False).answers
    assert list(dict.fromkeys(answers["campaign"])) == ["S2", "F1", "S1"]
    s1 = answers[answers["campaign"] == "S1"]
    assert list(dict.fromkeys(s1["respondent_id"])) == sorted(set(s1["respondent_id"]))
    order = ["b1", "b2", "c1", "a1", "n1", "t1"]  # pulse_student as written
    for _, given in s1.groupby("respondent_id"):
        assert given["question_id"].tolist() == [q for q in order if q in set(given["question_id"])]
    assert answers.loc[answers["campaign"] == "F1", "question_id"].tolist() == [
        "w1",
        "r1",
        "t1",
        "aa",
        "c9",
        "zz",
    ]


@pytest.mark.parametrize("separator", ["\x1f", "\x1e"])
def test_value_holding_a_separator_falls_back_to_the_row_read(
    session: Session, monkeypatch: pytest.MonkeyPatch, split_spy: list[bool], separator: str
) -> None:
    seed, student = _seed_mixed(session)
    odd = seed.respondent(seed.campaign(student, "S3"), {"b1": 3})
    session.add(
        Answer(respondent_id=odd.id, question_id="a1", value=f"x{separator}y", answered_at=T0)
    )
    session.flush()
    codes = ["S1", "S3", "F1"]
    answers = load_responses(session, campaign_codes=codes, answer_times=False).answers
    assert split_spy == [False]
    pd.testing.assert_frame_equal(answers, _row_read(session, codes, monkeypatch))
    assert f"x{separator}y" in answers["value"].tolist()
