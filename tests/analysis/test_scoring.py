"""Item and domain numbers against values worked out by hand.

The four students below (b2 is reverse-worded, so a stored 1 scores 5):

    S1: b1=5         b2=1 (->5)  c1=4  a1=college  n1=[tutoring]
    S2: b1=4         b2=2 (->4)  c1=2  a1=job      n1=skipped
    S3: b1=not_sure  b2=4 (->2)        a1=unsure (a "not sure" option)
    S4: b1=skipped   b2=3 (->3)        a1=skipped

b1: counted 5, 4 -> n 2, mean 4.5, favorable 2/2 = 100 %; one not sure, one skip.
b2: scores 5, 4, 2, 3 -> mean 3.5, favorable 2/4 = 50 %.
c1: 4, 2 -> mean 3.0, favorable 1/2 = 50 %.
a1: college (favorable), job (not); unsure and the skip are out -> 1/2 = 50 %.
belonging per respondent: S1 (5+5)/2 = 5, S2 (4+4)/2 = 4, S3 2, S4 3 -> 14/4 = 3.5;
pooled favorable 4 of 6 answers = 66.7 %.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sqlmodel import Session

from analysis.frames import load_responses
from analysis.scoring import (
    ALPHA_MIN_CASES,
    cronbach_alpha,
    domain_alpha,
    domain_table,
    item_table,
    participants,
    scored_answers,
)
from tests.analysis.seeding import SKIP, Seed


@pytest.fixture
def four_students(seed: Seed, analysis_session: Session) -> pd.DataFrame:
    camp = seed.campaign(seed.survey("pulse_student"), "S1")
    seed.respondent(camp, {"b1": 5, "b2": 1, "c1": 4, "a1": "college", "n1": ["tutoring"]})
    seed.respondent(camp, {"b1": 4, "b2": 2, "c1": 2, "a1": "job", "n1": SKIP})
    seed.respondent(camp, {"b1": "not_sure", "b2": 4, "a1": "unsure"})
    seed.respondent(camp, {"b1": SKIP, "b2": 3, "a1": SKIP})
    return scored_answers(load_responses(analysis_session, campaign_codes=["S1"]))


def test_item_numbers(four_students: pd.DataFrame) -> None:
    items = item_table(four_students).set_index("question_id")
    b1, b2, c1, a1 = (items.loc[q] for q in ("b1", "b2", "c1", "a1"))
    assert (b1["n"], b1["not_sure"], b1["skipped"]) == (2, 1, 1)
    assert b1["mean"] == pytest.approx(4.5)
    assert b1["pct_favorable"] == pytest.approx(100.0)
    assert (b1["n_4"], b1["n_5"], b1["n_1"]) == (1, 1, 0)
    assert b2["mean"] == pytest.approx(3.5)
    assert b2["pct_favorable"] == pytest.approx(50.0)
    # the distribution is of answers as given (1, 2, 4, 3), not flipped
    assert [b2[f"n_{p}"] for p in range(1, 6)] == [1, 1, 1, 1, 0]
    assert c1["mean"] == pytest.approx(3.0)
    assert c1["pct_favorable"] == pytest.approx(50.0)
    assert a1["n"] == 2
    assert a1["pct_favorable"] == pytest.approx(50.0)
    assert math.isnan(a1["mean"])
    assert "n1" not in items.index  # a choice question without `favorable` has no % favorable


def test_domain_numbers(four_students: pd.DataFrame) -> None:
    domains = domain_table(four_students).set_index("domain")
    assert domains.loc["belonging", "score"] == pytest.approx(3.5)
    assert domains.loc["belonging", "n"] == 4
    assert domains.loc["belonging", "pct_favorable"] == pytest.approx(400 / 6)
    assert domains.loc["consistency", "score"] == pytest.approx(3.0)
    assert domains.loc["consistency", "n"] == 2
    assert domains.loc["aspirations", "pct_favorable"] == pytest.approx(50.0)
    assert math.isnan(domains.loc["aspirations", "score"])
    # two complete belonging cases (S1, S2) are not enough for alpha
    assert domains.loc["belonging", "alpha"] is None


def test_cronbach_alpha_on_a_small_matrix() -> None:
    # item variances 5/3, 4/3, 19/12 sum to 55/12; totals 5, 7, 10, 13 have variance 49/4;
    # alpha = 3/2 * (1 - (55/12) / (49/4)) = 3/2 * 92/147 = 138/147
    matrix = pd.DataFrame({"x": [1, 2, 3, 4], "y": [2, 2, 4, 4], "z": [2, 3, 3, 5]})
    assert cronbach_alpha(matrix) == pytest.approx(138 / 147)


def test_cronbach_alpha_needs_two_items_and_variance() -> None:
    assert cronbach_alpha(pd.DataFrame({"x": [1, 2, 3]})) is None
    assert cronbach_alpha(pd.DataFrame({"x": [3, 3, 3], "y": [3, 3, 3]})) is None


def test_domain_alpha_uses_complete_reverse_coded_cases(
    seed: Seed, analysis_session: Session
) -> None:
    # b1: 5 4 4 2 1; b2 stored 1 2 3 4 4 -> scores 5 4 3 2 2.
    # var(b1) = 10.8/4 = 2.7, var(b2) = 6.8/4 = 1.7; totals 10 8 7 4 3, var 33.2/4 = 8.3
    # alpha = 2 * (1 - 4.4 / 8.3) = 7.8 / 8.3
    camp = seed.campaign(seed.survey("pulse_student"), "S1")
    for b1, b2 in [(5, 1), (4, 2), (4, 3), (2, 4), (1, 4)]:
        seed.respondent(camp, {"b1": b1, "b2": b2})
    seed.respondent(camp, {"b1": 3, "b2": SKIP})  # incomplete: left out of alpha
    scored = scored_answers(load_responses(analysis_session, campaign_codes=["S1"]))
    assert ALPHA_MIN_CASES == 5
    alpha, cases = domain_alpha(scored, "belonging")
    assert cases == 5
    assert alpha == pytest.approx(7.8 / 8.3)


def test_respondents_without_answers_are_not_participants(
    seed: Seed, analysis_session: Session
) -> None:
    camp = seed.campaign(seed.survey("pulse_student"), "S1")
    seed.respondent(camp, {"b1": 4})
    seed.respondent(camp, {})  # opened the bot, never answered
    people = participants(load_responses(analysis_session, campaign_codes=["S1"]))
    assert len(people) == 1
    assert people.loc[0, "role"] == "student"


def test_every_answer_skipped(seed: Seed, analysis_session: Session) -> None:
    camp = seed.campaign(seed.survey("pulse_student"), "S1")
    for _ in range(3):
        seed.respondent(camp, {"b1": SKIP, "b2": SKIP, "c1": SKIP, "a1": SKIP})
    scored = scored_answers(load_responses(analysis_session, campaign_codes=["S1"]))
    items = item_table(scored).set_index("question_id")
    assert (items["n"] == 0).all()
    assert items["pct_favorable"].isna().all()
    assert items.loc["b1", "skipped"] == 3
    domains = domain_table(scored).set_index("domain")
    assert domains["score"].isna().all()
    assert (domains["n"] == 0).all()
