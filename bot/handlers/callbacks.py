"""Button taps.

The query is answered first, before anything else, so the client's spinner
stops even if the database is slow; then the data is decoded and checked
against the stored state by the service. Forged data, another campaign's
buttons and buttons on old messages all get a short reply and store nothing.
"""

from __future__ import annotations

from telegram import Chat, Message, Update
from telegram.ext import ContextTypes

from bot.callback_data import DELETE_CANCEL, DELETE_CONFIRM, decode
from bot.handlers.replies import NOTICE_KEYS, deliver
from bot.handlers.runtime import Runtime, language_hint, runtime_of
from surveys import conversations
from surveys.i18n import t


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    runtime = runtime_of(context)
    await runtime.sender.answer_callback(query.id)
    chat = update.effective_chat
    if chat is None or chat.type != Chat.PRIVATE:  # inline mode, or a group: not a survey chat
        return
    chat_id = chat.id
    # A message too old for Telegram to show arrives as InaccessibleMessage: the tap
    # still counts, but there is nothing to edit.
    message = query.message if isinstance(query.message, Message) else None
    hint = language_hint(update)

    if query.data in (DELETE_CONFIRM, DELETE_CANCEL):
        await _delete_answer(update, context, chat_id, message, query.data == DELETE_CONFIRM)
        return

    decoded = decode(query.data)
    if decoded is None:
        language = runtime.run(
            lambda s: conversations.language_of(s, chat_id=chat_id, language_hint=hint)
        )
        await runtime.sender.send(chat_id, t("bot.buttons.invalid", language))
        return
    outcome = runtime.run(
        lambda s: conversations.handle(
            s,
            chat_id=chat_id,
            update_id=update.update_id,
            action=decoded.action,
            campaign_id=decoded.campaign_id,
            question_id=decoded.question_id,
            language_hint=hint,
        )
    )
    await deliver(runtime, chat_id, outcome, pressed=message)


async def _delete_answer(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    message: Message | None,
    confirmed: bool,
) -> None:
    runtime = runtime_of(context)
    hint = language_hint(update)
    if not confirmed:
        language = runtime.run(
            lambda s: conversations.language_of(s, chat_id=chat_id, language_hint=hint)
        )
        await _say(runtime, chat_id, message, t("bot.delete.cancelled", language))
        return
    outcome = runtime.run(
        lambda s: conversations.delete(
            s, chat_id=chat_id, update_id=update.update_id, language_hint=hint
        )
    )
    if outcome.duplicate or outcome.notice is None:
        return
    # The confirmation loses its buttons, so a second tap cannot come from it.
    await _say(runtime, chat_id, message, t(NOTICE_KEYS[outcome.notice], outcome.language))


async def _say(runtime: Runtime, chat_id: int, message: Message | None, text: str) -> None:
    """Replace the confirmation with `text`, or send it when the message cannot be edited."""
    if message is None:
        await runtime.sender.send(chat_id, text)
    else:
        await runtime.sender.edit(chat_id, message.message_id, text)
