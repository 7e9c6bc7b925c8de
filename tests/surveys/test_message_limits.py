"""Every message the engine composes from a valid survey fits in a Telegram message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from surveys import engine
from surveys.engine import Context
from surveys.i18n import t
from surveys.loader import SurveyDefinitionError, builtin_surveys, parse_survey
from surveys.message_limits import (
    BUTTON_LABEL_LIMIT,
    MESSAGE_LIMIT,
    ORGANIZATION_LIMIT,
    MessageTooLong,
    check_fits,
)
from tests.factories import make_survey

FULL = Path(__file__).parents[1] / "fixtures" / "surveys" / "valid-full.yaml"


def _full() -> dict[str, Any]:
    data = yaml.safe_load(FULL.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _parse(data: dict[str, Any]) -> None:
    parse_survey(yaml.safe_dump(data, allow_unicode=True), source="long.yaml")


def _consent_length(data: dict[str, Any], language: str, voice: str) -> int:
    """The consent message as the engine composes it, with the longest organization name."""
    survey = parse_survey(yaml.safe_dump(data, allow_unicode=True), source="x.yaml")
    context = Context("W" * ORGANIZATION_LIMIT, survey.languages, language, survey.audience)
    return len(engine._consent_prompt(survey, context, voice).text)


@pytest.mark.parametrize("voice", ["en", "es", "es@formal"])
def test_the_consent_limit_is_the_engines_message_to_the_character(voice: str) -> None:
    """Pad one language's intro to exactly 4,096 composed characters: accepted; one more: not."""
    language = voice.partition("@")[0]
    data = _full()
    voices = (language, f"{language}@formal")
    base = max(_consent_length(data, language, v) for v in voices)
    # Pad in 2,000-character pieces (each text has its own 3,000 limit).
    missing = MESSAGE_LIMIT - base
    data["intro"][language] += "x" * min(missing, 2000)
    data["consent"][language] += "y" * max(0, missing - 2000)
    longest = max(_consent_length(data, language, v) for v in voices)
    assert longest == MESSAGE_LIMIT
    _parse(data)  # fits exactly
    data["consent"][language] += "z"
    with pytest.raises(SurveyDefinitionError) as error:
        _parse(data)
    message = str(error.value)
    assert message.startswith("long.yaml: the consent message")
    assert f"in '{language}'" in message
    assert f"is {MESSAGE_LIMIT + 1:,} characters; Telegram shows at most 4,096" in message


def test_a_long_question_whose_answer_is_added_is_refused_naming_the_question() -> None:
    """3,000 characters fit as a question; the bot's edit adding every chosen label does not."""
    data = _full()
    question = next(q for q in data["questions"] if q["type"] == "multi_choice")
    question["text"]["es"] = "p" * 3000
    question["options"] = [
        {"id": f"o{i}", "label": {lang: f"{i:02d}" + "o" * 50 for lang in data["languages"]}}
        for i in range(20)
    ] + [{"id": "x", "label": {lang: "x" for lang in data["languages"]}}]
    question.pop("favorable", None)
    with pytest.raises(SurveyDefinitionError) as error:
        _parse(data)
    message = str(error.value)
    assert message.startswith(f"long.yaml: question {question['id']}: ")
    assert "the question message with the answer added in 'es'" in message


def test_a_button_label_over_the_limit_is_refused() -> None:
    data = _full()
    question = next(q for q in data["questions"] if q["type"] == "single_choice")
    question["options"][0]["label"]["en"] = "L" * (BUTTON_LABEL_LIMIT - 1)
    with pytest.raises(SurveyDefinitionError, match=f"a button shows at most {BUTTON_LABEL_LIMIT}"):
        _parse(data)  # "✅ " makes it longer when it is the answer given


def test_every_builtin_survey_fits() -> None:
    for survey in builtin_surveys():
        check_fits(survey)


def test_the_follow_up_counts_in_the_thanks_message() -> None:
    survey = make_survey(thanks={"en": "t" * 3100, "es": "Gracias"})
    check_fits(survey, organization="Bridges", follow_up={"en": "f" * 900})
    with pytest.raises(MessageTooLong, match=r"thanks message .* in 'en' is 4,1\d\d characters"):
        check_fits(survey, organization="Bridges", follow_up={"en": "f" * 1000})


def test_the_organization_counts_in_the_consent_message() -> None:
    survey = make_survey(consent={"en": "c" * 3400, "es": "¿Está de acuerdo?"})
    with pytest.raises(MessageTooLong, match="200-character organization name"):
        check_fits(survey)
    check_fits(survey, organization="Bridges")


@pytest.mark.parametrize("voice", ["en", "es", "es@formal"])
def test_the_consent_and_crisis_messages_are_checked_in_every_register(voice: str) -> None:
    """The consent message (which states the limit of confidentiality) and the crisis
    resources a disclosure gets are among what `check_fits` measures, in each register."""
    from surveys.message_limits import _compose_all, _contexts

    survey = make_survey()
    composed = {
        (c.what.split(" (")[0], c.voice): c.text
        for c in _compose_all(survey, _contexts(survey, "W" * ORGANIZATION_LIMIT, None))
    }
    support = composed[("the crisis-resources message", voice)]
    assert support == t("safeguarding.support", voice)
    consent = composed[("the consent message", voice)]
    assert "W" * ORGANIZATION_LIMIT in consent  # named in the confidentiality limit too
    assert len(consent) <= MESSAGE_LIMIT and len(support) <= MESSAGE_LIMIT
