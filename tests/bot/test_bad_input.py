"""Anything a survey cannot use gets a short reply, never a crash and never a stored answer."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.callback_data import sign
from surveys.i18n import t
from surveys.models import Answer, Campaign, Respondent
from tests.bot.conftest import (
    Chat,
    Stored,
    count_rows,
    join,
    next_update_id,
    offline_settings,
    reach_last_question,
    reach_number_question,
    stored_answers,
)

KEY = offline_settings().callback_key()
FILE = {"file_id": "AgADBAAD", "file_unique_id": "AQADBAAD"}
MEDIA: dict[str, dict[str, Any]] = {
    "sticker": {"sticker": {**FILE, "width": 512, "height": 512, "is_animated": False,
                            "is_video": False, "type": "regular"}},
    "photo": {"photo": [{**FILE, "width": 90, "height": 90}], "caption": "4"},
    "voice": {"voice": {**FILE, "duration": 3}},
    "document": {"document": {**FILE, "file_name": "answers.pdf"}},
    "location": {"location": {"latitude": 40.7, "longitude": -74.0}},
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(MEDIA))
async def test_media_gets_a_helpful_reply(
    kind: str, chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    await chat.send_raw(**MEDIA[kind])
    assert chat.texts() == [t("bot.unsupported.media", "en")]
    assert stored_answers(engine, chat.chat_id) == {}


async def test_media_before_joining_gets_the_same_reply(chat: Chat) -> None:
    await chat.send_raw(**MEDIA["sticker"])
    assert chat.texts() == [t("bot.unsupported.media", "en")]


async def test_unknown_commands(chat: Chat, campaign: Campaign) -> None:
    await join(chat, campaign)
    await chat.send("/results")
    assert chat.texts() == [t("bot.unsupported.command", "en")]


async def test_an_edited_message_is_not_taken_as_an_answer(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await reach_number_question(chat, campaign)
    await chat.send("5")
    await chat.edit("7")
    assert chat.texts() == [t("bot.unsupported.edited", "en")]
    assert stored_answers(engine, chat.chat_id)["n1"].value == "5"


async def test_text_where_a_button_is_expected(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    await chat.send("4")
    assert chat.texts()[0] == t("errors.tap_button", "en")
    assert stored_answers(engine, chat.chat_id) == {}


async def test_a_button_on_an_old_question(chat: Chat, campaign: Campaign, engine: Engine) -> None:
    await join(chat, campaign)
    first = chat.latest()
    await chat.tap("Agree")
    await chat.tap("Disagree", on=first)
    stale, again = chat.texts()
    assert stale == t("errors.stale_button", "en")
    assert again == chat.latest().text and "Agree" in chat.latest().labels  # the current one
    assert stored_answers(engine, chat.chat_id) == {"b1": Stored("4", None, False, False)}


async def test_an_old_back_button(chat: Chat, campaign: Campaign, engine: Engine) -> None:
    await join(chat, campaign)
    await chat.tap("Agree")
    second = chat.latest()
    await chat.tap("Agree")
    await chat.tap("Back", on=second)
    old, again = chat.texts()
    assert old == t("bot.buttons.old", "en")
    assert "Rarely" in chat.latest().labels and again == chat.latest().text
    # Still on question 3: its buttons answer it.
    await chat.tap("Rarely")
    assert stored_answers(engine, chat.chat_id)["g1"].value == "rarely"


async def test_a_double_tap_stores_the_first_answer_only(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    first = chat.latest()
    await chat.tap("Agree", on=first)
    await chat.tap("Strongly agree", on=first)
    assert stored_answers(engine, chat.chat_id) == {"b1": Stored("4", None, False, False)}
    assert count_rows(engine, Answer) == 1


async def test_a_redelivered_update_is_processed_once(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    first = chat.latest()
    update_id = next_update_id()
    await chat.tap("Agree", on=first, update_id=update_id)
    assert chat.texts() == ["2/7\nI feel left out."]
    calls = await chat.tap("Agree", on=first, update_id=update_id)
    # Only the callback query is answered; nothing is stored or sent again.
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert count_rows(engine, Answer) == 1


async def test_a_redelivered_text_answer_is_stored_once(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await reach_number_question(chat, campaign)
    update_id = next_update_id()
    await chat.send("8", update_id=update_id)
    calls = await chat.send("8", update_id=update_id)
    assert calls == []
    assert stored_answers(engine, chat.chat_id)["n1"].value == "8"
    respondent_answers = stored_answers(engine, chat.chat_id)
    assert list(respondent_answers) == ["b1", "b2", "g1", "h1", "n1"]


@pytest.mark.parametrize(
    "data",
    [
        "a:{cid}:b1:9",  # an option the question does not have
        "a:{cid}:b1:not-an-option",
        "t:{cid}:b1:4",  # toggling a likert question
    ],
)
async def test_forged_callback_data_stores_nothing(
    data: str, chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    await chat.tap_signed(data.format(cid=campaign.id))
    assert chat.texts()[0] == t("errors.unknown_option", "en")
    assert stored_answers(engine, chat.chat_id) == {}


@pytest.mark.parametrize(
    "data", ["", "zzz", "a:0:b1:4", "a:1:b1:4:5", "a:x:b1:4", "q" * 64, "a:1:B 1:4"]
)
async def test_unreadable_callback_data(
    data: str, chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    calls = await chat.tap_data(data)
    assert calls[0].method == "answerCallbackQuery"
    assert chat.texts() == [t("bot.buttons.invalid", "en")]
    assert stored_answers(engine, chat.chat_id) == {}


async def test_another_campaigns_button(chat: Chat, campaign: Campaign, engine: Engine) -> None:
    await join(chat, campaign)
    await chat.tap_signed(f"a:{(campaign.id or 0) + 41}:b1:4")
    assert chat.texts() == [t("bot.buttons.other_campaign", "en")]
    assert stored_answers(engine, chat.chat_id) == {}


async def test_a_button_pressed_before_joining(chat: Chat, campaign: Campaign) -> None:
    await chat.send("/start")
    await chat.tap_signed(f"a:{campaign.id}:b1:4")
    assert chat.texts() == [t("bot.join.how_to_join", "en")]


@pytest.mark.parametrize("data", ["c:{cid}:y", "a:{cid}:b1:4", "l:{cid}:es", "D:yes"])
async def test_buttons_the_bot_never_sent_to_this_chat_do_nothing(
    data: str, chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    """A consent button forged for an open campaign must not join it without its link."""
    await chat.send("/start")
    await chat.tap_data(data.format(cid=campaign.id))  # unsigned
    assert chat.texts() == [t("bot.buttons.invalid", "en")]
    assert count_rows(engine, Respondent) == 0
    other = Chat(chat.app, chat.request, chat.chat_id + 1)  # signed, but for another chat
    await other.tap_data(sign(data.format(cid=campaign.id), chat_id=chat.chat_id, key=KEY))
    assert other.texts() == [t("bot.buttons.invalid", "en")]
    assert count_rows(engine, Respondent) == 0


async def test_text_over_the_limit(chat: Chat, campaign: Campaign, engine: Engine) -> None:
    await reach_last_question(chat, campaign)
    await chat.send("x" * 1001)
    assert chat.texts() == [t("errors.text_too_long", "en", length=1001, limit=1000)]
    assert "t1" not in stored_answers(engine, chat.chat_id)
    await chat.send("x" * 1000)
    assert stored_answers(engine, chat.chat_id)["t1"].text == "x" * 1000


async def test_answers_after_finishing_are_not_stored(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await reach_last_question(chat, campaign)
    await chat.send("Nothing else")
    await chat.send("one more thing")
    assert chat.texts() == [t("bot.join.already_answered", "en")]
    assert stored_answers(engine, chat.chat_id)["t1"].text == "Nothing else"


async def test_a_tap_on_a_message_too_old_to_show_still_counts(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    data = chat.latest().data_for("Agree")
    query = {
        "id": "old1",
        "from": chat.user,
        "chat_instance": "ci",
        "data": data,
        # date 0: Telegram's InaccessibleMessage, with nothing left to edit
        "message": {"message_id": 3, "date": 0, "chat": {"id": chat.chat_id, "type": "private"}},
    }
    calls = await chat.process({"update_id": next_update_id(), "callback_query": query})
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert stored_answers(engine, chat.chat_id)["b1"].value == "4"


async def test_buttons_in_a_group_chat_are_ignored(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await join(chat, campaign)
    data = chat.latest().data_for("Agree")
    group = {"id": -100123, "type": "supergroup", "title": "Class 7B"}
    query = {
        "id": "g1",
        "from": chat.user,
        "chat_instance": "ci",
        "data": data,
        "message": {"message_id": 9, "date": 1_770_000_000, "chat": group, "text": "1/7"},
    }
    calls = await chat.process({"update_id": next_update_id(), "callback_query": query})
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert stored_answers(engine, chat.chat_id) == {}
