"""A lead's tap on "I'm following up" or "Not a concern".

The button's data was signed for the chat it was sent to (`bot.outgoing`), so a
tap from another chat never gets here. Then, on the server, in one transaction:
the tapping chat must be an active safeguarding lead of the alert's own
organization; the first acknowledgement wins (a conditional UPDATE) and is
audited; the other leads, and the owners if it was escalated, are told who took
it; a later tap is told it was already handled. Anyone else changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from telegram import Update

from bot.alerts.messages import alert_text, format_moment, outcome_text, parse_alert_data
from bot.alerts.sending import alert_priority, alert_topic
from bot.outgoing import Outgoing
from bot.runtime import ChorusContext, language_hint
from surveys import conversations
from surveys.crud.alerts import (
    AlertFacts,
    Recipient,
    alert_facts,
    alert_handler,
    handle_alert,
    member_name,
    recipients,
)
from surveys.crud.outbox import sent_copies
from surveys.i18n import t
from surveys.models import AlertStatus
from surveys.roles import StaffRole


@dataclass(frozen=True)
class AlertTap:
    chat_id: int
    alert_id: int
    status: AlertStatus
    message_id: int | None
    """The alert message tapped, edited to show the outcome; None when too old to edit."""
    language_hint: str


async def tap(update: Update, context: ChorusContext, data: str, message_id: int | None) -> None:
    """Handle verified alert-button data from `update`'s chat, once per update."""
    chat = update.effective_chat
    parsed = parse_alert_data(data)
    if chat is None:
        return
    if parsed is None:
        await context.runtime.reply_in_language(update, "bot.buttons.invalid")
        return
    request = AlertTap(chat.id, parsed[0], parsed[1], message_id, language_hint(update))

    def work(out: Outgoing) -> None:
        if conversations.claim(out.db, update.update_id):
            act(out, request)

    await context.runtime.transact(work)


def act(out: Outgoing, request: AlertTap, *, now: datetime | None = None) -> bool:
    """Apply the tap in `out`'s transaction; True when it handled the alert."""
    alert = alert_facts(out.db, alert_id=request.alert_id)
    handler = alert_handler(out.db, chat_id=request.chat_id, alert=alert) if alert else None
    if alert is None or handler is None:
        out.send(request.chat_id, t("alerts.not_allowed", request.language_hint))
        return False
    if not handle_alert(
        out.db, alert=alert, member_id=handler.member_id, status=request.status, now=now
    ):
        _already_handled(out, request, handler)
        return False
    note = outcome_text(request.status, handler.display_name, handler.language)
    with alert_priority(out):
        _show(out, request, alert_text(alert, handler.language, note=note))
        copies = sent_copies(out.db, topic=alert_topic(alert.id))
        for other in _others_to_tell(out, alert, handler):
            time = format_moment(alert.created_at, alert.timezone, other.language)
            out.send(
                other.chat_id,
                t(
                    f"alerts.taken.{request.status.value}",
                    other.language,
                    name=handler.display_name,
                    school=alert.school,
                    time=time,
                ),
            )
            _close_copies(out, alert, other, copies.get(other.chat_id, []), request.status, handler)
    return True


def _close_copies(
    out: Outgoing,
    alert: AlertFacts,
    other: Recipient,
    message_ids: list[int],
    status: AlertStatus,
    handler: Recipient,
) -> None:
    """Another member's copies of the alert, edited to its outcome: their buttons go, so
    nobody starts on an alert someone has taken. A copy not yet sent (or pruned) keeps its
    buttons; a tap on it is told the alert was handled."""
    note = outcome_text(status, handler.display_name, other.language)
    for message_id in message_ids:
        out.edit(other.chat_id, message_id, alert_text(alert, other.language, note=note))


def _show(out: Outgoing, request: AlertTap, text: str) -> None:
    """The tapped alert, edited to its outcome (its buttons go), or sent anew."""
    if request.message_id is None:
        out.send(request.chat_id, text)
    else:
        out.edit(request.chat_id, request.message_id, text)


def _already_handled(out: Outgoing, request: AlertTap, handler: Recipient) -> None:
    current = alert_facts(out.db, alert_id=request.alert_id)
    if current is None:  # pragma: no cover - alerts are only removed by the retention purge
        return
    name = member_name(out.db, member_id=current.handled_by) if current.handled_by else None
    outcome = outcome_text(current.status, name or "?", handler.language)
    _show(out, request, alert_text(current, handler.language, note=outcome))
    out.send(request.chat_id, t("alerts.already", handler.language, outcome=outcome))


def _others_to_tell(out: Outgoing, alert: AlertFacts, handler: Recipient) -> list[Recipient]:
    """The other leads; and the owners, when the alert had been escalated to them."""
    roles = [StaffRole.SAFEGUARDING_LEAD]
    if alert.escalated_at is not None:
        roles.append(StaffRole.OWNER)
    chosen: dict[int, Recipient] = {}
    for role in roles:
        for member in recipients(out.db, organization_id=alert.organization_id, role=role):
            if member.member_id != handler.member_id:
                chosen.setdefault(member.member_id, member)
    return list(chosen.values())
