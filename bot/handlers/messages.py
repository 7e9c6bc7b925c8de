"""Messages that are not commands: text answers, and everything a survey cannot read."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.replies import deliver
from bot.handlers.runtime import language_hint, runtime_of
from surveys import conversations
from surveys.engine import Reply
from surveys.i18n import t


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed message: an answer to a text or number question, or a nudge to carry on.

    The engine decides which: on a button question it says to use the buttons,
    and a person coming back after a break gets the current question again.
    """
    message = update.message
    if message is None or message.text is None:
        return
    chat_id = message.chat.id
    runtime = runtime_of(context)
    hint = language_hint(update)
    outcome = runtime.run(
        lambda s: conversations.handle(
            s,
            chat_id=chat_id,
            update_id=update.update_id,
            action=Reply(message.text or ""),
            language_hint=hint,
        )
    )
    await deliver(runtime, chat_id, outcome)


async def _explain(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    runtime = runtime_of(context)
    hint = language_hint(update)
    language = runtime.run(
        lambda s: conversations.language_of(s, chat_id=chat.id, language_hint=hint)
    )
    await runtime.sender.send(chat.id, t(key, language))


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, documents, locations...: nothing a survey answer can be."""
    await _explain(update, context, "bot.unsupported.media")


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edit of a message already sent: the first version is the answer that counts."""
    await _explain(update, context, "bot.unsupported.edited")
