"""Button taps.

The query is answered first, before anything else, so the client's spinner
stops even if the database is slow; then the data is decoded and checked
against the stored state by the service. Forged data, another campaign's
buttons and buttons on old messages all get a short reply and store nothing.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.callback_data import DELETE_CANCEL, DELETE_CONFIRM, decode
from bot.handlers.replies import NOTICE_KEYS, deliver
from bot.handlers.runtime import language_hint, runtime_of
from surveys import conversations
from surveys.i18n import t


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    runtime = runtime_of(context)
    await runtime.sender.answer_callback(query.id)
    message = query.message if isinstance(query.message, Message) else None
    chat_id = message.chat.id if message is not None else None
    if chat_id is None:  # an inline-mode message or one too old to be shown: nothing to do
        return
    hint = language_hint(update)

    if query.data in (DELETE_CONFIRM, DELETE_CANCEL):
        await _delete_answer(update, context, message, query.data == DELETE_CONFIRM)
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
    update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, confirmed: bool
) -> None:
    runtime = runtime_of(context)
    chat_id = message.chat.id
    hint = language_hint(update)
    if not confirmed:
        language = runtime.run(
            lambda s: conversations.language_of(s, chat_id=chat_id, language_hint=hint)
        )
        await runtime.sender.edit(chat_id, message.message_id, t("bot.delete.cancelled", language))
        return
    outcome = runtime.run(
        lambda s: conversations.delete(
            s, chat_id=chat_id, update_id=update.update_id, language_hint=hint
        )
    )
    if outcome.duplicate or outcome.notice is None:
        return
    # The confirmation loses its buttons, so a second tap cannot come from it.
    await runtime.sender.edit(
        chat_id, message.message_id, t(NOTICE_KEYS[outcome.notice], outcome.language)
    )
