"""Turning what the conversation service decided into Telegram messages.

Called only after the service committed, so whatever is said here is already
true in the database. Every text comes from `surveys.i18n.t` in the
respondent's language.
"""

from __future__ import annotations

from telegram import Message

from bot.handlers.runtime import Runtime
from bot.keyboards import prompt_keyboard
from surveys.conversations import Notice, Outcome
from surveys.i18n import t

NOTICE_KEYS: dict[Notice, str] = {
    Notice.UNKNOWN_CODE: "bot.join.unknown_code",
    Notice.CLOSED: "bot.join.closed",
    Notice.NOT_YET_OPEN: "bot.join.not_yet_open",
    Notice.ALREADY_ANSWERED: "bot.join.already_answered",
    Notice.NO_SURVEY: "bot.join.how_to_join",
    Notice.OTHER_CAMPAIGN: "bot.buttons.other_campaign",
    Notice.OLD_BUTTON: "bot.buttons.old",
    Notice.DELETED: "bot.delete.done",
    Notice.NOTHING_TO_DELETE: "bot.delete.nothing",
}


async def deliver(
    runtime: Runtime,
    chat_id: int,
    outcome: Outcome,
    *,
    pressed: Message | None = None,
) -> None:
    """Say what `outcome` means. `pressed` is the message whose button was tapped, if any:
    it is edited to record the answer, or redrawn for a multi-choice toggle.
    """
    if outcome.duplicate:
        return
    sender = runtime.sender
    language = outcome.language
    if outcome.notice is not None:
        await sender.send(chat_id, t(NOTICE_KEYS[outcome.notice], language))
        return
    step = outcome.step
    if step is None:  # pragma: no cover - the service always gives a notice or a step
        return
    campaign_id = outcome.campaign_id or 0
    prompt = step.prompt
    if step.error is not None:
        await sender.send(chat_id, step.error)
        if outcome.reminder is not None:
            keyboard = prompt_keyboard(outcome.reminder, campaign_id=campaign_id)
            await sender.send(chat_id, outcome.reminder.text, reply_markup=keyboard)
        return
    if pressed is not None and step.edit_in_place and prompt is not None:
        await sender.edit(
            chat_id,
            pressed.message_id,
            prompt.text,
            reply_markup=prompt_keyboard(prompt, campaign_id=campaign_id),
        )
        return
    if pressed is not None and step.acknowledgement is not None and pressed.text:
        text = t("bot.answered", language, question=pressed.text, answer=step.acknowledgement)
        await sender.edit(chat_id, pressed.message_id, text)
    if step.safeguarding:
        await sender.send(chat_id, t("safeguarding.support", language))
    if prompt is not None:
        await sender.send(
            chat_id, prompt.text, reply_markup=prompt_keyboard(prompt, campaign_id=campaign_id)
        )
