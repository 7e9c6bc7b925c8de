"""Emergent themes: normalized noun phrases from PatternParser, counted by respondent."""

from __future__ import annotations

import pandas as pd
import pytest
from textblob.en.parsers import PatternParser

from analysis.codebook import load_codebook
from analysis.emergent import noun_phrases, parse_tokens, tokens_from_tagged
from analysis.themes import summarize_themes

STOP = frozenset({"thing", "lot", "stuff", "school", "son", "need", "want"})


def phrases(text: str) -> list[str]:
    return noun_phrases(tokens_from_tagged(PatternParser().parse(text)), STOP)


def test_phrases_are_lower_case_singular_and_without_determiners():
    assert phrases("The Tutoring Programs help.") == ["tutoring program"]
    assert phrases("We need more tutoring programs.") == ["tutoring program"]
    assert phrases("Our buses are late.") == ["bus"]
    assert phrases("The after-school tutoring program helps a lot.") == ["tutoring program"]


def test_stop_phrases_pronouns_and_names_are_dropped():
    assert phrases("I like this stuff and a lot of things at school.") == []
    assert phrases("My son loves it.") == []
    # A phrase holding a name would publish the name in the theme table.
    assert phrases("Mr. Smith is great.") == []
    # The lexicon knows "Maria" and "Free" as proper nouns: dropped even where that is
    # wrong, because a first name in the packet is the worse mistake.
    assert phrases("Maria helps.") == []
    assert phrases("Free breakfast!") == []


def test_long_chunks_keep_their_last_three_words():
    # The pattern chunker reads "need" as a noun here and makes one long chunk.
    assert phrases("Our kids need mental health support.") == ["mental health support"]


def test_shared_tokens_give_the_same_phrases_as_the_tagged_string():
    from textblob.en import parser

    text = "The school buses and the lunch menu. We want free breakfast for the kids!"
    direct = noun_phrases(parse_tokens(parser.find_tokens(text)), STOP)
    assert direct == phrases(text)
    # "kid" alone is a generic word: it never labels a theme.
    assert direct == ["school bus", "lunch menu", "free breakfast"]


def texts(rows):
    return pd.DataFrame(
        rows, columns=["respondent_id", "question_id", "text", "language", "flagged"]
    )


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def test_emergent_phrases_are_counted_by_respondent_not_mention(codebook):
    answers = texts(
        [
            # Respondent 1 says it three times across two answers: still one respondent.
            (1, "q1", "The water fountain is good. I love the water fountain.", "en", False),
            (1, "q2", "More water fountains!", "en", False),
            (2, "q1", "The water fountain helped us.", "en", False),
            (3, "q1", "Nothing to add.", "en", False),
        ]
    )
    result = summarize_themes(
        answers, codebook=codebook, min_theme_respondents=1, emergent_min_respondents=2
    )
    emergent = result[result["kind"] == "emergent"].set_index("theme_id")
    assert list(emergent.index) == ["emergent:water fountain"]
    row = emergent.loc["emergent:water fountain"]
    assert row["respondents"] == 2
    assert row["share"] == pytest.approx(2 / 3)
    assert row["theme"] == "water fountain"
    # Each English answer with the phrase is scored once: three answers.
    assert row["sentiment_n"] == 3


def test_phrases_below_the_minimum_and_beyond_the_top_n_are_left_out(codebook):
    rows = []
    for respondent in range(6):
        rows.append((respondent, "q", "The locker room is dirty.", "en", False))
    for respondent in range(4):
        rows.append((respondent, "q", "The gym floor is old.", "en", False))
    rows.append((9, "q", "The parking lot is full.", "en", False))
    result = summarize_themes(
        texts(rows), codebook=codebook, min_theme_respondents=1, emergent_min_respondents=4
    )
    emergent = result[result["kind"] == "emergent"]
    assert list(emergent["theme_id"]) == ["emergent:locker room", "emergent:gym floor"]
    assert list(emergent["respondents"]) == [6, 4]
    top_one = summarize_themes(
        texts(rows),
        codebook=codebook,
        min_theme_respondents=1,
        emergent_min_respondents=4,
        emergent_top=1,
    )
    assert list(top_one[top_one["kind"] == "emergent"]["theme_id"]) == ["emergent:locker room"]


def test_phrases_a_codebook_theme_already_covers_are_not_emergent(codebook):
    # "tutoring program" and "lunch menu" are what the codebook's tutoring and food
    # themes already count; only the uncovered phrase is news.
    rows = []
    for respondent in range(5):
        rows.append((respondent, "q", "The tutoring program is great.", "en", False))
        rows.append((respondent, "q2", "The lunch menu is short.", "en", False))
        rows.append((respondent, "q3", "The front office is slow.", "en", False))
    result = summarize_themes(
        texts(rows), codebook=codebook, min_theme_respondents=1, emergent_min_respondents=2
    )
    emergent = result[result["kind"] == "emergent"]
    assert list(emergent["theme_id"]) == ["emergent:front office"]
    deductive = set(result.loc[result["kind"] == "deductive", "theme_id"])
    assert {"tutoring", "basic_needs"} <= deductive


def test_spanish_answers_do_not_produce_emergent_phrases(codebook):
    rows = [(r, "q", "El menú del almuerzo es largo.", "es", False) for r in range(8)]
    result = summarize_themes(
        texts(rows), codebook=codebook, min_theme_respondents=1, emergent_min_respondents=1
    )
    assert (result["kind"] == "deductive").all()


@pytest.mark.parametrize("word", ["nobody", "work", "home", "thing", "school", "everyone"])
def test_generic_single_words_never_label_an_emergent_theme(codebook, word):
    rows = [(i, f"q{i}", f"The {word} is the problem.", "en", False) for i in range(8)]
    result = summarize_themes(texts(rows), codebook=codebook, emergent_min_respondents=2)
    assert f"emergent:{word}" not in set(result["theme_id"])


def test_a_specific_phrase_still_emerges(codebook):
    rows = [(i, "q", "The parking lot lights are broken.", "en", False) for i in range(6)]
    result = summarize_themes(texts(rows), codebook=codebook)
    assert any(t.startswith("emergent:") and "light" in t for t in result["theme_id"])
