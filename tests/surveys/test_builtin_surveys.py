"""The three built-in surveys: complete, bilingual, short, mirrored and phone-sized."""

from __future__ import annotations

import re

import pytest

from surveys.conditions import parse_condition
from surveys.definition import CHOICE_TYPES, QuestionType, Survey
from surveys.loader import builtin_survey, builtin_survey_paths, load_survey_file, parse_survey

SURVEY_IDS = ["student-belonging", "caregiver-belonging", "student-aspirations"]
CALLBACK_LIMIT = 64
"""Telegram's callback data limit, in bytes."""
LONGEST_CAMPAIGN_CODE = "x" * 16
"""`new_campaign_code()` gives 16 URL-safe characters."""


@pytest.fixture(params=SURVEY_IDS)
def survey(request: pytest.FixtureRequest) -> Survey:
    return builtin_survey(request.param)


def _texts(survey: Survey) -> list[tuple[str, dict[str, str]]]:
    """Every localized text of a survey, with where it is."""
    found = [(field, getattr(survey, field)) for field in ("title", "intro", "consent", "thanks")]
    for q in survey.questions:
        found.append((q.id, q.text))
        found.extend((f"{q.id}.{o.id}", o.label) for o in q.options)
    return found


def test_every_builtin_file_loads_by_path() -> None:
    loaded = {load_survey_file(path).id for path in builtin_survey_paths()}
    assert loaded == set(SURVEY_IDS)


def test_audiences() -> None:
    assert builtin_survey("student-belonging").audience == "student"
    assert builtin_survey("student-aspirations").audience == "student"
    assert builtin_survey("caregiver-belonging").audience == "caregiver"


def test_english_and_spanish_everywhere(survey: Survey) -> None:
    assert survey.languages == ("en", "es")
    for where, text in _texts(survey):
        assert set(text) == {"en", "es"}, where
        # A Spanish text identical to the English one is an untranslated copy.
        assert text["es"] != text["en"], where
    for name, labels in survey.scales.items():
        assert set(labels) == {"en", "es"}, name
        assert all(len(five) == 5 for five in labels.values()), name


def test_ten_to_fifteen_short_items(survey: Survey) -> None:
    assert 10 <= len(survey.questions) <= 15
    for q in survey.questions:
        assert len(q.text["en"].split()) <= 20, q.id


def test_questions_not_agree_disagree_statements(survey: Survey) -> None:
    for q in survey.questions:
        assert "?" in q.text["en"], q.id
        assert "¿" in q.text["es"], q.id
    for labels in survey.scales.values():
        assert not any("agree" in label.lower() for label in labels["en"])


def test_consent_says_what_how_long_and_that_questions_can_be_skipped(survey: Survey) -> None:
    assert re.search(r"about \d+ minutes", survey.consent["en"])
    assert re.search(r"unos \d+ minutos", survey.consent["es"])
    assert "skip any question" in survey.consent["en"]
    assert "saltar cualquier pregunta" in survey.consent["es"]


def test_ids_fit_callback_data(survey: Survey) -> None:
    for q in survey.questions:
        assert re.fullmatch(r"[a-z][a-z0-9_]{0,15}", q.id), q.id
        values = [o.id for o in q.options] + ["other", "not_sure", "5", "yes", "done", "skip"]
        for value in values:
            data = f"a:{LONGEST_CAMPAIGN_CODE}:{q.id}:{value}"
            assert len(data.encode()) <= CALLBACK_LIMIT, data


def test_show_if_used_and_only_looks_back(survey: Survey) -> None:
    conditional = [q for q in survey.questions if q.show_if]
    assert conditional
    for q in conditional:
        assert q.show_if is not None
        for name in parse_condition(q.show_if).names():
            assert survey.index(name) < survey.index(q.id)


def test_at_most_one_reverse_item(survey: Survey) -> None:
    assert sum(q.reverse for q in survey.questions) <= 1


def test_mostly_optional(survey: Survey) -> None:
    assert sum(q.required for q in survey.questions) <= 1


def test_phone_sized_choice_lists(survey: Survey) -> None:
    for q in survey.questions:
        if q.type in CHOICE_TYPES:
            assert 2 <= len(q.options) <= 9, q.id


def test_option_labels_fit_a_phone_button(survey: Survey) -> None:
    for q in survey.questions:
        for option in q.options:
            for language, label in option.label.items():
                assert len(label) <= 48, (q.id, option.id, language)


def test_spanish_speaks_to_students_as_tu_and_to_caregivers_as_usted(survey: Survey) -> None:
    words = {word for _, text in _texts(survey) for word in re.findall(r"\w+", text["es"].lower())}
    if survey.audience == "caregiver":
        assert not words & {"tu", "tus", "tú", "te", "ti", "contigo"}
        assert "usted" in words
    else:
        assert not words & {"usted", "ustedes"}
        assert {"tu", "te"} <= words


