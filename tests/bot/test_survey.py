"""Answering: buttons, typed answers, multi-choice, skip and back, resume after a restart."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.simulation.offline_request import OfflineRequest
from surveys.i18n import t
from surveys.models import Campaign, RespondentStatus
from tests.bot.conftest import (
    FOLLOW_UP,
    Chat,
    Stored,
    build_offline,
    join,
    reach_last_question,
    reach_number_question,
    respondent_of,
    stored_answers,
)


async def test_a_whole_survey_through_the_buttons(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    question = chat.latest()
    assert question.text == "1/7\nI feel welcome."
    assert question.labels == [
        "Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree", "Not sure", "Skip",
    ]  # fmt: skip

    await chat.tap("Agree")
    # The question becomes a record of the answer and loses its keyboard.
    edit = next(c for c in chat.last_calls if c.method == "editMessageText")
    assert edit.params["message_id"] == question.message_id
    assert edit.text == "1/7\nI feel welcome.\n\n➜ Agree"
    assert edit.keyboard == []
    assert chat.texts() == ["2/7\nI feel left out."]
    assert "Back" in chat.latest().labels

    await chat.tap("Strongly disagree")
    await chat.tap("Often")
    await chat.tap("Tutoring")
    await chat.tap("Done")
    await chat.send("6")
    await chat.tap("Yes")
    await chat.send("More clubs after school, please.")
    thanks = chat.texts()[-1]
    assert thanks.startswith("Thank you")
    assert FOLLOW_UP["en"] in thanks
    assert stored_answers(engine, chat.chat_id) == {
        "b1": Stored("4", None, False, False),
        "b2": Stored("1", None, False, False),
        "g1": Stored("yes_often", None, False, False),
        "h1": Stored('["tutoring"]', None, False, False),
        "n1": Stored("6", None, False, False),
        "y1": Stored("yes", None, False, False),
        "t1": Stored(None, "More clubs after school, please.", False, False),
    }
    respondent = respondent_of(engine, chat.chat_id)
    assert respondent is not None
    assert respondent.status == RespondentStatus.COMPLETED
    assert respondent.role == "student"
    assert respondent.completed_at is not None


async def test_numbers_are_validated_with_a_friendly_retry(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await reach_number_question(chat, campaign)
    assert chat.texts()[0].startswith("5/7\nHours of homework a week?")
    await chat.send("about six")
    assert chat.texts() == [t("errors.number_whole", "en")]
    await chat.send("3.5")
    assert chat.texts() == [t("errors.number_whole", "en")]
    await chat.send("50")
    assert chat.texts() == [t("errors.number_range", "en", min="0", max="40")]
    assert "n1" not in stored_answers(engine, chat.chat_id)
    await chat.send(" 12 ")
    assert stored_answers(engine, chat.chat_id)["n1"] == Stored("12", None, False, False)
    assert chat.texts() == ["6/7\nDo you know the school's goals?"]


async def test_multi_choice_toggles_then_done(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    for label in ("Agree", "Agree", "Often"):
        await chat.tap(label)
    question = chat.latest()
    assert question.labels == ["Tutoring", "Mentoring", "Other", "Done", "Skip", "Back"]
    await chat.tap("Tutoring")
    await chat.tap("Mentoring")
    # Toggling redraws the same message; nothing new is sent, nothing stored yet.
    assert chat.texts() == []
    assert chat.latest().message_id == question.message_id
    assert chat.latest().labels[:3] == ["✅ Tutoring", "✅ Mentoring", "Other"]
    assert "h1" not in stored_answers(engine, chat.chat_id)
    await chat.tap("✅ Tutoring")
    assert chat.latest().labels[:2] == ["Tutoring", "✅ Mentoring"]
    await chat.tap("Other")
    await chat.tap("Done")
    assert chat.texts() == ["4/7\n" + t("question.other_prompt", "en")]
    await chat.send("A robotics club")
    assert stored_answers(engine, chat.chat_id)["h1"] == Stored(
        '["mentoring","other"]', "A robotics club", False, False
    )


async def test_skip_and_back(chat: Chat, campaign: Campaign, engine: Engine) -> None:
    await join(chat, campaign)
    await chat.tap("Skip")
    assert stored_answers(engine, chat.chat_id)["b1"] == Stored(None, None, True, False)
    assert chat.texts() == ["2/7\nI feel left out."]
    await chat.tap("Back")
    assert chat.texts() == ["1/7\nI feel welcome."]
    await chat.tap("Strongly agree")
    assert stored_answers(engine, chat.chat_id)["b1"] == Stored("5", None, False, False)
    # One tap returns to where the respondent was.
    assert chat.texts() == ["2/7\nI feel left out."]


async def test_back_shows_the_answer_already_given(chat: Chat, campaign: Campaign) -> None:
    await join(chat, campaign)
    await chat.tap("Disagree")
    await chat.tap("Back")
    assert "✅ Disagree" in chat.latest().labels


async def test_resume_after_restarting_the_application(
    app: object, chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    await chat.tap("Agree")
    await chat.tap("Neither")
    await chat.app.shutdown()

    request = OfflineRequest()
    restarted = build_offline(engine, request)
    await restarted.initialize()
    try:
        again = Chat(restarted, request, chat.chat_id)
        await again.send("/resume")
        assert again.texts() == ["3/7\nIs homework checked?"]
        await again.tap("Rarely")
        assert stored_answers(engine, chat.chat_id)["g1"].value == "rarely"
        assert set(stored_answers(engine, chat.chat_id)) == {"b1", "b2", "g1"}
    finally:
        await restarted.shutdown()
        await chat.app.initialize()  # the fixture shuts it down again


async def test_any_message_after_a_break_shows_the_question_again(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    await chat.send("hello?")
    assert chat.texts() == [t("errors.tap_button", "en"), "1/7\nI feel welcome."]
    assert chat.latest().labels[0] == "Strongly disagree"
    assert stored_answers(engine, chat.chat_id) == {}


async def test_stop_pauses_and_says_how_to_come_back(chat: Chat, campaign: Campaign) -> None:
    await join(chat, campaign)
    await chat.send("/stop")
    assert chat.texts() == [t("bot.stop.paused", "en")]
    assert "/resume" in chat.texts()[0]


async def test_language_switch_mid_survey(chat: Chat, campaign: Campaign, engine: Engine) -> None:
    await join(chat, campaign)
    await chat.tap("Agree")
    await chat.send("/language")
    assert chat.texts() == [t("bot.language.choose", "en")]
    await chat.tap("Español")
    assert chat.texts() == ["2/7\nMe siento excluido."]
    await chat.send("/help")
    assert chat.texts() == [t("bot.help", "es")]
    respondent = respondent_of(engine, chat.chat_id)
    assert respondent is not None
    assert respondent.language == "es"


async def test_a_disclosure_gets_crisis_resources_at_once_and_the_survey_goes_on(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await reach_last_question(chat, campaign)
    await chat.send("Sometimes I want to kill myself")
    texts = chat.texts()
    assert texts[0] == t("safeguarding.support", "en")
    for resource in ("988", "741741", "911", "1-800-422-4453"):
        assert resource in texts[0]
    assert texts[1].startswith("Thank you")
    assert stored_answers(engine, chat.chat_id)["t1"] == Stored(
        None, "Sometimes I want to kill myself", False, True
    )


async def test_crisis_resources_in_spanish(chat: Chat, campaign: Campaign, engine: Engine) -> None:
    await join(chat, campaign, language="Español")
    for label in ("De acuerdo", "De acuerdo", "A menudo"):
        await chat.tap(label)
    await chat.tap("Saltar")
    await chat.send("4")
    await chat.tap("No")
    await chat.send("mi papá me pega cuando llego tarde")
    assert chat.texts()[0] == t("safeguarding.support", "es")
    assert "988" in chat.texts()[0]
    assert stored_answers(engine, chat.chat_id)["t1"].flagged is True
