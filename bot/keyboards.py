"""Engine prompts as Telegram inline keyboards.

One button per row: option labels are sentences ("Somewhat well", "A 2-year
college") and side-by-side buttons truncate them on a small phone.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import DELETE_CANCEL, DELETE_CONFIRM, encode
from surveys.engine import Button, Prompt, SetLanguage
from surveys.i18n import t


def prompt_keyboard(prompt: Prompt, *, campaign_id: int) -> InlineKeyboardMarkup | None:
    """The prompt's buttons, one per row, or None when it takes no buttons (text, thanks)."""
    if not prompt.buttons:
        return None
    return _keyboard(prompt.buttons, campaign_id, prompt.question_id)


@lru_cache(maxsize=4096)
def _keyboard(
    buttons: tuple[Button, ...], campaign_id: int, question_id: str | None
) -> InlineKeyboardMarkup:
    # Everyone at the same question of a campaign sees the same keyboard, and PTB's
    # markup objects are immutable, so one object serves them all.
    rows = [
        [
            InlineKeyboardButton(
                button.label,
                callback_data=encode(
                    button.action, campaign_id=campaign_id, question_id=question_id
                ),
            )
        ]
        for button in buttons
    ]
    return InlineKeyboardMarkup(rows)


def language_keyboard(languages: Iterable[str], *, campaign_id: int) -> InlineKeyboardMarkup:
    """`/language`: each language named in itself ("English", "Español")."""
    rows = [
        [
            InlineKeyboardButton(
                t("language.name", code),
                callback_data=encode(SetLanguage(code), campaign_id=campaign_id),
            )
        ]
        for code in languages
    ]
    return InlineKeyboardMarkup(rows)


def delete_keyboard(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("bot.delete.confirm_button", language), callback_data=DELETE_CONFIRM
                )
            ],
            [
                InlineKeyboardButton(
                    t("bot.delete.cancel_button", language), callback_data=DELETE_CANCEL
                )
            ],
        ]
    )
