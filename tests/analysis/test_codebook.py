"""The codebook: bundled themes, per-language stem matching, false friends, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.codebook import CodebookError, load_codebook, parse_codebook, scan
from analysis.textnorm import MATCH_WORD, fold, stem_words

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


def themes_of(codebook, text: str, language: str = "en") -> set[str]:
    return set(codebook.match(fold(text), language))


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
    assert themes_of(bundled, text, "es") == expected


def test_stems_plural_prefix_phrase_and_word_boundaries(small):
    # Stems: "bus" -> "buses" (a short stem matches itself and its plural), "activities".
    assert themes_of(small, "Two buses") == {"transport"}
    assert themes_of(small, "more activities please") == {"transport"}
    assert themes_of(small, "Las clases", "es") == {"transport"}
    # A phrase matches across a hyphen; "bull*" is a prefix.
    assert themes_of(small, "an after-school club") == {"transport"}
    assert themes_of(small, "stop the bullying") == {"safety"}
    # Whole words only: no "bus" in "business", no "safe" in "unsafe".
    assert themes_of(small, "my business") == set()
    assert themes_of(small, "it is unsafe") == set()
    # The Spanish keyword is written with an accent; answers without one still match.
    assert themes_of(small, "el autobus", "es") == {"transport"}


def test_hits_count_each_occurrence_once_preferring_the_phrase(small):
    # "bus stop" is one hit (the phrase), "buses" another: 2, not 3.
    assert small.match(fold("The bus stop is far and the buses are late"), "en") == {"transport": 2}


@pytest.mark.parametrize(
    ("text", "language", "wrong"),
    [
        # Spanish keywords never meet English answers, and the reverse.
        ("I missed it because of work", "en", "college"),  # es: beca*
        ("Teachers should be kinder to the kids", "en", "childcare"),  # es: kinder
        ("The arte of it", "en", "enrichment"),  # es: arte
        ("The cuentas are due", "en", "basic_needs"),  # es: cuentas
        ("Ella quiere un ride a la escuela", "es", "careers"),  # en: ride (transport only)
        ("Tengo una idea para la clase de arte", "es", "belonging"),  # en: included? no
        ("La comida es como siempre", "es", "careers"),
        ("Mi hijo se dio cuenta de que no tiene amigos", "es", "basic_needs"),  # cuentas
        ("Quiero que me den más información para mi hijo", "es", "transportation"),  # parada
        ("The rent is high in our city", "en", "teaching"),
    ],
)
def test_no_cross_language_false_friends(bundled, text, language, wrong):
    assert wrong not in themes_of(bundled, text, language)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Necesitamos becas para la universidad", "es", {"college"}),
        ("Mi hija va al kinder", "es", {"childcare"}),
        ("He was bullied twice", "en", {"safety"}),
        ("Las tutorías ayudan", "es", {"tutoring"}),
        # Spanish "para" must not match the "parada" keyword through a shared stem "par".
        ("Es para mi hijo", "es", set()),
        # "comida" stems to "com", like "como": only the word itself and its plural match.
        ("Como siempre", "es", set()),
        ("Las comidas son frías", "es", {"basic_needs"}),
    ],
)
def test_keywords_match_their_own_language_on_stems(bundled, text, language, expected):
    assert themes_of(bundled, text, language) == expected


def test_fast_match_equals_trying_every_keyword_at_every_word(bundled):
    texts = [
        ("After-school activities, buses and the bus stop", "en"),
        ("Necesitamos más tutorías y ayuda con la tarea; el autobús", "es"),
        ("wi-fi at home? no internet. Community college visits", "en"),
        ("Mi hija se siente excluida; la comunicación es mala", "es"),
        ("FAFSA help, career fairs, welding, plumbing and daycare for my little brother", "en"),
        ("", "en"),
    ]
    for text, language in texts:
        words = MATCH_WORD.findall(fold(text))
        every = {i: bundled.keywords(language) for i in range(len(words))}
        slow = scan(every, words, stem_words(words, language))
        assert bundled.match(fold(text), language) == slow


def test_unknown_language_is_a_clear_error(bundled):
    with pytest.raises(ValueError, match="'fr'"):
        bundled.match("bonjour", "fr")


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


def test_fast_match_equals_the_reference_scan_on_many_answers(bundled):
    from bench.bench_text import generate_texts

    answers = generate_texts(600, respondents=60, seed=3)
    for text, language in zip(answers["text"], answers["language"], strict=True):
        words = MATCH_WORD.findall(fold(text))
        every = {i: bundled.keywords(language) for i in range(len(words))}
        slow = scan(every, words, stem_words(words, language))
        assert bundled.match(fold(text), language) == slow, text
