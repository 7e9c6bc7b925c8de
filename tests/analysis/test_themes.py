"""summarize_themes: the theme table the packet shows, checked by hand on a small fixture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from textblob import TextBlob

from analysis.codebook import load_codebook
from analysis.sentiment_es import polarity_es
from analysis.theme_results import REMOVED
from analysis.themes import COLUMNS, MIN_THEME_RESPONDENTS, summarize_themes
from bench.bench_text import generate_texts
from bench.naive_text import naive_summarize_themes

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "text"


@pytest.fixture(scope="module")
def small():
    return load_codebook(FIXTURES / "small_codebook.yaml")


@pytest.fixture(scope="module")
def answers() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "answers.csv", keep_default_na=False)


def polarity(text: str) -> float:
    return TextBlob(text).sentiment.polarity


def test_fixture_table_matches_hand_counts(small, answers):
    result = summarize_themes(
        answers, codebook=small, min_theme_respondents=1, emergent_min_respondents=2
    )
    assert list(result.columns) == COLUMNS
    table = result.set_index("theme_id")
    # Eight respondents wrote something; r05's answer is blank.
    # safety: r02 bullied, r03 acoso, r04 bullying (flagged), r09 safe.
    # transport: r01 buses/bus stop/bus, r02 bus, r03 autobús, r08 clases (plural of clase).
    # "bus" is said by two people too, but the transport theme already counts it.
    assert list(table.index) == ["safety", "transport", "emergent:tutoring program"]
    assert list(table["respondents"]) == [4, 4, 2]
    assert list(table["share"]) == [0.5, 0.5, 0.25]
    assert list(table["kind"]) == ["deductive", "deductive", "emergent"]
    assert table.loc["safety", "theme"] == "Safety"
    # English answers are scored by PatternAnalyzer, Spanish ones by the bundled lexicon.
    assert table.loc["transport", "sentiment_n"] == 5
    assert table.loc["transport", "not_scored"] == 0
    assert table.loc["safety", "sentiment_n"] == 4
    keys = answers["question_id"] + answers["respondent_id"]
    by_respondent = dict(zip(keys, answers["text"], strict=True))
    english = [by_respondent["q1r01"], by_respondent["q2r01"], by_respondent["q1r02"]]
    spanish = [t for k, t in by_respondent.items() if k in {"q1r03", "q1r08"}]
    assert len(spanish) == 2
    expected = [polarity(t) for t in english] + [polarity_es(t) for t in spanish]
    assert table.loc["transport", "sentiment"] == pytest.approx(sum(expected) / 5)


def test_fixture_quotes_are_deidentified_unflagged_and_from_different_people(small, answers):
    table = summarize_themes(answers, codebook=small, min_theme_respondents=1).set_index("theme_id")
    safety = table.loc["safety", "quotes"]
    assert 1 <= len(safety) <= 3
    assert all("hurt myself" not in quote for quote in safety)
    assert f"{REMOVED} makes the school feel safe. Call her at {REMOVED}." in safety
    assert all("Lopez" not in quote and "555" not in quote for quote in safety)
    transport = table.loc["transport", "quotes"]
    # r01 wrote two bus answers; only the better-ranked one can be quoted.
    assert sum(quote.startswith("The bus") for quote in transport) == 1


def test_spanish_labels(small, answers):
    result = summarize_themes(answers, codebook=small, min_theme_respondents=1, language="es")
    assert result.set_index("theme_id").loc["transport", "theme"] == "Llegar a la escuela"


def test_respondents_are_counted_once_across_questions(small):
    texts = pd.DataFrame(
        {
            "respondent_id": [7, 7, 7, 8],
            "question_id": ["a", "b", "c", "a"],
            "text": ["bus", "the bus again", "bus bus bus", "no comment"],
            "language": ["en"] * 4,
            "flagged": [False] * 4,
        }
    )
    row = summarize_themes(texts, codebook=small, min_theme_respondents=1).iloc[0]
    assert (row["theme_id"], row["respondents"], row["share"]) == ("transport", 1, 0.5)
    assert row["sentiment_n"] == 3


def test_empty_input_gives_empty_frame_with_the_columns():
    for empty in (
        pd.DataFrame(columns=["respondent_id", "question_id", "text", "language", "flagged"]),
        pd.DataFrame(
            {
                "respondent_id": [1, 2],
                "question_id": ["q", "q"],
                "text": ["", None],
                "language": ["en", "es"],
                "flagged": [False, False],
            }
        ),
    ):
        result = summarize_themes(empty)
        assert result.empty
        assert list(result.columns) == COLUMNS


def test_all_spanish_input(small):
    texts = pd.DataFrame(
        {
            "respondent_id": [1, 2, 3],
            "question_id": ["q"] * 3,
            "text": ["El autobús llega tarde.", "Hay acoso en la escuela.", "Nada."],
            "language": ["es"] * 3,
            "flagged": [False] * 3,
        }
    )
    result = summarize_themes(
        texts, codebook=small, min_theme_respondents=1, language="es"
    ).set_index("theme_id")
    assert list(result.index) == ["safety", "transport"]
    assert list(result["respondents"]) == [1, 1]
    assert list(result["share"]) == [pytest.approx(1 / 3)] * 2
    # Scored by the bundled Spanish lexicon: "acoso" is negative, the bus line neutral.
    assert result.loc["safety", "sentiment"] < 0
    assert list(result["sentiment_n"]) == [1, 1]
    assert list(result["not_scored"]) == [0, 0]
    assert result.loc["safety", "quotes"] == ["Hay acoso en la escuela."]


def test_bad_arguments_get_one_line_errors(answers):
    with pytest.raises(ValueError, match=r"^language must be 'en' or 'es', not 'fr'$"):
        summarize_themes(answers, language="fr")
    with pytest.raises(ValueError, match=r"^texts is missing column\(s\): text$"):
        summarize_themes(pd.DataFrame({"respondent_id": [1]}))


def test_optimized_and_naive_paths_give_the_same_table(small, answers):
    for codebook, texts, minimum in (
        (small, answers, 2),
        (None, generate_texts(400, respondents=80, seed=3), 5),
    ):
        fast = summarize_themes(
            texts, codebook=codebook, min_theme_respondents=1, emergent_min_respondents=minimum
        )
        slow = naive_summarize_themes(
            texts, codebook=codebook, min_theme_respondents=1, emergent_min_respondents=minimum
        )
        assert len(fast) >= 3
        pd.testing.assert_frame_equal(fast, slow, check_exact=False, rtol=1e-12, atol=1e-12)


def test_two_worker_processes_give_the_same_table(monkeypatch, small, answers):
    monkeypatch.setattr("analysis.themes._PARALLEL_FROM", 0)
    one = summarize_themes(
        answers, codebook=small, min_theme_respondents=1, emergent_min_respondents=2
    )
    two = summarize_themes(
        answers, codebook=small, min_theme_respondents=1, emergent_min_respondents=2, workers=2
    )
    pd.testing.assert_frame_equal(one, two)


_SUBPROCESS = """
import json, sys
import pandas as pd
from textblob import TextBlob
from textblob.exceptions import MissingCorpusError
from analysis.codebook import load_codebook
from analysis.themes import summarize_themes
try:
    TextBlob("The bus is late.").words
    corpus = "present"
