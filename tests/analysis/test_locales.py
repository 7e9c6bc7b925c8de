"""The packet's words: both languages complete in the one catalog, numbers written the local way."""

from __future__ import annotations

from datetime import date

from analysis.locales import PREFIX, domain_label, group_label, integer, long_date, number, percent
from analysis.locales import text as t
from surveys.i18n import keys


def _packet_keys(language: str) -> set[str]:
    return {k for k in keys(language) if k.startswith(PREFIX)}


def test_spanish_has_every_english_packet_key() -> None:
    assert _packet_keys("en")
    assert _packet_keys("es") == _packet_keys("en")


def test_numbers_in_each_language() -> None:
    assert percent(86.666, "en") == "87%"
    assert percent(86.666, "es") == "87\u00a0%"
    assert number(3.45, "es", 2) == "3,45"
    assert integer(10000, "en") == "10,000"
    assert integer(10000, "es") == "10.000"


def test_dates_in_each_language() -> None:
    assert long_date(date(2026, 12, 2), "en") == "December 2, 2026"
    assert long_date(date(2026, 12, 2), "es") == "2 de diciembre de 2026"


def test_labels() -> None:
    assert domain_label("belonging", "es") == "Pertenencia"
    assert domain_label("school_climate", "en") == "School climate"
    assert group_label("role", "caregiver", "es") == "Familias"
    assert group_label("language", "es", "en") == "Spanish"
    assert group_label("grade", "9", "es") == "9"
    assert t("by_dimension", "es", dimension="rol") == "Respuestas por rol"


def test_every_domain_of_the_builtin_surveys_has_a_label_in_each_language() -> None:
    from surveys.loader import builtin_surveys

    domains = {q.domain for survey in builtin_surveys() for q in survey.questions}
    for language in ("en", "es"):
        labelled = {k.removeprefix(f"{PREFIX}domains.") for k in _packet_keys(language)}
        assert domains <= labelled, (language, domains - labelled)
    assert domain_label("consistency", "es") == "Constancia"
    assert domain_label("barriers", "en") == "What gets in the way"
