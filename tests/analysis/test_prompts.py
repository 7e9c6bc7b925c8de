"""Data-walk prompts quote this campaign's own findings, and never a hidden one."""

from __future__ import annotations

import pandas as pd

from analysis.prompts import QUESTIONS, build_prompts

EMPTY = pd.DataFrame()


def _items() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["Adults listen to me.", "Rules are fair.", "Secret item"],
            "pct_favorable": [82.0, 35.0, float("nan")],
            "shown": [True, True, False],
        }
    )


def test_each_question_is_tied_to_a_finding() -> None:
    gaps = pd.DataFrame(
        {
            "label": ["I feel welcome."],
            "student_pct_favorable": [40.0],
            "caregiver_pct_favorable": [90.0],
            "gap_pct_favorable": [-50.0],
            "shown": [True],
        }
    )
    themes = pd.DataFrame({"theme": ["Transportation", "Food"], "share": [0.25, 0.4]})
    prompts = build_prompts(
        items=_items(),
        domains=pd.DataFrame(
            {"domain": ["belonging", "safety"], "score": [3.9, 2.7], "shown": [True, True]}
        ),
        gaps=gaps,
        waves=EMPTY,
        themes=themes,
        hidden=["Spanish", "English"],
        response_rate=41.0,
        language="en",
        min_n=10,
    )
    assert [p.key for p in prompts] == list(QUESTIONS)
    by = {p.key: p for p in prompts}
    assert by["notice"].question == "What do you notice?"
    assert "“Adults listen to me.”: 82% of answers were favorable" in by["notice"].findings[0]
    assert "Safety had the lowest average of all areas (2.7 out of 5)." in by["notice"].findings
    assert "40% of students and 90% of caregivers" in by["surprise"].findings[0]
    assert "a gap of 50 points" in by["surprise"].findings[0]
    assert any("Spanish, English" in f for f in by["missing"].findings)
    assert "41% of those invited completed the survey." in by["missing"].findings
    assert "only 35% of answers were favorable" in by["together"].findings[0]
    assert "40% of the people who wrote a comment mentioned “Food”." in by["together"].findings
    assert not any("Secret item" in f for p in prompts for f in p.findings)


def test_spanish_prompts_and_nothing_to_quote() -> None:
    prompts = build_prompts(
        items=EMPTY,
        domains=EMPTY,
        gaps=EMPTY,
        waves=EMPTY,
        themes=EMPTY,
        hidden=[],
        response_rate=None,
        language="es",
        min_n=10,
    )
    assert [p.question for p in prompts] == [
        "¿Qué observan?",
        "¿Qué les sorprende?",
        "¿Qué falta?",
        "¿Qué debemos hacer juntos?",
    ]
    assert prompts[2].findings  # "what is missing" always asks who else should be heard
