"""Slash commands: /start, /resume, /stop, /help, /privacy, /delete, /language."""

from __future__ import annotations

import re
from collections.abc import Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.handlers.replies import deliver
from bot.handlers.runtime import language_hint, runtime_of
from bot.keyboards import delete_keyboard, language_keyboard
from surveys import conversations
from surveys.conversations import stranger
from surveys.i18n import t

DEEP_LINK_PAYLOAD = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
"""What Telegram allows in a `?start=` payload; anything else cannot be a campaign code."""


def _chat_id(update: Update) -> int | None:
    return update.effective_chat.id if update.effective_chat else None


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/start <code>` joins (or resumes) a campaign; bare `/start` resumes or explains."""
    chat_id = _chat_id(update)
    if chat_id is None:
        return
    runtime = runtime_of(context)
    hint = language_hint(update)
    args = context.args or []
    code = args[0] if args else None
    if code is not None and not DEEP_LINK_PAYLOAD.match(code):
        await runtime.sender.send(chat_id, t("bot.join.unknown_code", stranger(hint)))
        return
    outcome = runtime.run(
        lambda s: conversations.start(
            s, chat_id=chat_id, update_id=update.update_id, code=code, language_hint=hint
        )
    )
    await deliver(runtime, chat_id, outcome)


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat_id = _chat_id(update)
    if chat_id is None:
        return
    runtime = runtime_of(context)
    hint = language_hint(update)
    outcome = runtime.run(
        lambda s: conversations.resume(
            s, chat_id=chat_id, update_id=update.update_id, language_hint=hint
        )
    )
    await deliver(runtime, chat_id, outcome)


async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Nothing to store: progress is saved after every answer. Just say how to come back."""
    chat_id = _chat_id(update)
    if chat_id is None:
        return
    runtime = runtime_of(context)
    hint = language_hint(update)
    current = runtime.run(lambda s: conversations.current_survey(s, chat_id=chat_id))
    if current is not None and current.in_progress:
        await runtime.sender.send(chat_id, t("bot.stop.paused", current.language))
    else:
        language = current.language if current else stranger(hint)
        await runtime.sender.send(chat_id, t("bot.stop.nothing", language))


async def _reply_in_language(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    key: str,
    keyboard: Callable[[str], InlineKeyboardMarkup] | None = None,
) -> None:
    """Send catalog text `key` in the chat's language, with `keyboard(language)` if given."""
    chat_id = _chat_id(update)
    if chat_id is None:
        return
    runtime = runtime_of(context)
    hint = language_hint(update)
    language = runtime.run(
        lambda s: conversations.language_of(s, chat_id=chat_id, language_hint=hint)
    )
    markup = keyboard(language) if keyboard is not None else None
    await runtime.sender.send(chat_id, t(key, language), reply_markup=markup)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply_in_language(update, context, "bot.help")


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply_in_language(update, context, "bot.privacy")


async def delete(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask first: erasing cannot be undone. The confirm button does the work."""
    await _reply_in_language(update, context, "bot.delete.confirm", keyboard=delete_keyboard)


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat_id = _chat_id(update)
    if chat_id is None:
        return
    runtime = runtime_of(context)
    hint = language_hint(update)
    current = runtime.run(lambda s: conversations.current_survey(s, chat_id=chat_id))
    if current is None:
        await runtime.sender.send(chat_id, t("bot.language.no_survey", stranger(hint)))
        return
    await runtime.sender.send(
        chat_id,
        t("bot.language.choose", current.language),
        reply_markup=language_keyboard(current.languages, campaign_id=current.campaign_id),
    )


async def unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply_in_language(update, context, "bot.unsupported.command")
