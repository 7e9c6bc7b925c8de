"""The last line of defence: log the failure and apologise, never crash the bot.

Logs carry the update id and the error type only, never the chat id next to
what the person wrote.
"""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.runtime import KEY, Runtime, language_hint
from surveys import conversations
from surveys.i18n import t

logger = logging.getLogger("bot.errors")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    # The traceback's frames, not the exception's message: a database error's message
    # carries the statement's parameters, which can hold an answer or a chat id.
    frames = "".join(traceback.format_tb(error.__traceback__)) if error else ""
    logger.error("update %s failed with %s\n%s", update_id, type(error).__name__, frames)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    runtime = context.bot_data.get(KEY)
    if not isinstance(runtime, Runtime):
        return
    chat_id = update.effective_chat.id
    hint = language_hint(update)
    try:
        language = runtime.run(
            lambda s: conversations.language_of(s, chat_id=chat_id, language_hint=hint)
        )
    except Exception:  # the database may be what failed
        language = conversations.stranger(hint)
    try:
        await runtime.sender.send(chat_id, t("bot.failure", language))
    except Exception:
        logger.warning("could not tell update %s about the failure", update_id)