def test_open_questions_take_a_real_domain(survey: Survey) -> None:
    for q in survey.questions:
        assert q.domain != "open", q.id


# ------------------------------------------------------------------ per survey


def test_student_belonging_covers_the_three_domains() -> None:
    survey = builtin_survey("student-belonging")
    likert_domains = {q.domain for q in survey.questions if q.type is QuestionType.LIKERT}
    assert likert_domains == {"belonging", "consistency", "coherence"}
    unconditional_open = [
        q for q in survey.questions if q.type is QuestionType.TEXT and q.show_if is None
    ]
    assert len(unconditional_open) >= 2
    assert survey.question("b1").text["en"] == (
        "How well do adults at your school know you as a person?"
    )
    assert [q.id for q in survey.questions if q.reverse] == ["b5"]


def test_caregiver_barriers_and_services() -> None:
    survey = builtin_survey("caregiver-belonging")
    barriers = survey.question("barriers")
    assert barriers.type is QuestionType.MULTI_CHOICE
    assert barriers.domain == "barriers"
    assert barriers.other
    assert {"schedule", "transport", "childcare", "internet", "language", "basic_needs"} <= {
        o.id for o in barriers.options
    }
    assert "welcome" in {o.id for o in barriers.options}
    services = survey.question("services")
    assert services.type is QuestionType.MULTI_CHOICE
    assert services.domain == "services"
    assert [o.id for o in services.options] == [
        "tutoring",
        "mentoring",
        "after_school",
        "health",
        "none",
    ]
    coherence = [q.text["en"] for q in survey.questions if q.domain == "coherence"]
    assert any("report card" in text for text in coherence)
    assert any("grade level" in text for text in coherence)
    assert any("goals" in text for text in coherence)


def test_aspirations_plan_and_follow_ups() -> None:
    survey = builtin_survey("student-aspirations")
    plan = survey.question("plan")
    assert plan.type is QuestionType.SINGLE_CHOICE
    assert plan.domain == "aspiration"
    assert [o.id for o in plan.options] == [
        "college4",
        "college2",
        "trade",
        "military",
        "work",
        "not_sure",
    ]
    assert [o.id for o in plan.options if o.not_sure] == ["not_sure"]
    followers = [q for q in survey.questions if q.show_if and "plan" in q.show_if]
    assert followers
    assert survey.question("needs").domain == "needs"
    assert survey.question("needs").type is QuestionType.MULTI_CHOICE
    assert survey.question("support").type is QuestionType.MULTI_CHOICE
    assert survey.question("confident").scale == "how_confident"


def test_number_and_yes_no_questions_exist_somewhere() -> None:
    types = {q.type for sid in SURVEY_IDS for q in builtin_survey(sid).questions}
    assert QuestionType.NUMBER in types
    assert QuestionType.YES_NO in types
    for sid in SURVEY_IDS:
        for q in builtin_survey(sid).questions:
            if q.type is QuestionType.NUMBER:
                assert q.min is not None and q.max is not None and q.min <= q.max


# ------------------------------------------------------------------ mirrors

REQUIRED_MIRRORS = {
    "known_as_person",
    "adult_to_count_on",
    "respect",
    "teaching_helps",
    "help_when_stuck",
    "know_expectations",
    "know_progress",
}


def test_mirror_pairs_exist_in_both_with_the_same_domain_and_scale() -> None:
    student = {q.mirror: q for q in builtin_survey("student-belonging").questions if q.mirror}
    caregiver = {q.mirror: q for q in builtin_survey("caregiver-belonging").questions if q.mirror}
    assert set(student) == set(caregiver) == REQUIRED_MIRRORS
    for key in REQUIRED_MIRRORS:
        assert student[key].domain == caregiver[key].domain, key
        assert student[key].type is caregiver[key].type is QuestionType.LIKERT, key
        assert student[key].scale == caregiver[key].scale, key
    domains = {student[key].domain for key in REQUIRED_MIRRORS}
    assert domains == {"belonging", "consistency", "coherence"}


# ------------------------------------------------------------------ version hash


def test_version_hash_is_stable_across_loads(survey: Survey) -> None:
    path = next(p for p in builtin_survey_paths() if p.stem == survey.id)
    assert load_survey_file(path).version_hash == survey.version_hash


def test_version_hash_changes_when_text_changes() -> None:
    path = next(p for p in builtin_survey_paths() if p.stem == "student-belonging")
    text = path.read_text(encoding="utf-8")
    original = parse_survey(text, source=path.name)
    spanish = text.replace("¿Qué tan bien sabes cómo te va en tus clases?", "¿Sabes cómo vas?")
    assert spanish != text
    assert parse_survey(spanish, source=path.name).version_hash != original.version_hash