except MissingCorpusError:
    corpus = "missing"
texts = pd.read_csv(sys.argv[1], keep_default_na=False)
codebook = load_codebook(sys.argv[2])
result = summarize_themes(
    texts, codebook=codebook, min_theme_respondents=1, emergent_min_respondents=2
)
print(json.dumps({"corpus": corpus, "table": result.to_dict("list")}))
"""


def test_runs_without_any_nltk_corpus(tmp_path, small, answers):
    empty = tmp_path / "nltk_data"
    empty.mkdir()
    env = {**os.environ, "NLTK_DATA": str(empty), "HOME": str(tmp_path)}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _SUBPROCESS,
            str(FIXTURES / "answers.csv"),
            str(FIXTURES / "small_codebook.yaml"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(done.stdout)
    # The corpus-needing TextBlob attributes really fail here, and the summary still works.
    assert out["corpus"] == "missing"
    expected = summarize_themes(
        answers, codebook=small, min_theme_respondents=1, emergent_min_respondents=2
    )
    assert out["table"]["theme_id"] == list(expected["theme_id"])
    assert out["table"]["respondents"] == list(expected["respondents"])
    assert out["table"]["quotes"] == list(expected["quotes"])


def _bus_answers(people: int) -> pd.DataFrame:
    rows = [(f"r{i}", "q", f"The bus is late again, day {i}.", "en", False) for i in range(people)]
    rows += [(f"x{i}", "q", "Nothing to add.", "en", False) for i in range(10)]
    return pd.DataFrame(
        rows, columns=["respondent_id", "question_id", "text", "language", "flagged"]
    )


def test_a_theme_fewer_than_five_people_mention_is_not_shown_nor_quoted():
    assert MIN_THEME_RESPONDENTS == 5
    four = summarize_themes(_bus_answers(4))
    assert "transportation" not in set(four["theme_id"])
    assert not any("bus" in quote for quotes in four["quotes"] for quote in quotes)
    five = summarize_themes(_bus_answers(5)).set_index("theme_id")
    assert five.loc["transportation", "respondents"] == 5
    assert len(five.loc["transportation", "quotes"]) == 3


def test_the_theme_threshold_is_a_parameter():
    table = summarize_themes(_bus_answers(2), min_theme_respondents=2)
    assert "transportation" in set(table["theme_id"])
    assert summarize_themes(_bus_answers(5), min_theme_respondents=6).empty


def test_one_person_writing_becas_in_english_makes_no_college_theme():
    rows = [(f"r{i}", "q", "I came because of the teachers.", "en", False) for i in range(8)]
    texts = pd.DataFrame(
        rows, columns=["respondent_id", "question_id", "text", "language", "flagged"]
    )
    assert "college" not in set(summarize_themes(texts)["theme_id"])


# Answers whose sentences reach into each other: a keyword of two words split by a sentence
# end, a Spanish negation or "muy" just before one, an English negation or modifier before
# one, an abbreviation the sentence cutter takes for an end, line breaks.
CROSSING = [
    ("We need a late bus. Stop the fights please.", "en"),
    ("The school bus. Stop is far from home.", "en"),
    ("I wish they would call. Me and my son miss the updates.", "en"),
    ("Mi hijo quiere ayuda. Con la tarea no sabemos.", "es"),
    ("Necesitamos programa. Despues de clases hay tiempo.", "es"),
    ("No. Bueno el maestro es excelente.", "es"),
    ("La escuela es muy. Buena y tranquila.", "es"),
    ("Nunca ni. Malo. Sin. Peor.", "es"),
    ("It is not. Good teachers though.", "en"),
    ("Very. Nice staff!", "en"),
    ("Great! Bad bus. Happy kids!", "en"),
    ("My son loves Ms. Lopez because she cares. Mr. Smith is not nice.", "en"),
    ("Dr. Who? No. Not good. Never happy!", "en"),
    ("First line.\nSecond line about the bus. Stop it.", "en"),
    ("More tutoring. ", "en"),
    ("Yes. No. Maybe.", "es"),
]


def test_an_answer_put_together_from_its_sentences_equals_the_answer_analysed_whole():
    """`_analyze` caches work per sentence piece; it must give exactly what analysing the
    whole text gives, also where a keyword, a negation or a modifier crosses a sentence end
    (those answers are analysed whole) and on the benchmark's answers."""
    from analysis.themes import _analyze, _analyze_whole

    codebook = load_codebook()
    bench = generate_texts(3000, respondents=300, seed=7)
    cases = CROSSING + list(zip(bench["text"], bench["language"], strict=True))
    pieces: dict = {}
    phrases: dict = {}
    for text, declared in cases:
        for chosen in (declared, "en", "es", ""):
            whole = _analyze_whole(text, chosen, codebook, {})
            assert _analyze(text, chosen, codebook, pieces, phrases) == whole, (text, chosen)


def test_the_crossing_checks_see_what_crosses_a_sentence_end():
    from analysis.sentiment import polarity_of_runs, sentence_run
    from analysis.sentiment_es import reaches_on_es

    codebook = load_codebook()
    assert codebook.crosses(["a", "school"], ["bus", "is", "late"], "en")
    assert not codebook.crosses(["a", "school"], ["is", "late"], "en")
    assert codebook.crosses(["ayuda"], ["con", "la", "tarea"], "es")
    assert codebook.crosses(["necesito", "ayuda", "con"], ["la", "tarea"], "es")
    assert not codebook.crosses(["ayuda"], ["con", "la", "tarea"], "en")
    assert reaches_on_es(["no"]) and reaches_on_es(["no", "es", "la"])
    assert reaches_on_es(["es", "muy"]) and not reaches_on_es(["muy", "bueno"])
    not_end = sentence_run(["It is not ."])
    good = sentence_run(["Good teachers though ."])
    assert polarity_of_runs([not_end, good]) is None  # "not" reaches into "Good"
    assert polarity_of_runs([good, good]) is not None
