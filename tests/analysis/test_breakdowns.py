"""Group breakdowns, student–caregiver gaps and wave change, worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from analysis.breakdowns import (
    counts_table,
    domain_breakdown,
    latest_waves,
    mirror_gaps,
    quotable,
    wave_changes,
    wave_pairs,
)
from analysis.frames import load_responses
from analysis.scoring import participants, scored_answers
from tests.analysis.seeding import Seed


def _load(session: Session, codes: list[str]):
    responses = load_responses(session, campaign_codes=codes)
    return scored_answers(responses), participants(responses), responses


@pytest.fixture
def students_and_caregivers(seed: Seed, analysis_session: Session):
    """Students: 3 answer b1=5 c1=2, 1 answers b1=2 c1=4 (b1 75 %, c1 25 %).
    Caregivers: 1 answers w1=5 r1=5, 3 answer w1=3 r1=4 (w1 25 %, r1 100 %).
    Welcome gap 75 - 25 = +50; rules gap 25 - 100 = -75 (listed first: bigger).
    """
    s = seed.campaign(seed.survey("pulse_student"), "S1")
    f = seed.campaign(seed.survey("pulse_caregiver"), "F1")
    seed.many(s, 3, {"b1": 5, "c1": 2})
    seed.respondent(s, {"b1": 2, "c1": 4}, language="es")
    seed.respondent(f, {"w1": 5, "r1": 5})
    seed.many(f, 3, {"w1": 3, "r1": 4}, language="es")
    return _load(analysis_session, ["S1", "F1"])


def test_mirror_gaps(students_and_caregivers) -> None:
    scored, people, _ = students_and_caregivers
    gaps = mirror_gaps(scored, people, min_n=2)
    assert gaps["mirror"].tolist() == ["rules", "welcome"]
    rules, welcome = gaps.iloc[0], gaps.iloc[1]
    assert rules["student_pct_favorable"] == pytest.approx(25.0)
    assert rules["caregiver_pct_favorable"] == pytest.approx(100.0)
    assert rules["gap_pct_favorable"] == pytest.approx(-75.0)
    assert welcome["gap_pct_favorable"] == pytest.approx(50.0)
    # means: students b1 (5+5+5+2)/4 = 4.25, caregivers w1 (5+3+3+3)/4 = 3.5
    assert welcome["gap_mean"] == pytest.approx(0.75)
    assert (welcome["student_question"], welcome["caregiver_question"]) == ("b1", "w1")


def test_gaps_hidden_when_a_role_is_too_small(students_and_caregivers) -> None:
    scored, people, _ = students_and_caregivers
    gaps = mirror_gaps(scored, people, min_n=5)
    assert not gaps["shown"].any()
    assert gaps["gap_pct_favorable"].isna().all()


def test_counts_and_domains_by_group(students_and_caregivers) -> None:
    scored, people, _ = students_and_caregivers
    counts = counts_table(people, min_n=2).set_index(["dimension", "group"])
    assert counts.loc[("role", "student"), "respondents"] == 4
    assert counts.loc[("language", "es"), "respondents"] == 4
    assert counts.loc[("language", "en"), "share"] == pytest.approx(50.0)

    by = domain_breakdown(scored, people, min_n=2).set_index(["dimension", "group", "domain"])
    # caregivers' belonging is w1 only: (5+3+3+3)/4 = 3.5
    assert by.loc[("role", "caregiver", "belonging"), "score"] == pytest.approx(3.5)
    # Spanish speakers: student b1=2 c1=4 and three caregivers w1=3 r1=4
    # belonging per respondent 2, 3, 3, 3 -> 2.75; consistency 4, 4, 4, 4 -> 4.0, 100 % favorable
    assert by.loc[("language", "es", "belonging"), "score"] == pytest.approx(2.75)
    assert by.loc[("language", "es", "consistency"), "pct_favorable"] == pytest.approx(100.0)


def test_small_group_and_its_complement_are_hidden(seed: Seed, analysis_session: Session) -> None:
    camp = seed.campaign(seed.survey("pulse_student"), "S1")
    seed.many(camp, 12, {"b1": 5})
    seed.many(camp, 3, {"b1": 1}, language="es")
    scored, people, _ = _load(analysis_session, ["S1"])
    counts = counts_table(people, min_n=10).set_index(["dimension", "group"])
    # es (3) is too small; en (12) would give it away as 15 - 12, so both are hidden
    assert not counts.loc[("language", "es"), "shown"]
    assert not counts.loc[("language", "en"), "shown"]
    assert counts.loc[("language", "es"), "reason"] == "small"
    assert counts.loc[("language", "en"), "reason"] == "protect"
    assert counts.loc[("role", "student"), "reason"] == ""
    assert counts.loc[("role", "student"), "respondents"] == 15
    by = domain_breakdown(scored, people, min_n=10)
    lang = by[by["dimension"] == "language"]
    assert lang["score"].isna().all()
    assert not lang["shown"].any()


def test_wave_change(seed: Seed, analysis_session: Session) -> None:
    student = seed.survey("pulse_student")
    old = seed.campaign(student, "W1", opens_at=datetime(2025, 9, 1, tzinfo=UTC))
    new = seed.campaign(student, "W2", opens_at=datetime(2026, 3, 1, tzinfo=UTC))
    other = seed.campaign(student, "X2", school="Other", opens_at=datetime(2026, 3, 1, tzinfo=UTC))
    # wave 1: b1 = 2, 2, 4, 4 -> score 3.0, favorable 50 %
    for v in (2, 2, 4, 4):
        seed.respondent(old, {"b1": v})
    # wave 2: b1 = 4, 4, 5, 3 -> score 4.0, favorable 75 %
    for v in (4, 4, 5, 3):
        seed.respondent(new, {"b1": v})
    seed.respondent(other, {"b1": 1})
    scored, people, responses = _load(analysis_session, ["W2", "W1", "X2"])
    assert wave_pairs(responses.campaigns) == [("W1", "W2")]
    assert latest_waves(responses.campaigns) == ["W2", "X2"]
    waves = wave_changes(scored, people, min_n=4).set_index("domain")
    row = waves.loc["belonging"]
    assert (row["previous"], row["current"]) == ("W1", "W2")
    assert row["change_score"] == pytest.approx(1.0)
    assert row["change_pct_favorable"] == pytest.approx(25.0)
    hidden = wave_changes(scored, people, min_n=5)
    assert not hidden["shown"].any()
    assert hidden["change_score"].isna().all()


def test_gap_hidden_when_one_side_has_too_few_answers(
    seed: Seed, analysis_session: Session
) -> None:
    s = seed.campaign(seed.survey("pulse_student"), "S1")
    f = seed.campaign(seed.survey("pulse_caregiver"), "F1")
    seed.many(s, 3, {"b1": 5, "c1": 4})
    seed.many(s, 2, {"b1": "not_sure", "c1": 4})  # b1 counts only 3 student answers
    seed.many(f, 5, {"w1": 4, "r1": 4})
    scored, people, _ = _load(analysis_session, ["S1", "F1"])
    gaps = mirror_gaps(scored, people, min_n=4).set_index("mirror")
    assert not gaps.loc["welcome", "shown"]
    assert gaps.loc["rules", "shown"]
    assert gaps.loc["rules", "gap_pct_favorable"] == pytest.approx(0.0)


def test_two_grades_at_one_school_are_not_each_others_waves(
    seed: Seed, analysis_session: Session
) -> None:
    student = seed.survey("pulse_student")
    autumn, spring = datetime(2025, 9, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    g9_old = seed.campaign(student, "G9A", grade="9", opens_at=autumn)
    g10_new = seed.campaign(student, "G10B", grade="10", opens_at=spring)
    g9_new = seed.campaign(student, "G9B", grade="9", opens_at=spring)
    seed.many(g9_old, 4, {"b1": 2})
    seed.many(g10_new, 4, {"b1": 5})
    seed.many(g9_new, 4, {"b1": 4})
    scored, people, responses = _load(analysis_session, ["G9A", "G10B", "G9B"])
    assert wave_pairs(responses.campaigns) == [("G9A", "G9B")]
    assert sorted(latest_waves(responses.campaigns)) == ["G10B", "G9B"]
    waves = wave_changes(scored, people, min_n=4)
    assert set(waves["current"]) == {"G9B"}
    row = waves.set_index("domain").loc["belonging"]
    assert (row["grade"], row["audience"]) == ("9", "student")
    assert row["change_pct_favorable"] == pytest.approx(100.0)


def test_student_and_caregiver_campaigns_of_one_survey_are_not_waves(
    seed: Seed, analysis_session: Session
) -> None:
    student = seed.survey("pulse_student")
    seed.campaign(student, "S", audience="student", opens_at=datetime(2025, 9, 1, tzinfo=UTC))
    seed.campaign(student, "C", audience="caregiver", opens_at=datetime(2026, 3, 1, tzinfo=UTC))
    _, _, responses = _load(analysis_session, ["S", "C"])
    assert wave_pairs(responses.campaigns) == []


def test_only_members_of_small_groups_lose_their_quotes(
    seed: Seed, analysis_session: Session
) -> None:
    camp = seed.campaign(seed.survey("pulse_student"), "S1")
    seed.many(camp, 12, {"b1": 5})
    seed.many(camp, 3, {"b1": 1}, language="es")
    _, people, _ = _load(analysis_session, ["S1"])
    allowed = quotable(people, min_n=10)
    by_language = people.set_index("respondent_id")["language"]
    # es (3) is small: never quoted; en (12) is hidden only to protect es: still quotable.
    assert not allowed[by_language[by_language == "es"].index].any()
    assert allowed[by_language[by_language == "en"].index].all()
    assert not quotable(people, min_n=16).any()
