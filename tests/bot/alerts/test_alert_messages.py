"""The alert message: the organization's time in the reader's language, every message
within Telegram's 4,096 characters, and button data that fits and parses strictly."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.alerts.messages import (
    alert_data,
    alert_keyboard,
    alert_text,
    format_moment,
    outcome_text,
    parse_alert_data,
)
from bot.callback_data import MAX_BYTES, sign
from surveys.crud.alerts import AlertFacts
from surveys.crud.columns import column_limit
from surveys.i18n import t
from surveys.message_limits import MESSAGE_LIMIT
from surveys.models import AlertStatus, Campaign, StaffMember
from tests.factories import T0

LANGUAGES = ("en", "es")
# CLDR puts a narrow no-break space (U+202F) before AM/PM.


def facts(**overrides: object) -> AlertFacts:
    fields: dict[str, object] = {
        "id": 7, "organization_id": 1, "campaign_id": 2, "school": "Lincoln Middle School",
        "grade": "7", "audience": "student", "timezone": "America/Chicago",
        "text": "I want to die", "status": AlertStatus.OPEN, "created_at": T0,
        "escalate_at": T0 + timedelta(minutes=30), "escalated_at": None,
        "handled_by": None, "handled_at": None,
    }  # fmt: skip
    fields.update(overrides)
    return AlertFacts(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("timezone", "language", "expected"),
    [
        ("America/Chicago", "en", "Mon, Mar 2, 2026, 9:00\u202fAM (America/Chicago)"),
        ("Europe/Madrid", "es", "lun, 2 mar 2026, 16:00 (Europe/Madrid)"),
        ("UTC", "en", "Mon, Mar 2, 2026, 3:00\u202fPM (UTC)"),
    ],
)
def test_the_time_is_the_organizations_in_the_readers_language(
    timezone: str, language: str, expected: str
) -> None:
    assert format_moment(T0, timezone, language) == expected


def test_the_message_holds_what_a_lead_needs() -> None:
    text = alert_text(facts(), "en")
    for part in (
        "Safeguarding alert", "School: Lincoln Middle School", "Grade or cohort: 7",
        "Answered by: a student", "Mon, Mar 2, 2026, 9:00\u202fAM (America/Chicago)",
        "I want to die",
    ):  # fmt: skip
        assert part in text
    assert "Escalated" not in text
    escalated = alert_text(facts(escalated_at=T0 + timedelta(minutes=30)), "en")
    assert (
        "⏰ Escalated to the organization's owners at Mon, Mar 2, 2026, 9:30\u202fAM" in escalated
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_longest_alert_fits_one_telegram_message(language: str) -> None:
    """The longest school and grade a campaign stores, a 4,000-character disclosure (a text
    question's most), escalated, with the longest outcome note: still one message."""
    longest = facts(
        school="W" * column_limit(Campaign, "school"),
        grade="W" * column_limit(Campaign, "grade"),
        audience="caregiver",
        timezone="America/Argentina/ComodRivadavia",
        text="W" * 4000,
        escalated_at=T0,
    )
    name = "W" * column_limit(StaffMember, "display_name")
    notes = [outcome_text(s, name, language) for s in AlertStatus if s != AlertStatus.OPEN]
    notes.append(t("alerts.owner_note", language, minutes=24 * 60))
    for note in notes:
        text = alert_text(longest, language, note=note)
        assert len(text) <= MESSAGE_LIMIT, len(text)
    assert "…" in alert_text(longest, language)  # the quote was shortened, visibly


@pytest.mark.parametrize("status", [AlertStatus.FOLLOWING_UP, AlertStatus.NOT_A_CONCERN])
def test_button_data_round_trips_and_fits_signed(status: AlertStatus) -> None:
    data = alert_data(999_999_999_999, status)
    assert parse_alert_data(data) == (999_999_999_999, status)
    assert len(sign(data, chat_id=-1_000_000_000_000, key=b"k" * 32).encode()) <= MAX_BYTES


@pytest.mark.parametrize(
    "data",
    [None, "", "alert", "alert:1", "alert:x:follow", "alert:01:follow", "alert:1:open",
     "alert:1:follow:extra", "a:1:follow", "alert:-1:follow", "alert:1234567890123:follow"],
)  # fmt: skip
def test_malformed_button_data_is_refused(data: str | None) -> None:
    assert parse_alert_data(data) is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_buttons_are_the_two_outcomes_in_the_readers_language(language: str) -> None:
    keyboard = alert_keyboard(7, language)
    labels = [row[0].text for row in keyboard.inline_keyboard]
    assert labels == [
        t("alerts.buttons.following_up", language),
        t("alerts.buttons.not_a_concern", language),
    ]
    data = [row[0].callback_data for row in keyboard.inline_keyboard]
    assert data == ["alert:7:follow", "alert:7:dismiss"]


def test_an_unknown_timezone_falls_back_to_utc_rather_than_failing() -> None:
    assert (
        format_moment(T0, "Mars/Olympus", "en") == "Mon, Mar 2, 2026, 3:00\u202fPM (Mars/Olympus)"
    )
    assert replace(facts(), timezone="Mars/Olympus").timezone == "Mars/Olympus"
