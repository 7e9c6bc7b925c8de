"""Slash commands: /start, /resume, /stop, /help, /privacy, /delete, /language."""

from __future__ import annotations

import re

from telegram import Update

from bot.handlers.replies import queue_outcome
from bot.keyboards import delete_keyboard, language_keyboard
from bot.outgoing import Outgoing
from bot.runtime import ChorusContext, language_hint
from bot.staff import commands as staff_commands
from bot.staff import invitations
from surveys import conversations
from surveys.conversations import Notice, stranger
from surveys.crud.sharing import resume_messaging, stop_messaging
from surveys.crud.staff import looks_like_invitation
from surveys.i18n import t

DEEP_LINK_PAYLOAD = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
"""What Telegram allows in a `?start=` payload; anything else cannot be a campaign code."""


def _chat_id(update: Update) -> int | None:
    return update.effective_chat.id if update.effective_chat else None


async def start(update: Update, context: ChorusContext) -> None:
    """`/start <code>` joins (or resumes) a campaign; bare `/start` resumes or explains."""
    chat_id = _chat_id(update)
    if chat_id is None:
        return
    hint = language_hint(update)
    args = context.args or []
    code = args[0] if args else None
    if code is not None and not DEEP_LINK_PAYLOAD.match(code):
        await context.runtime.reply_in_language(update, "bot.join.unknown_code")
        return
    if code is not None and looks_like_invitation(code):
        await invitations.accept(update, context, code)
        return

    def work(out: Outgoing) -> None:
        outcome = conversations.start(
            out.db, chat_id=chat_id, update_id=update.update_id, code=code, language_hint=hint
        )
        if not outcome.duplicate and outcome.notice is not Notice.UNKNOWN_CODE:
            resume_messaging(out.db, chat_id=chat_id)  # the link undoes /stop
        queue_outcome(out, chat_id, outcome)

    await context.runtime.transact(work)


async def resume(update: Update, context: ChorusContext) -> None:
    chat_id = _chat_id(update)
    if chat_id is None:
        return
    hint = language_hint(update)

    def work(out: Outgoing) -> None:
        outcome = conversations.resume(
            out.db, chat_id=chat_id, update_id=update.update_id, language_hint=hint
        )
        if not outcome.duplicate:
            resume_messaging(out.db, chat_id=chat_id)  # undoes /stop
        queue_outcome(out, chat_id, outcome)

    await context.runtime.transact(work)


async def stop(update: Update, context: ChorusContext) -> None:
    """ "Stop messaging me": no reminder or results from now on (progress is saved after
    every answer anyway). `/resume` or the survey link undoes it."""
    chat_id = _chat_id(update)
    if chat_id is None:
        return
    hint = language_hint(update)

    def work(out: Outgoing) -> None:
        if not conversations.claim(out.db, update.update_id):
            return
        stop_messaging(out.db, chat_id=chat_id)
        current = conversations.current_survey(out.db, chat_id=chat_id)
        if current is not None and current.in_progress:
            out.send(chat_id, t("bot.stop.paused", current.language))
        else:
            language = current.language if current else stranger(hint)
            out.send(chat_id, t("bot.stop.nothing", language))

    await context.runtime.transact(work)


async def help_command(update: Update, context: ChorusContext) -> None:
    """Staff read their own commands; anyone else, unchanged, the respondent's help."""
    await staff_commands.help_command(update, context)


async def privacy(update: Update, context: ChorusContext) -> None:
    await context.runtime.reply_in_language(update, "bot.privacy")


async def delete(update: Update, context: ChorusContext) -> None:
    """Ask first: erasing cannot be undone. The confirm button does the work."""
    await context.runtime.reply_in_language(update, "bot.delete.confirm", keyboard=delete_keyboard)


async def language(update: Update, context: ChorusContext) -> None:
    chat_id = _chat_id(update)
    if chat_id is None:
        return
    hint = language_hint(update)

    def work(out: Outgoing) -> None:
        if not conversations.claim(out.db, update.update_id):
            return
        current = conversations.current_survey(out.db, chat_id=chat_id)
        if current is None:
            out.send(chat_id, t("bot.language.no_survey", stranger(hint)))
            return
        keyboard = language_keyboard(current.languages, campaign_id=current.campaign_id)
        out.send(chat_id, t("bot.language.choose", current.language), reply_markup=keyboard)

    await context.runtime.transact(work)


async def unknown(update: Update, context: ChorusContext) -> None:
    await context.runtime.reply_in_language(update, "bot.unsupported.command")
