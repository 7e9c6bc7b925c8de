"""Sentence-cached tokenizing and sentiment give exactly what pattern gives on whole texts."""

from __future__ import annotations

import pytest
from textblob.en import parser

from analysis.sentences import find_sentences
from analysis.sentiment import polarity_of_sentences, polarity_of_tokens
from bench.bench_text import generate_texts
from bench.pii_corpus import load_corpus

TRICKY = [
    "Mr. Smith is great. Ms. Lopez too.",
    "We moved to the U.S. Last year was hard.",
    'She said "it is fine." Then she left.',
    "It is not. Good teachers though.",
    "Very. Good.",
    "Great program. !",
    "Tutoring program!! The bus is late?! Why...",
    "I love it (!) Really.",
    "Line one.\n\nLine two. Three.",
    "Happy :) Sad :( Ok.",
    "No. No. No.",
    "The food is not good. Bad service. Not bad either.",
    "e.g. more clubs. i.e. Sports.",
    "Ends without a stop",
    "",
]


def _answers() -> list[str]:
    bench = list(generate_texts(3000, respondents=300, seed=5)["text"])
    corpus = [str(entry["text"]) for entry in load_corpus()]
    return TRICKY + bench + corpus


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_tokenize_and_score_as_a_whole(text):
    assert find_sentences(text) == parser.find_tokens(text)
    whole = polarity_of_tokens(parser.find_tokens(text))
    assert polarity_of_sentences(find_sentences(text)) == pytest.approx(whole, abs=1e-12)


def test_many_answers_tokenize_and_score_as_a_whole():
    for text in _answers():
        sentences = parser.find_tokens(text)
        assert find_sentences(text) == sentences, text
        assert polarity_of_sentences(sentences) == pytest.approx(
            polarity_of_tokens(sentences), abs=1e-12
        ), text
