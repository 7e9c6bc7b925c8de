"""Turning what the conversation service decided into messages, in its transaction.

`queue_outcome` runs inside the transaction that stored the answer, and writes
what to say to the outbox (`bot.outgoing`), so whatever is said is already true
in the database and nothing stored goes unanswered. Every text comes from
`surveys.i18n.t` in the respondent's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.alerts.sending import queue_new_alert
from bot.keyboards import prompt_keyboard
from bot.outgoing import Outgoing
from surveys.conversations import Notice, Outcome
from surveys.engine import Prompt
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


@dataclass(frozen=True)
class Pressed:
    """The message whose button was tapped: edited to record the answer."""

    message_id: int
    text: str | None


def _ask(out: Outgoing, chat_id: int, prompt: Prompt, campaign_id: int) -> None:
    out.send(chat_id, prompt.text, reply_markup=prompt_keyboard(prompt, campaign_id=campaign_id))


def queue_outcome(
    out: Outgoing, chat_id: int, outcome: Outcome, *, pressed: Pressed | None = None
) -> None:
    """Say what `outcome` means. A tapped message is edited into a record of the answer
    after the next question is queued, so the question the person waits for goes first."""
    if outcome.duplicate:
        return
    if outcome.alert_id is not None:  # a disclosure: the safeguarding leads are told too
        queue_new_alert(out, outcome.alert_id)
    campaign_id = outcome.campaign_id or 0
    if outcome.notice is not None:
        out.send(chat_id, t(NOTICE_KEYS[outcome.notice], outcome.language))
        if outcome.reminder is not None:
            _ask(out, chat_id, outcome.reminder, campaign_id)
        return
    step = outcome.step
    if step is None:  # pragma: no cover - the service always gives a notice or a step
        return
    prompt = step.prompt
    if step.error is not None:
        out.send(chat_id, step.error)
        if outcome.reminder is not None:
            _ask(out, chat_id, outcome.reminder, campaign_id)
        return
    if pressed is not None and step.edit_in_place and prompt is not None:
        keyboard = prompt_keyboard(prompt, campaign_id=campaign_id)
        out.edit(chat_id, pressed.message_id, prompt.text, reply_markup=keyboard)
        return
    if step.support is not None:
        out.send(chat_id, step.support)
    if prompt is not None:
        _ask(out, chat_id, prompt, campaign_id)
    if pressed is not None and step.acknowledgement is not None and pressed.text:
        record = t(
            "bot.answered", outcome.language, question=pressed.text, answer=step.acknowledgement
        )
        out.edit(chat_id, pressed.message_id, record)
