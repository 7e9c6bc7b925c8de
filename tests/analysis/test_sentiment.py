"""English sentiment per theme; Spanish answers are counted as not scored."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from textblob import TextBlob
from textblob.en import parser

from analysis.codebook import load_codebook
from analysis.sentiment import polarity, polarity_in, polarity_of_tokens
from analysis.sentiment_es import polarity_es
from analysis.sentiment_labels import (
    LABELS,
    MIXED,
    NEGATIVE,
    POSITIVE,
    describe_sentiment,
    sentiment_label,
)
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


def test_theme_sentiment_is_the_mean_over_english_and_spanish_answers(small):
    texts = frame(
        [
            (1, "q", "The bus is good.", "en", False),  # 0.7
            (2, "q", "The bus is terrible.", "en", False),  # -1.0
            (3, "q", "El autobús es terrible y no llega.", "es", False),  # lexicon: -1.0
        ]
    )
    row = (
        summarize_themes(texts, codebook=small, min_theme_respondents=1)
        .set_index("theme_id")
        .loc["transport"]
    )
    assert row["sentiment"] == pytest.approx((0.7 - 1.0 - 1.0) / 3)
    assert row["sentiment_n"] == 3
    assert row["not_scored"] == 0
    # Three toned comments, two of them negative: two thirds lean negative.
    assert row["sentiment_label"] == NEGATIVE


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("La maestra es muy buena", 1),
        ("Excelente escuela, gracias", 1),
        ("El autobús es terrible", -1),
        ("La comida no es buena", -1),  # negation flips
        ("Mi hijo tiene miedo en los pasillos", -1),
        ("No es malo", 1),
        ("El autobús pasa a las siete", 0),
    ],
)
def test_spanish_comments_are_scored_offline_by_the_bundled_lexicon(text, sign):
    score = polarity_es(text)
    assert (score > 0) - (score < 0) == sign
    assert polarity_in(text, "es") == score


def test_muy_intensifies_like_very():
    assert polarity_es("es muy buena") == pytest.approx(min(1.0, 0.7 * 1.3))


@pytest.mark.parametrize(
    ("scores", "label"),
    [
        ([0.5, 0.7, 0.3, 0.2], POSITIVE),
        ([0.5, 0.7, -0.3, 0.0, 0.0], POSITIVE),  # 2 of 3 toned lean positive
        ([-0.5, -0.7, -0.3], NEGATIVE),
        ([0.5, -0.7, 0.3, -0.4], MIXED),
        ([0.5, 0.7], None),  # too few toned comments to say
        ([0.0, 0.05, -0.05, float("nan"), 0.9], None),  # neutral and unscored do not count
        ([], None),
    ],
)
def test_sentiment_label_of_a_group(scores, label):
    assert sentiment_label(scores) == label


def test_labels_are_words_in_both_languages():
    assert describe_sentiment(POSITIVE) == "mostly positive"
    assert describe_sentiment(MIXED, "es") == "mixto"
    assert describe_sentiment(NEGATIVE, "es") == "mayormente negativo"
    assert describe_sentiment(None) == "too few to say"
    assert {describe_sentiment(label) for label in LABELS} == {
        "mostly positive",
        "mixed",
        "mostly negative",
    }
