"""The codebook: bundled themes, English and Spanish matching rules, one-line errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.codebook import CodebookError, keyword_pattern, load_codebook, parse_codebook
from analysis.textnorm import fold

FIXTURES = Path(__file__).parent.parent / "fixtures" / "text"
THEMES = {
    "belonging",
    "safety",
    "teaching",
    "communication",
    "technology",
    "transportation",
    "childcare",
    "basic_needs",
    "health",
    "tutoring",
    "enrichment",
    "college",
    "careers",
    "trades",
}


@pytest.fixture(scope="module")
def bundled():
    return load_codebook()


@pytest.fixture(scope="module")
def small():
    return load_codebook(FIXTURES / "small_codebook.yaml")


def themes_of(codebook, text: str) -> set[str]:
    return set(codebook.match(fold(text)))


def test_bundled_codebook_has_the_fourteen_themes_with_both_labels(bundled):
    assert {theme.id for theme in bundled.themes} == THEMES
    for theme in bundled.themes:
        assert theme.label("en") and theme.label("es")
        assert theme.keywords["en"] and theme.keywords["es"]
    assert bundled.theme("safety").label("es") == "Seguridad y acoso"
    # Labels with commas must survive YAML's flow mappings whole.
    assert bundled.theme("enrichment").label("en") == "Enrichment (arts, sports, clubs)"
    assert bundled.theme("enrichment").label("es") == "Actividades (artes, deportes, clubes)"
    assert {"thing", "lot", "stuff"} <= bundled.stop_phrases


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The buses are always late", {"transportation"}),
        ("My son was bullied at lunch", {"safety", "basic_needs"}),
        ("We need after-school activities like soccer", {"enrichment"}),
        ("Please send the newsletter in Spanish", {"communication"}),
        ("He wants to be an electrician", {"trades"}),
        ("Help with the FAFSA and scholarships", {"college"}),
        ("I sat down and it was fine", set()),
    ],
)
def test_bundled_codebook_matches_english(bundled, text, expected):
    assert themes_of(bundled, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Necesitamos más tutorías", {"tutoring"}),
        ("Necesitamos mas tutorias", {"tutoring"}),
        ("La COMUNICACIÓN con la escuela", {"communication"}),
        ("Mi hija necesita una computadora", {"technology"}),
        ("El autobús llega tarde", {"transportation"}),
        ("Hay mucho acoso y peleas", {"safety"}),
        ("Guardería para los hermanitos", {"childcare"}),
    ],
)
def test_bundled_codebook_matches_spanish_with_or_without_accents(bundled, text, expected):
    assert themes_of(bundled, text) == expected


def test_plural_prefix_phrase_and_word_boundaries(small):
    # Plain keywords take a simple plural; "activity" -> "activities".
    assert themes_of(small, "Two buses") == {"transport"}
    assert themes_of(small, "more activities please") == {"transport"}
    assert themes_of(small, "Las clases") == {"transport"}
    # A phrase matches across a hyphen; "bull*" is a prefix.
    assert themes_of(small, "an after-school club") == {"transport"}
    assert themes_of(small, "stop the bullying") == {"safety"}
    # Whole words only: no "bus" in "business", no "safe" in "unsafe".
    assert themes_of(small, "my business") == set()
    assert themes_of(small, "it is unsafe") == set()
    # The Spanish keyword is written with an accent; answers without one still match.
    assert themes_of(small, "el autobus") == {"transport"}


def test_hits_count_each_occurrence_once_preferring_the_phrase(small):
    # "bus stop" is one hit (the phrase), "buses" another: 2, not 3.
    assert small.match(fold("The bus stop is far and the buses are late")) == {"transport": 2}


def test_fast_match_equals_trying_every_keyword(bundled):
    texts = [
        "After-school activities, buses and the bus stop",
        "Necesitamos más tutorías y ayuda con la tarea; el autobús",
        "wi-fi at home? no internet. Community college visits",
        "Mi hija se siente excluida; la comunicación es mala",
        "FAFSA help, career fairs, welding, plumbing and daycare for my little brother",
        "",
    ]
    for text in texts:
        folded = fold(text)
        slow = {
            theme.id
            for theme in bundled.themes
            for keyword in theme.all_keywords()
            if re.search(keyword_pattern(keyword), folded)
        }
        assert set(bundled.match(folded)) == slow


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_THEME = "- id: a\n  label: {en: A, es: A}\n  keywords: {en: [bus], es: []}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("themes: [\n", "mine.yaml: not valid YAML at line"),
        ("- just a list\n", "mine.yaml: expected a mapping"),
        ("themes: []\n", "mine.yaml: 'themes' must be a non-empty list"),
        ("themes:\n" + GOOD_THEME + GOOD_THEME, "mine.yaml: theme id 'a' is used twice"),
        ("themes:\n- label: {en: A, es: A}\n  keywords: {en: [bus]}\n", "theme 1 needs an 'id'"),
        ("themes:\n- id: a\n  label: {en: A}\n  keywords: {en: [bus]}\n", "needs a label in en"),
        ("themes:\n- id: a\n  label: {en: A, es: A}\n  keywords: {en: []}\n", "has no keywords"),
        ("themes:\n- id: a\n  label: {en: A, es: A}\n  keywords: {en: [3]}\n", "not text: 3"),
        ("themes:\n- id: a\n  label: {en: A, es: A}\n  keywords: {en: [b*s]}\n", "'*' only"),
        ("themes:\n- id: a\n  label: {en: A, es: A}\n  keywords: {fr: [bus]}\n", "'fr'"),
        ("themes:\n" + GOOD_THEME + "emergent: {stop_phrases: thing}\n", "stop_phrases"),
    ],
)
def test_malformed_codebook_gives_one_line_error_naming_the_file(tmp_path, text, message):
    with pytest.raises(CodebookError) as caught:
        load_codebook(write(tmp_path, text))
    assert message in str(caught.value)
    assert str(caught.value).startswith("mine.yaml: ")
    assert "\n" not in str(caught.value)


def test_missing_file_is_a_one_line_error(tmp_path):
    with pytest.raises(CodebookError, match=r"^nowhere\.yaml: file not found$"):
        load_codebook(tmp_path / "nowhere.yaml")


def test_parse_codebook_from_text_keeps_stop_phrases_lower_case():
    codebook = parse_codebook("themes:\n" + GOOD_THEME + "emergent: {stop_phrases: [Lot]}\n")
    assert codebook.stop_phrases == frozenset({"lot"})
