"""Numbers, percentages and dates come from Babel, in the reader's language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from surveys.i18n import format_day, format_number, format_percent, locale


@pytest.mark.parametrize(
    ("language", "number", "percent", "day"),
    [
        ("en", "12,345.5", "25%", "March 15, 2026"),
        ("es", "12.345,5", "25\xa0%", "15 de marzo de 2026"),
        ("es@formal", "12.345,5", "25\xa0%", "15 de marzo de 2026"),
    ],
)
def test_formats_follow_the_language(language: str, number: str, percent: str, day: str) -> None:
    assert format_number(12345.5, language) == number
    assert format_percent(0.25, language) == percent
    assert format_day(date(2026, 3, 15), language) == day
    assert format_day(datetime(2026, 3, 15, 23, 59, tzinfo=UTC), language) == day


def test_medium_dates_for_the_command_line() -> None:
    assert format_day(date(2026, 3, 15), "en", "medium") == "Mar 15, 2026"


@pytest.mark.parametrize("language", ["es-MX", "es_MX", "xx", "", "en@formal"])
def test_any_language_tag_gets_a_locale(language: str) -> None:
    assert locale(language).language in {"es", "en"}
