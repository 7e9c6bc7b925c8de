"""Quote choice: readable, on theme, one per respondent, de-identified, never flagged."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.codebook import load_codebook
from analysis.quotes import pick_quotes, rank_key
from analysis.theme_results import REMOVED
from analysis.themes import summarize_themes

FIXTURES = Path(__file__).parent.parent / "fixtures" / "text"


def test_rank_prefers_readable_length_then_hits_then_closeness_to_ideal():
    medium = "x" * 100
    assert rank_key(medium, 2, "a") < rank_key(medium, 1, "a")  # more hits first
    assert rank_key("x" * 120, 1, "a") < rank_key("x" * 60, 1, "a")  # closer to 120
    # A 10-character answer loses to a 200-character one even with more hits.
    assert rank_key("x" * 200, 1, "a") < rank_key("x" * 10, 5, "a")
    # Far too long counts as outside the window too.
    assert rank_key("x" * 240, 1, "a") < rank_key("x" * 241, 9, "a")
    # Full ties fall back to respondent id, then text: deterministic.
    assert rank_key(medium, 1, "a") < rank_key(medium, 1, "b")


def test_pick_takes_one_quote_per_respondent_and_skips_repeats():
    ranked = [
        ("r1", "The buses are always late in the morning.", "en"),
        ("r1", "The bus stop has no light at all.", "en"),
        ("r2", "The buses are always late in the morning.", "en"),
        ("r3", "We wait for the bus in the rain every day.", "en"),
        ("r4", "Another one about buses that should not fit.", "en"),
    ]
    assert pick_quotes(ranked, 2) == [
        "The buses are always late in the morning.",
        "We wait for the bus in the rain every day.",
    ]
    assert pick_quotes(ranked, 0) == []


def test_pick_deidentifies_and_skips_quotes_that_are_only_names():
    ranked = [
        ("r1", "Mr. Smith!", "en"),
        ("r2", "Ms. Lopez drives the bus and her number is 555-123-4567.", "en"),
    ]
    assert pick_quotes(ranked, 3) == [f"{REMOVED} drives the bus and her number is {REMOVED}."]


def test_long_quotes_are_truncated():
    long_text = "The bus is late. " * 40
    (quote,) = pick_quotes([("r1", long_text.strip(), "en")], 1)
    assert len(quote) <= 282
    assert quote.endswith("…")


def test_flagged_answers_are_counted_but_never_quoted():
    codebook = load_codebook(FIXTURES / "small_codebook.yaml")
    flagged = "I want to hurt myself because of the bullying at the bus stop every day."
    texts = pd.DataFrame(
        {
            "respondent_id": ["r1", "r2"],
            "question_id": ["q", "q"],
            "text": [flagged, "Bullying."],
            "language": ["en", "en"],
            "flagged": [True, False],
        }
    )
    result = summarize_themes(texts, codebook=codebook, min_theme_respondents=1).set_index(
        "theme_id"
    )
    assert result.loc["safety", "respondents"] == 2
    assert result.loc["safety", "quotes"] == ["Bullying."]
    # The bus theme was only mentioned in the flagged answer: counted, no quote.
    assert result.loc["transport", "respondents"] == 1
    assert result.loc["transport", "quotes"] == []
