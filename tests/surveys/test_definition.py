"""The definition models: lookups, frozenness and the version hash."""

from __future__ import annotations

import hashlib
import json

import pytest
from pydantic import ValidationError

from surveys.definition import Option, Question, QuestionType, Survey


def _survey(**changes: object) -> Survey:
    fields: dict[str, object] = {
        "id": "tiny",
        "version": "1",
        "title": {"en": "Tiny"},
        "audience": "student",
        "languages": ("en",),
        "intro": {"en": "Hi."},
        "consent": {"en": "One minute."},
        "thanks": {"en": "Thanks."},
        "scales": {"how_often": {"en": ("A", "B", "C", "D", "E")}},
        "questions": (
            Question(
                id="b1",
                type=QuestionType.LIKERT,
                domain="belonging",
                scale="how_often",
                text={"en": "How often?"},
            ),
            Question(
                id="pick",
                type=QuestionType.SINGLE_CHOICE,
                domain="needs",
                text={"en": "Pick one."},
                options=(
                    Option(id="a", label={"en": "A"}),
                    Option(id="b", label={"en": "B"}, not_sure=True),
                ),
            ),
        ),
    }
    fields.update(changes)
    return Survey.model_validate(fields)


def test_lookups_by_id() -> None:
    survey = _survey()
    assert survey.question("pick").type is QuestionType.SINGLE_CHOICE
    assert survey.index("pick") == 1
    assert survey.question("pick").option("b") == Option(id="b", label={"en": "B"}, not_sure=True)
    assert survey.question("pick").option("zzz") is None
    with pytest.raises(KeyError):
        survey.question("nope")
    with pytest.raises(KeyError):
        survey.index("nope")


def test_scale_labels() -> None:
    survey = _survey()
    assert survey.scale_labels(survey.question("b1"), "en") == ("A", "B", "C", "D", "E")
    with pytest.raises(ValueError, match="question pick has no scale"):
        survey.scale_labels(survey.question("pick"), "en")


def test_models_are_frozen_and_strict() -> None:
    survey = _survey()
    with pytest.raises(ValidationError):
        survey.version = "2"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Question(id="x", type="likert", domain="d", text={"en": "x"}, colour="red")  # type: ignore[call-arg]


@pytest.mark.parametrize("bad", ["B1", "1b", "a" * 17, "with-dash", ""])
def test_question_ids_fit_callback_data(bad: str) -> None:
    with pytest.raises(ValidationError):
        Question(id=bad, type="text", domain="d", text={"en": "x"})


def test_version_hash_is_sha256_of_the_canonical_json() -> None:
    survey = _survey()
    expected = hashlib.sha256(survey.canonical_json().encode()).hexdigest()[:16]
    assert survey.version_hash == expected
    assert json.loads(survey.canonical_json())["questions"][0]["id"] == "b1"


def test_version_hash_is_stable_and_follows_content() -> None:
    first, again = _survey(), _survey()
    assert first.version_hash == again.version_hash
    assert first.version_hash == first.version_hash
    assert _survey(title={"en": "Tiny!"}).version_hash != first.version_hash
    assert _survey(version="2").version_hash != first.version_hash


def test_version_hash_of_a_changed_copy_is_not_stale() -> None:
    survey = _survey()
    before = survey.version_hash
    changed = survey.model_copy(update={"version": "2"})
    assert changed.version_hash != before
    assert changed.version_hash == _survey(version="2").version_hash


def test_version_hash_survives_a_json_round_trip() -> None:
    survey = _survey()
    restored = Survey.model_validate_json(survey.model_dump_json())
    assert restored == survey
    assert restored.version_hash == survey.version_hash


def test_campaign_codes_never_start_with_a_dash() -> None:
    from surveys.models import new_campaign_code

    codes = [new_campaign_code() for _ in range(3000)]
    assert not [c for c in codes if c.startswith("-")]
    assert all(len(c) == 16 for c in codes)
