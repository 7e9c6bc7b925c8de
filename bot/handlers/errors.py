"""The last line of defence: log the failure and apologise, never crash the bot.

Logs carry the update id and the error type only, never the chat id next to
what the person wrote. Telegram's and the network's expected failures are one
line each; anything else gets its traceback's frames (not its message: a
database error's message carries the statement's parameters).
"""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.error import NetworkError, TelegramError

from bot.outgoing import Outgoing
from bot.runtime import ChorusContext, language_hint
from surveys import conversations
from surveys.i18n import t

logger = logging.getLogger("bot.errors")


async def on_error(update: object, context: ChorusContext) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, TelegramError | NetworkError):
        logger.warning("update %s: Telegram said %s", update_id, type(error).__name__)
        return
    frames = "".join(traceback.format_tb(error.__traceback__)) if error else ""
    logger.error("update %s failed with %s\n%s", update_id, type(error).__name__, frames)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    chat_id = update.effective_chat.id
    hint = language_hint(update)

    def apologise(out: Outgoing) -> None:
        language = conversations.language_of(out.db, chat_id=chat_id, language_hint=hint)
        out.send(chat_id, t("bot.failure", language))

    try:
        await context.runtime.transact(apologise)
    except Exception:  # the database may be what failed
        logger.warning("could not tell update %s about the failure", update_id)
