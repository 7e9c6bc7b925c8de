"""The survey loader: fixtures load, and every broken file gives one exact line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from surveys.definition import QuestionType
from surveys.loader import (
    SurveyDefinitionError,
    builtin_survey,
    builtin_survey_paths,
    builtin_surveys,
    load_scale_library,
    load_survey_file,
    parse_survey,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "surveys"
SOURCE = "fixture-full.yaml"


def _valid() -> dict[str, Any]:
    return yaml.safe_load((FIXTURES / "valid-full.yaml").read_text(encoding="utf-8"))


def _question(data: dict[str, Any], question_id: str) -> dict[str, Any]:
    return next(q for q in data["questions"] if q["id"] == question_id)


def _error(mutate: Callable[[dict[str, Any]], object]) -> str:
    """The one-line message for the valid fixture after `mutate`."""
    data = _valid()
    mutate(data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    with pytest.raises(SurveyDefinitionError) as caught:
        parse_survey(text, source=SOURCE)
    message = str(caught.value)
    assert "\n" not in message
    return message


# ------------------------------------------------------------------ happy path


def test_full_fixture_loads_with_every_field() -> None:
    survey = load_survey_file(FIXTURES / "valid-full.yaml")

    assert survey.id == "fixture-full"
    assert survey.version == "2"
    assert survey.audience == "any"
    assert survey.languages == ("en", "es")
    assert [q.id for q in survey.questions] == ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]
    assert [q.type for q in survey.questions] == [
        QuestionType.LIKERT,
        QuestionType.LIKERT,
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTI_CHOICE,
        QuestionType.NUMBER,
        QuestionType.YES_NO,
        QuestionType.TEXT,
    ]
    q2 = survey.question("q2")
    assert q2.reverse and q2.not_sure and q2.scale == "how_fun"
    q3 = survey.question("q3")
    assert q3.required and q3.favorable == ("a",)
    assert [o.id for o in q3.options] == ["a", "b", "unsure"]
    assert q3.options[2].not_sure
    assert q3.options[1].label == {"en": "Banana", "es": "Plátano"}
    q4 = survey.question("q4")
    assert q4.other and q4.show_if == "q3 == a"
    q5 = survey.question("q5")
    assert (q5.min, q5.max, q5.integer) == (0, 10, True)
    assert survey.question("q6").favorable == ("yes",)
    assert survey.question("q7").max_length == 200
    assert survey.question("q1").mirror == "known_as_person"


def test_scales_used_are_copied_in_and_nothing_else() -> None:
    survey = load_survey_file(FIXTURES / "valid-full.yaml")

    # how_well from the shared library, how_fun from the file; no other library scale.
    assert set(survey.scales) == {"how_well", "how_fun"}
    assert survey.scales["how_fun"]["es"][4] == "Súper divertido"
    assert survey.scale_labels(survey.question("q1"), "en") == (
        "Not at all well",
        "Slightly well",
        "Somewhat well",
        "Quite well",
        "Extremely well",
    )


def test_pinned_library_scales_keep_only_the_survey_languages() -> None:
    survey = load_survey_file(FIXTURES / "valid-minimal.yaml")
    assert survey.scales == {}

    data = yaml.safe_load((FIXTURES / "valid-minimal.yaml").read_text(encoding="utf-8"))
    likert = {"id": "l1", "type": "likert", "domain": "belonging", "scale": "how_often"}
    data["questions"].append({**likert, "text": {"en": "How often?"}})
    english_only = parse_survey(yaml.safe_dump(data), source="minimal.yaml")
    assert english_only.scales == {
        "how_often": {
            "en": ("Almost never", "Once in a while", "Sometimes", "Often", "Almost always")
        }
    }


def test_own_scale_overrides_the_library_one_of_the_same_name() -> None:
    data = _valid()
    data["scales"]["how_well"] = {"en": list("ABCDE"), "es": list("VWXYZ")}
    survey = parse_survey(yaml.safe_dump(data, allow_unicode=True), source=SOURCE)
    assert survey.scales["how_well"]["en"] == ("A", "B", "C", "D", "E")


def test_a_default_value_on_another_type_is_tolerated() -> None:
    data = _valid()
    _question(data, "q3")["reverse"] = False  # says nothing, so it is not an error
    survey = parse_survey(yaml.safe_dump(data, allow_unicode=True), source=SOURCE)
    assert survey.question("q3").reverse is False


def test_a_custom_scale_library_can_be_passed() -> None:
    data = _valid()
    _question(data, "q1")["scale"] = "stars"
    library = {"stars": {"en": ("1", "2", "3", "4", "5"), "es": ("1", "2", "3", "4", "5")}}
    survey = parse_survey(
        yaml.safe_dump(data, allow_unicode=True), source=SOURCE, scale_library=library
    )
    assert set(survey.scales) == {"stars", "how_fun"}


def test_version_hash_is_stable_across_loads_and_follows_the_text() -> None:
    path = FIXTURES / "valid-full.yaml"
    first, second = load_survey_file(path), load_survey_file(path)
    assert first.version_hash == second.version_hash
    assert len(first.version_hash) == 16

    edited = path.read_text(encoding="utf-8").replace("How fun is recess?", "How fun is lunch?")
    changed = parse_survey(edited, source=path.name)
    assert changed.version_hash != first.version_hash


def test_builtin_paths_are_the_three_surveys_without_the_scale_library() -> None:
    names = [p.name for p in builtin_survey_paths()]
    assert names == [
        "caregiver-belonging.yaml",
        "student-aspirations.yaml",
        "student-belonging.yaml",
    ]
    assert [s.id for s in builtin_surveys()] == [
        "caregiver-belonging",
        "student-aspirations",
        "student-belonging",
    ]
    assert builtin_survey("student-belonging").audience == "student"
    with pytest.raises(KeyError, match="no built-in survey 'nope'"):
        builtin_survey("nope")


# ------------------------------------------------------------------ scale library


def test_scale_library_has_five_labels_per_language() -> None:
    library = load_scale_library()
    assert {"how_well", "how_often", "how_much", "how_true", "how_easy"} <= set(library)
    assert {"how_confident", "how_clear", "how_respectful", "how_welcome", "how_likely"} <= set(
        library
    )
    for name, labels in library.items():
        assert set(labels) == {"en", "es"}, name
        for language, five in labels.items():
            assert len(five) == 5, (name, language)
            assert len(set(five)) == 5, (name, language)
    assert library["how_often"]["es"] == (
        "Casi nunca",
        "De vez en cuando",
        "A veces",
        "Con frecuencia",
        "Casi siempre",
    )


def test_scale_library_result_is_a_copy() -> None:
    library = load_scale_library()
    library["how_well"]["en"] = ("changed",)
    assert load_scale_library()["how_well"]["en"][0] == "Not at all well"


def test_broken_scale_library_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "scales.yaml"
    path.write_text("how_well:\n  en: [a, b, c]\n", encoding="utf-8")
    with pytest.raises(SurveyDefinitionError) as caught:
        load_scale_library(path)
    assert str(caught.value) == "scales.yaml: scale how_well: needs exactly 5 labels in 'en', has 3"


# ------------------------------------------------------------------ file-level errors


def test_malformed_yaml_names_the_line() -> None:
    with pytest.raises(SurveyDefinitionError) as caught:
        load_survey_file(FIXTURES / "broken-syntax.yaml")
    assert str(caught.value) == (
        "broken-syntax.yaml: line 4: invalid YAML: expected ',' or '}', but got ':'"
    )
    assert caught.value.line == 4


def test_duplicate_yaml_key_is_an_error_not_a_silent_overwrite() -> None:
    with pytest.raises(SurveyDefinitionError) as caught:
        load_survey_file(FIXTURES / "broken-duplicate-key.yaml")
    assert str(caught.value) == (
        "broken-duplicate-key.yaml: line 4: invalid YAML: duplicate key 'audience'"
    )


def test_yaml_merge_keys_are_not_mistaken_for_duplicates() -> None:
    data = _valid()
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    text = "base: &base {en: Hello., es: Hola.}\n" + text.replace(
        "intro:\n  en: Hello.\n  es: Hola.\n", "intro:\n  <<: *base\n"
    )
    assert "<<: *base" in text
    with pytest.raises(SurveyDefinitionError) as caught:
        parse_survey(text, source=SOURCE)
    # The merge itself is fine; the leftover anchor key is what the survey rejects.
    assert str(caught.value) == "fixture-full.yaml: unknown field 'base'"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "\tid: x",
            "y.yaml: line 1: invalid YAML: found character '\\t' that cannot start any token",
        ),
        ("a: b\n  c: d", "y.yaml: line 2: invalid YAML: mapping values are not allowed here"),
        (
            "!!python/object/apply:os.system [echo hacked]",
            "y.yaml: line 1: invalid YAML: could not determine a constructor for the tag"
            " 'tag:yaml.org,2002:python/object/apply:os.system'",
        ),
    ],
)
def test_yaml_errors_are_one_line_and_never_run_code(text: str, expected: str) -> None:
    with pytest.raises(SurveyDefinitionError) as caught:
        parse_survey(text, source="y.yaml")
    assert str(caught.value) == expected


def test_file_that_is_not_a_mapping() -> None:
    with pytest.raises(SurveyDefinitionError) as caught:
        load_survey_file(FIXTURES / "broken-not-mapping.yaml")
    assert str(caught.value) == (
        "broken-not-mapping.yaml: a survey file must be a mapping of fields (id, title, ...),"
        " found a list"
    )


def test_empty_file() -> None:
    with pytest.raises(SurveyDefinitionError) as caught:
        parse_survey("", source="empty.yaml")
    assert str(caught.value) == (
        "empty.yaml: a survey file must be a mapping of fields (id, title, ...), found nothing"
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SurveyDefinitionError) as caught:
        load_survey_file(tmp_path / "gone.yaml")
    assert str(caught.value) == "gone.yaml: file not found"


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: {es: Año}".encode("latin-1"))
    with pytest.raises(SurveyDefinitionError) as caught:
        load_survey_file(path)
    assert str(caught.value) == "latin1.yaml: not UTF-8 text; save it as UTF-8"


def test_show_if_fixture_names_file_question_and_reason() -> None:
    with pytest.raises(SurveyDefinitionError) as caught:
        load_survey_file(FIXTURES / "broken-show-if.yaml")
    error = caught.value
    assert str(error) == "broken-show-if.yaml: question b3: show_if names unknown question 'b9'"
    assert (error.source, error.question) == ("broken-show-if.yaml", "b3")
    assert error.reason == "show_if names unknown question 'b9'"
    assert isinstance(error, ValueError)


# ------------------------------------------------------------------ field errors

E = "fixture-full.yaml: "

FIELD_ERRORS: list[tuple[str, Callable[[dict[str, Any]], object], str]] = [
    ("missing field", lambda d: d.pop("thanks"), E + "missing field 'thanks'"),
    ("extra field", lambda d: d.update(titel={"en": "x"}), E + "unknown field 'titel'"),
    (
        "extra question field",
        lambda d: _question(d, "q1").update(colour="red"),
        E + "question q1: unknown field 'colour'",
    ),
    (
        "missing question field",
        lambda d: _question(d, "q1").pop("text"),
        E + "question q1: missing field 'text'",
    ),
    (
        "question without id",
        lambda d: _question(d, "q7").pop("id"),
        E + "question #7: missing field 'id'",
    ),
    (
        "unknown type",
        lambda d: _question(d, "q1").update(type="rating"),
        E + "question q1: unknown type 'rating'"
        " (use one of: likert, single_choice, multi_choice, text, number, yes_no)",
    ),
    (
        "audience",
        lambda d: d.update(audience="teacher"),
        E + "audience must be student, caregiver or any, not 'teacher'",
    ),
    (
        "bad question id",
        lambda d: _question(d, "q1").update(id="Q1"),
        E + "question Q1: 'id' 'Q1' must be lowercase letters, digits and _,"
        " starting with a letter (at most 16)",
    ),
    (
        "question id too long",
        lambda d: _question(d, "q7").update(id="a_very_long_question"),
        E + "question a_very_long_question: 'id' 'a_very_long_question' must be lowercase"
        " letters, digits and _, starting with a letter (at most 16)",
    ),
    (
        "yaml yes as a label",
        lambda d: _question(d, "q3")["options"][0]["label"].update(en=True),
        E + "question q3: option a: 'label.en' must be text, not yes/no; put it in quotes",
    ),
    (
        "version as a number",
        lambda d: d.update(version=1),
        E + "'version' must be text, not 1; put it in quotes",
    ),
    (
        "text not a mapping",
        lambda d: _question(d, "q1").update(text="Hello"),
        E + "question q1: 'text' must map each language to its text, e.g. {en: ..., es: ...}",
    ),
    (
        "question not a mapping",
        lambda d: d["questions"].append("q8"),
        E + "question #8: question must be a mapping of fields, not 'q8'",
    ),
    (
        "option not a mapping",
        lambda d: _question(d, "q3")["options"].append("c"),
        E + "question q3: option #4 must be a mapping of fields, not 'c'",
    ),
    (
        "required not a boolean",
        lambda d: _question(d, "q1").update(required="maybe"),
        E + "question q1: 'required' must be true or false, not 'maybe'",
    ),
    (
        "min not a number",
        lambda d: _question(d, "q5").update(min="few"),
        E + "question q5: 'min' must be a number, not 'few'",
    ),
    (
        "empty type",
        lambda d: _question(d, "q3").update(type=None),
        E + "question q3: type is empty"
        " (use one of: likert, single_choice, multi_choice, text, number, yes_no)",
    ),
    (
        "languages not a list",
        lambda d: d.update(languages="en"),
        E + "'languages' must be a list",
    ),
    (
        "yaml yes as a language key",
        lambda d: _question(d, "q3")["options"][0].update(label={True: "x", "es": "y"}),
        E + "question q3: option a: 'label' has a key that is not text (yes/no); put it in quotes",
    ),
    (
        "questions not a list",
        lambda d: d.update(questions={"a": 1}),
        E + "'questions' must be a list",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(m, e, id=name) for name, m, e in FIELD_ERRORS],
)
def test_field_errors_are_one_line(
    mutate: Callable[[dict[str, Any]], object], expected: str
) -> None:
    assert _error(mutate) == expected


# ------------------------------------------------------------------ semantic errors


def _drop_options_after_first(d: dict[str, Any]) -> None:
    del _question(d, "q3")["options"][1:]


SEMANTIC_ERRORS: list[tuple[str, Callable[[dict[str, Any]], object], str]] = [
    (
        "duplicate question id",
        lambda d: _question(d, "q2").update(id="q1"),
        E + "question q1: duplicate question id; each question needs its own id",
    ),
    (
        "duplicate option id",
        lambda d: _question(d, "q3")["options"][1].update(id="a"),
        E + "question q3: duplicate option id 'a'",
    ),
    (
        "show_if does not parse",
        lambda d: _question(d, "q4").update(show_if="q3 = a"),
        E + "question q4: show_if: unexpected character '=' at position 3",
    ),
    (
        "show_if unknown question",
        lambda d: _question(d, "q4").update(show_if="q9 == a"),
        E + "question q4: show_if names unknown question 'q9'",
    ),
    (
        "show_if later question",
        lambda d: _question(d, "q4").update(show_if="q6 == yes"),
        E + "question q4: show_if names question 'q6', which comes later",
    ),
    (
        "show_if itself",
        lambda d: _question(d, "q4").update(show_if="q4 == x"),
        E + "question q4: show_if names the question itself",
    ),
    (
        "show_if misspelt option",
        lambda d: _question(d, "q4").update(show_if="q3 == apple"),
        E + "question q4: show_if compares 'q3' with 'apple',"
        " which is not one of its answers (a, b, unsure)",
    ),
    (
        "show_if number against a word",
        lambda d: _question(d, "q6").update(show_if="q5 == lots"),
        E + "question q6: show_if compares number question 'q5' with 'lots', which is not a number",
    ),
    (
        "show_if ordering on a choice",
        lambda d: _question(d, "q4").update(show_if="q3 > 2"),
        E + "question q4: show_if uses > on 'q3', a single_choice question;"
        " use it on number or likert questions",
    ),
    (
        "likert without scale",
        lambda d: _question(d, "q1").pop("scale"),
        E + "question q1: likert question needs a scale, e.g. scale: how_well",
    ),
    (
        "unknown scale",
        lambda d: _question(d, "q1").update(scale="how_wel"),
        E + "question q1: unknown scale 'how_wel' (not in scales.yaml or the survey's scales)",
    ),
    (
        "own scale with four labels",
        lambda d: d["scales"]["how_fun"]["es"].pop(),
        E + "scale how_fun: needs exactly 5 labels in 'es', has 4",
    ),
    (
        "own scale with six labels",
        lambda d: d["scales"]["how_fun"]["en"].append("Mega fun"),
        E + "scale how_fun: needs exactly 5 labels in 'en', has 6",
    ),
    (
        "own scale missing a language",
        lambda d: d["scales"]["how_fun"].pop("es"),
        E + "scale how_fun: missing the 'es' labels",
    ),
    (
        "own scale with an extra language",
        lambda d: d["scales"]["how_fun"].update(fr=list("abcde")),
        E + "scale how_fun: language 'fr' is not in languages (en, es)",
    ),
    (
        "choice with one option",
        _drop_options_after_first,
        E + "question q3: single_choice question needs at least 2 options",
    ),
    (
        "options on likert",
        lambda d: _question(d, "q1").update(options=[{"id": "a", "label": {"en": "A"}}]),
        E + "question q1: 'options' is only for single_choice and multi_choice questions,"
        " not likert",
    ),
    (
        "other on single choice",
        lambda d: _question(d, "q3").update(other=True),
        E + "question q3: 'other' is only for multi_choice questions, not single_choice",
    ),
    (
        "option id other with other true",
        lambda d: _question(d, "q4")["options"][1].update(id="other"),
        E + "question q4: option id 'other' is taken by other: true; rename the option",
    ),
    (
        "number min above max",
        lambda d: _question(d, "q5").update(min=11),
        E + "question q5: min (11) is greater than max (10)",
    ),
    (
        "reverse on choice",
        lambda d: _question(d, "q3").update(reverse=True),
        E + "question q3: 'reverse' is only for likert questions, not single_choice",
    ),
    (
        "not_sure on number",
        lambda d: _question(d, "q5").update(not_sure=True),
        E + "question q5: 'not_sure' is only for likert questions, not number",
    ),
    (
        "scale on text",
        lambda d: _question(d, "q7").update(scale="how_well"),
        E + "question q7: 'scale' is only for likert questions, not text",
    ),
    (
        "favorable unknown option",
        lambda d: _question(d, "q3").update(favorable=["c"]),
        E + "question q3: favorable names unknown option 'c'",
    ),
    (
        "favorable on yes_no must be yes or no",
        lambda d: _question(d, "q6").update(favorable=["maybe"]),
        E + "question q6: favorable names unknown option 'maybe'",
    ),
    (
        "missing title translation",
        lambda d: d["title"].pop("es"),
        E + "title is missing the 'es' translation",
    ),
    (
        "missing intro translation",
        lambda d: d["intro"].pop("en"),
        E + "intro is missing the 'en' translation",
    ),
    (
        "missing consent translation",
        lambda d: d["consent"].pop("es"),
        E + "consent is missing the 'es' translation",
    ),
    (
        "missing thanks translation",
        lambda d: d["thanks"].pop("es"),
        E + "thanks is missing the 'es' translation",
    ),
    (
        "missing question translation",
        lambda d: _question(d, "q2")["text"].pop("es"),
        E + "question q2: text is missing the 'es' translation",
    ),
    (
        "missing option translation",
        lambda d: _question(d, "q3")["options"][0]["label"].pop("es"),
        E + "question q3: option a label is missing the 'es' translation",
    ),
    (
        "blank translation",
        lambda d: _question(d, "q7")["text"].update(es="  "),
        E + "question q7: text is empty in 'es'",
    ),
    (
        "language not in languages",
        lambda d: _question(d, "q2")["text"].update(fr="Quoi ?"),
        E + "question q2: text has language 'fr', which is not in languages (en, es)",
    ),
    (
        "title in an unlisted language",
        lambda d: d["title"].update(de="Umfrage"),
        E + "title has language 'de', which is not in languages (en, es)",
    ),
    (
        "library scale lacking a survey language",
        lambda d: (d["languages"].append("fr"), _add_french(d)),
        E + "question q1: scale 'how_well' is missing the 'fr' labels",
    ),
    ("empty questions", lambda d: d.update(questions=[]), E + "the survey has no questions"),
    (
        "blank version",
        lambda d: d.update(version=" "),
        E + 'version must be 1 to 40 characters, e.g. "1.0"',
    ),
    (
        "title too long for the survey table",
        lambda d: d["title"].update(es="x" * 201),
        E + "title has 201 characters in 'es'; the limit is 200",
    ),
    (
        "question text too long for a message",
        lambda d: _question(d, "q7")["text"].update(en="y" * 3001),
        E + "question q7: text has 3001 characters in 'en'; the limit is 3000",
    ),
    (
        "no languages",
        lambda d: d.update(languages=[]),
        E + "languages is empty; list at least one, e.g. [en, es]",
    ),
    (
        "language listed twice",
        lambda d: d.update(languages=["en", "es", "en"]),
        E + "languages lists a language twice (en, es, en)",
    ),
    (
        "not a language code",
        lambda d: d.update(languages=["en", "Spanish"]),
        E + "languages: 'Spanish' is not a language code like en or es",
    ),
    (
        "own scale not a mapping of languages",
        lambda d: d["scales"].update(how_fun=["a"]),
        E + "scale how_fun: must map each language to its 5 labels",
    ),
    (
        "own scale with a blank label",
        lambda d: d["scales"]["how_fun"]["en"].__setitem__(0, " "),
        E + "scale how_fun: every label in 'en' must be non-empty text",
    ),
    (
        "integer on text",
        lambda d: _question(d, "q7").update(integer=False),
        E + "question q7: 'integer' is only for number questions, not text",
    ),
    (
        "max_length on number",
        lambda d: _question(d, "q5").update(max_length=10),
        E + "question q5: 'max_length' is only for text questions, not number",
    ),
    (
        "mirror used twice",
        lambda d: _question(d, "q2").update(mirror="known_as_person"),
        E + "question q2: mirror 'known_as_person' is also used by question q1",
    ),
    (
        "bad domain",
        lambda d: _question(d, "q6").update(domain="Open Text"),
        E + "question q6: domain 'Open Text' must be lowercase letters, digits and _",
    ),
]


def _add_french(data: dict[str, Any]) -> None:
    """Translate everything the file holds into French, so only the library scale lacks it."""
    for field in ("title", "intro", "consent", "thanks"):
        data[field]["fr"] = "fr"
    data["scales"]["how_fun"]["fr"] = list("abcde")
    for question in data["questions"]:
        question["text"]["fr"] = "fr"
        for option in question.get("options", []):
            option["label"]["fr"] = "fr"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(m, e, id=name) for name, m, e in SEMANTIC_ERRORS],
)
def test_semantic_errors_are_one_line(
    mutate: Callable[[dict[str, Any]], object], expected: str
) -> None:
    assert _error(mutate) == expected


def test_error_messages_never_carry_pydantic_dumps() -> None:
    for _, mutate, _expected in FIELD_ERRORS:
        message = _error(mutate)
        assert "validation error" not in message
        assert "pydantic" not in message
        assert "input_value" not in message
