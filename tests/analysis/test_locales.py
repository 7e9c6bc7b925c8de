"""The packet's words: both languages complete, numbers written the local way."""

from __future__ import annotations

from analysis.locales import STRINGS, domain_label, group_label, integer, number, percent, t


def test_spanish_has_every_english_key() -> None:
    assert set(STRINGS["es"]) == set(STRINGS["en"])


def test_numbers_in_each_language() -> None:
    assert percent(86.666, "en") == "87%"
    assert percent(86.666, "es") == "87\u00a0%"
    assert number(3.45, "es", 2) == "3,45"
    assert integer(10000, "en") == "10,000"
    assert integer(10000, "es") == "10.000"


def test_labels() -> None:
    assert domain_label("belonging", "es") == "Pertenencia"
    assert domain_label("school_climate", "en") == "School climate"
    assert group_label("role", "caregiver", "es") == "Familias"
    assert group_label("language", "es", "en") == "Spanish"
    assert group_label("grade", "9", "es") == "9"
    assert t("by_dimension", "es", dimension="rol") == "Respuestas por rol"


def test_every_domain_of_the_builtin_surveys_has_a_label_in_each_language() -> None:
    from analysis.locales import DOMAINS
    from surveys.loader import builtin_surveys

    domains = {q.domain for survey in builtin_surveys() for q in survey.questions}
    for language in ("en", "es"):
        assert domains <= set(DOMAINS[language]), (language, domains - set(DOMAINS[language]))
    assert domain_label("consistency", "es") == "Constancia"
    assert domain_label("barriers", "en") == "What gets in the way"
