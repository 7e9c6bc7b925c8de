"""What an alert message says, and its two buttons.

The message holds what a safeguarding lead needs to judge urgency (the school,
grade, audience, time and the flagged text) and nothing that identifies the
respondent: it is composed from `AlertFacts`, which carries no respondent id,
chat id, name or username, so no code path here could add one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_skeleton, format_time
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from surveys.campaign_days import zone as organization_zone
from surveys.crud.alerts import AlertFacts
from surveys.i18n import locale, t
from surveys.models import AlertStatus

QUOTE_LIMIT = 3000
"""Characters of the flagged text quoted; a text question takes up to 4,000, and the
whole message must stay within Telegram's 4,096 (tests/bot/alerts/test_messages.py)."""
PREFIX = "alert"
ACTIONS: dict[str, AlertStatus] = {
    "follow": AlertStatus.FOLLOWING_UP,
    "dismiss": AlertStatus.NOT_A_CONCERN,
}
"""Callback action -> the outcome it sets. Data: ``alert:<id>:<action>`` (signed per chat)."""
_CODES = {status: code for code, status in ACTIONS.items()}


def alert_data(alert_id: int, status: AlertStatus) -> str:
    return f"{PREFIX}:{alert_id}:{_CODES[status]}"


def parse_alert_data(data: str | None) -> tuple[int, AlertStatus] | None:
    """The alert and outcome an alert button asks for, or None for any other data."""
    if not data:
        return None
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != PREFIX or parts[2] not in ACTIONS:
        return None
    if not parts[1].isdigit() or len(parts[1]) > 12 or parts[1].startswith("0"):
        return None
    return int(parts[1]), ACTIONS[parts[2]]


def is_alert_data(data: str | None) -> bool:
    return data is not None and data.startswith(f"{PREFIX}:")


def format_moment(moment: datetime, timezone: str, language: str) -> str:
    """ "Mon, Mar 2, 2026, 9:04 AM (America/Chicago)", in the organization's timezone and
    the reader's language."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    zone = organization_zone(timezone)
    where = locale(language)
    return t(
        "alerts.time",
        language,
        date=format_skeleton("yMMMEd", aware, tzinfo=zone, locale=where),
        time=format_time(aware, "short", tzinfo=zone, locale=where),
        zone=timezone,
    )


def _quote(text: str) -> str:
    flat = text.strip()
    return flat if len(flat) <= QUOTE_LIMIT else flat[: QUOTE_LIMIT - 1].rstrip() + "…"


def _audience(audience: str, language: str) -> str:
    known = ("student", "caregiver", "any")
    return t(f"alerts.audience.{audience}", language) if audience in known else audience


def alert_text(alert: AlertFacts, language: str, *, note: str | None = None) -> str:
    """The alert as a lead (or, escalated, an owner) reads it; `note` is added below
    (who took it, that it was escalated)."""
    parts = [
        t(
            "alerts.message",
            language,
            school=alert.school,
            grade=alert.grade,
            audience=_audience(alert.audience, language),
            time=format_moment(alert.created_at, alert.timezone, language),
            text=_quote(alert.text),
        )
    ]
    if alert.escalated_at is not None:
        when = format_moment(alert.escalated_at, alert.timezone, language)
        parts.append(t("alerts.escalated_mark", language, time=when))
    if note:
        parts.append(note)
    return "\n\n".join(parts)


def alert_keyboard(alert_id: int, language: str) -> InlineKeyboardMarkup:
    """ "I'm following up" and "Not a concern", one per row (easy to tap, hard to mistake)."""
    rows = []
    for status in (AlertStatus.FOLLOWING_UP, AlertStatus.NOT_A_CONCERN):
        label = t(f"alerts.buttons.{status.value}", language)
        rows.append([InlineKeyboardButton(label, callback_data=alert_data(alert_id, status))])
    return InlineKeyboardMarkup(rows)


def outcome_text(status: str, name: str, language: str) -> str:
    """ "✅ Ana is following up on this alert." for a handled status."""
    return t(f"alerts.handled.{status}", language, name=name)
