"""Messages that are not commands: text answers, and everything a survey cannot read."""

from __future__ import annotations

from telegram import Update

from bot.handlers.replies import queue_outcome
from bot.outgoing import Outgoing
from bot.runtime import ChorusContext, language_hint
from bot.staff.typed import handle_text as staff_text
from surveys import conversations
from surveys.engine import Reply
from surveys.storable import storable_text


async def text(update: Update, context: ChorusContext) -> None:
    """A typed message: an answer to a text or number question, or a nudge to carry on.

    The engine decides which: on a button question it says to use the buttons,
    and a person coming back after a break gets the current question again.
    """
    message = update.message
    if message is None or message.text is None:
        return
    chat_id = message.chat.id
    hint = language_hint(update)
    typed = storable_text(message.text)

    def work(out: Outgoing) -> None:
        # A staff member in a guided flow (/launch) is typing its next answer.
        if staff_text(out, chat_id=chat_id, update_id=update.update_id, text=typed, hint=hint):
            return
        outcome = conversations.handle(
            out.db,
            chat_id=chat_id,
            update_id=update.update_id,
            action=Reply(typed),
            language_hint=hint,
        )
        queue_outcome(out, chat_id, outcome)

    await context.runtime.transact(work)


async def unsupported(update: Update, context: ChorusContext) -> None:
    """Stickers, photos, voice, documents, locations...: nothing a survey answer can be."""
    await context.runtime.reply_in_language(update, "bot.unsupported.media")


async def edited(update: Update, context: ChorusContext) -> None:
    """An edit of a message already sent: the first version is the answer that counts."""
    await context.runtime.reply_in_language(update, "bot.unsupported.edited")
