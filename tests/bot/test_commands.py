"""/help, /privacy, /stop, /language and /delete."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from surveys.i18n import t
from surveys.models import Answer, Campaign, Contact, Respondent
from tests.bot.conftest import Chat, count_rows, join, stored_answers
from tests.factories import make_respondent


async def test_help_lists_the_commands(chat: Chat) -> None:
    await chat.send("/help")
    assert chat.texts() == [t("bot.help", "en")]
    for command in ("/resume", "/stop", "/language", "/privacy", "/delete"):
        assert command in chat.texts()[0]


async def test_privacy_says_confidential_not_anonymous(chat: Chat) -> None:
    await chat.send("/privacy")
    assert "confidential, but not anonymous" in chat.texts()[0]


async def test_help_in_spanish_for_a_spanish_client(app: object, offline: object) -> None:
    spanish = Chat(app, offline, 5003, language_code="es")  # type: ignore[arg-type]
    await spanish.send("/help")
    assert spanish.texts() == [t("bot.help", "es@formal")]


async def test_stop_without_a_survey(chat: Chat) -> None:
    await chat.send("/stop")
    assert chat.texts() == [t("bot.stop.nothing", "en")]


async def test_language_without_a_survey(chat: Chat) -> None:
    await chat.send("/language")
    assert chat.texts() == [t("bot.language.no_survey", "en")]


async def _answered_two(chat: Chat, campaign: Campaign) -> None:
    await join(chat, campaign)
    await chat.tap("Agree")
    await chat.tap("Disagree")


async def test_delete_asks_then_erases_answers_and_contact(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await _answered_two(chat, campaign)
    assert len(stored_answers(engine, chat.chat_id)) == 2
    await chat.send("/delete")
    assert chat.texts() == [t("bot.delete.confirm", "en")]
    confirm = chat.latest()
    assert confirm.labels == [
        t("bot.delete.confirm_button", "en"),
        t("bot.delete.cancel_button", "en"),
    ]
    # Asking alone erases nothing.
    assert count_rows(engine, Answer) == 2
    await chat.tap(t("bot.delete.confirm_button", "en"))
    edit = next(c for c in chat.last_calls if c.method == "editMessageText")
    assert edit.text == t("bot.delete.done", "en")
    assert edit.keyboard == []
    assert count_rows(engine, Answer) == 0
    assert count_rows(engine, Contact) == 0
    assert count_rows(engine, Respondent) == 0


async def test_delete_keeps_other_peoples_answers(
    app: object, offline: object, chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    other = Chat(app, offline, 6001)  # type: ignore[arg-type]
    await _answered_two(other, campaign)
    await _answered_two(chat, campaign)
    await chat.send("/delete")
    await chat.tap(t("bot.delete.confirm_button", "en"))
    assert stored_answers(engine, chat.chat_id) == {}
    assert len(stored_answers(engine, other.chat_id)) == 2
    with Session(engine) as session:
        assert session.get(Campaign, campaign.id) is not None


async def test_delete_cancelled(chat: Chat, campaign: Campaign, engine: Engine) -> None:
    await _answered_two(chat, campaign)
    await chat.send("/delete")
    await chat.tap(t("bot.delete.cancel_button", "en"))
    edit = next(c for c in chat.last_calls if c.method == "editMessageText")
    assert edit.text == t("bot.delete.cancelled", "en")
    assert count_rows(engine, Answer) == 2


async def test_delete_with_nothing_stored(chat: Chat) -> None:
    await chat.send("/delete")
    await chat.tap(t("bot.delete.confirm_button", "en"))
    edit = next(c for c in chat.last_calls if c.method == "editMessageText")
    assert edit.text == t("bot.delete.nothing", "en")


async def test_joining_again_after_delete_starts_afresh(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    await _answered_two(chat, campaign)
    await chat.send("/delete")
    await chat.tap(t("bot.delete.confirm_button", "en"))
    await chat.send(f"/start {campaign.code}")
    assert chat.latest().labels == ["English", "Español"]


async def test_a_spanish_speaking_parent_is_addressed_as_usted(
    chat: Chat, campaign: Campaign
) -> None:
    await chat.send(f"/start {campaign.code}")
    await chat.tap("Español")
    await chat.tap(t("consent.start", "es@formal"))
    await chat.tap(t("role.caregiver", "es@formal"))
    await chat.send("/help")
    assert chat.texts() == [t("bot.help", "es@formal")]
    assert "Toque un botón o escriba su respuesta" in chat.texts()[0]
    await chat.send_raw(sticker={"file_id": "a", "file_unique_id": "b", "width": 1,
                                 "height": 1, "is_animated": False, "is_video": False,
                                 "type": "regular"})  # fmt: skip
    assert chat.texts() == ["Solo puedo leer mensajes de texto y botones. "
                            "Conteste con los botones o escriba su respuesta."]  # fmt: skip


async def test_the_language_can_be_switched_after_finishing(
    chat: Chat, campaign: Campaign, engine: Engine
) -> None:
    with Session(engine) as session:
        make_respondent(session, campaign=campaign, chat_id=chat.chat_id, role="student")
        session.commit()
    await chat.send("/language")
    await chat.tap("Español")
    edit = next(c for c in chat.last_calls if c.method == "editMessageText")
    assert edit.text == t("bot.answered", "es", question=t("bot.language.choose", "en"),
                          answer="Español")  # fmt: skip
    await chat.send("/help")
    assert chat.texts() == [t("bot.help", "es")]
