"""Loading stored answers into frames: shape, multi-campaign input, unknown codes, privacy."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlmodel import Session

from analysis.frames import (
    TIDY_COLUMNS,
    load_open_texts,
    load_responses,
    previous_campaign_codes,
)
from analysis.packet import open_texts
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
