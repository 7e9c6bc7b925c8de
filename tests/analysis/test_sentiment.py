"""English sentiment per theme; Spanish answers are counted as not scored."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from textblob import TextBlob
from textblob.en import parser

from analysis.codebook import load_codebook
from analysis.sentiment import polarity, polarity_of_tokens
from analysis.textnorm import effective_language
from analysis.themes import summarize_themes

FIXTURES = Path(__file__).parent.parent / "fixtures" / "text"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # en-sentiment.xml: good = 0.7, the only word the lexicon knows here.
        ("The food is good.", 0.7),
        # A negation halves and flips: 0.7 * -0.5.
        ("The food is not good.", -0.35),
        # "very" has intensity 1.3: 0.7 * 1.3.
        ("The food is very good.", 0.91),
        # terrible = -1.0 in every sense.
        ("The buses are terrible.", -1.0),
        # Nothing the lexicon knows: neutral.
        ("The bus comes at seven.", 0.0),
    ],
)
def test_polarity_of_hand_checked_sentences(text, expected):
    assert polarity(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    [
        "Not bad at all! The teachers are really not helpful though.",
        "I love it :) but the bus is late",
        "Very, very good. Never bad.",
        "",
    ],
)
def test_polarity_from_shared_tokens_equals_textblob(text):
    assert polarity_of_tokens(parser.find_tokens(text)) == TextBlob(text).sentiment.polarity


@pytest.fixture
def small():
    return load_codebook(FIXTURES / "small_codebook.yaml")


def frame(rows):
    return pd.DataFrame(
        rows, columns=["respondent_id", "question_id", "text", "language", "flagged"]
    )


def test_theme_sentiment_is_the_mean_over_english_answers_only(small):
    texts = frame(
        [
            (1, "q", "The bus is good.", "en", False),  # 0.7
            (2, "q", "The bus is terrible.", "en", False),  # -1.0
            (3, "q", "El autobús es terrible y no llega.", "es", False),  # not scored
        ]
    )
    row = summarize_themes(texts, codebook=small).set_index("theme_id").loc["transport"]
    assert row["sentiment"] == pytest.approx((0.7 - 1.0) / 2)
    assert row["sentiment_n"] == 2
    assert row["not_scored"] == 1


def test_a_theme_with_only_spanish_answers_has_no_sentiment(small):
    texts = frame([(1, "q", "El autobús llega tarde.", "es", False)])
    row = summarize_themes(texts, codebook=small).iloc[0]
    assert math.isnan(row["sentiment"])
    assert row["sentiment_n"] == 0
    assert row["not_scored"] == 1


def test_spanish_written_under_an_english_choice_is_not_scored(small):
    # The respondent chose English in the bot but wrote Spanish: the stopword check wins.
    text = "El autobús de la escuela no llega y los niños tienen frío."
    assert effective_language(text, "en") == "es"
    row = summarize_themes(frame([(1, "q", text, "en", False)]), codebook=small).iloc[0]
    assert (row["sentiment_n"], row["not_scored"]) == (0, 1)


def test_the_chosen_language_decides_short_or_unclear_answers():
    assert effective_language("bus", "es") == "es"
    assert effective_language("bus", "en") == "en"
    assert effective_language("The bus is late and the driver is rude", "es") == "en"
    assert effective_language("El bus", None) == "es"
    assert effective_language("The bus", None) == "en"
