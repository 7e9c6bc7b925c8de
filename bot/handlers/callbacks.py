"""Button taps.

The query is answered at once (the client's spinner stops) while the database
works. Only buttons the bot sent to this chat do anything: the data's signature
is checked first (`bot.callback_data.verify`), then the service checks the
campaign, the current question and the option against the stored state.
Forged data, another campaign's buttons and buttons on old messages all get a
short reply and store nothing; an old button also brings back the current question.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import CallbackQuery, Chat, Message, Update
from telegram.error import TelegramError

from bot.alerts.handling import tap as alert_tap
from bot.alerts.messages import is_alert_data
from bot.callback_data import DELETE_CANCEL, DELETE_CONFIRM, decode, verify
from bot.handlers.commands import resume
from bot.handlers.replies import NOTICE_KEYS, Pressed, queue_outcome
from bot.outgoing import Outgoing
from bot.reach import CONTINUE
from bot.runtime import ChorusContext, language_hint
from bot.staff import taps as staff_taps
from bot.staff.buttons import is_staff_data
from surveys import conversations
from surveys.crud.sharing import stop_messaging
from surveys.i18n import t

logger = logging.getLogger(__name__)


async def _answer(query: CallbackQuery) -> None:
    """Stop the spinner. Not queued: a lost answer costs only a spinner, and it is worth
    most at once, alongside the database work rather than after it."""
    try:
        await query.answer()
    except TelegramError as exc:
        logger.info("answerCallbackQuery failed: %s", type(exc).__name__)


async def button(update: Update, context: ChorusContext) -> None:
    """Answer the query while the tap is handled; the update counts as handled (its inbox
    row done) only once both are, so a crash in between answers it again on restart."""
    query = update.callback_query
    if query is None:
        return
    answering = asyncio.create_task(_answer(query))
    try:
        await _handle_tap(update, context, query)
    finally:
        await answering


async def _handle_tap(update: Update, context: ChorusContext, query: CallbackQuery) -> None:
    chat = update.effective_chat
    if chat is None or chat.type != Chat.PRIVATE:  # inline mode, or a group: not a survey chat
        return
    chat_id = chat.id
    runtime = context.runtime
    # A message too old for Telegram to show arrives as InaccessibleMessage: the tap
    # still counts, but there is nothing to edit.
    message = query.message if isinstance(query.message, Message) else None
    pressed = Pressed(message.message_id, message.text) if message is not None else None
    data = verify(query.data, chat_id=chat_id, key=runtime.key)
    if data is not None and is_staff_data(data):
        await staff_taps.handle(update, context, data)
        return
    if is_alert_data(data):  # a safeguarding lead's "I'm following up" / "Not a concern"
        await alert_tap(update, context, data or "", pressed.message_id if pressed else None)
        return
    if data in (DELETE_CONFIRM, DELETE_CANCEL):
        await _delete_answer(update, context, chat_id, pressed, data == DELETE_CONFIRM)
        return
    if data == CONTINUE:  # a reminder's button: the same as /resume
        await resume(update, context)
        return
    decoded = decode(data)
    if decoded is None:
        await runtime.reply_in_language(update, "bot.buttons.invalid")
        return
    hint = language_hint(update)

    def work(out: Outgoing) -> None:
        outcome = conversations.handle(
            out.db,
            chat_id=chat_id,
            update_id=update.update_id,
            action=decoded.action,
            campaign_id=decoded.campaign_id,
            question_id=decoded.question_id,
            language_hint=hint,
        )
        queue_outcome(out, chat_id, outcome, pressed=pressed)

    await runtime.transact(work)


async def _delete_answer(
    update: Update,
    context: ChorusContext,
    chat_id: int,
    pressed: Pressed | None,
    confirmed: bool,
) -> None:
    hint = language_hint(update)

    def say(out: Outgoing, text: str) -> None:
        """Replace the confirmation with `text` (its buttons go, so a second tap cannot
        come from it), or send it when the message cannot be edited."""
        if pressed is None:
            out.send(chat_id, text)
        else:
            out.edit(chat_id, pressed.message_id, text)

    def work(out: Outgoing) -> None:
        if not confirmed:
            if conversations.claim(out.db, update.update_id):
                language = conversations.language_of(out.db, chat_id=chat_id, language_hint=hint)
                say(out, t("bot.delete.cancelled", language))
            return
        outcome = conversations.delete(
            out.db, chat_id=chat_id, update_id=update.update_id, language_hint=hint
        )
        if not outcome.duplicate:
            stop_messaging(out.db, chat_id=chat_id)  # a reminder or results queued: not sent
        if not outcome.duplicate and outcome.notice is not None:
            say(out, t(NOTICE_KEYS[outcome.notice], outcome.language))

    await context.runtime.transact(work)
