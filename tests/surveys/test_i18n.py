from collections.abc import Iterator
from pathlib import Path
from string import Formatter

import pytest

from surveys import i18n
from surveys.i18n import (
    CatalogError,
    keys,
    languages,
    register_overrides,
    resolve_language,
    split_register,
    t,
)


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name is not None}


def _has_words(template: str) -> bool:
    """Whether a text has words of its own, not only placeholders and symbols like "{a}/{b}"."""
    literal = "".join(text for text, _, _, _ in Formatter().parse(template))
    return any(c.isalpha() for c in literal)


def test_english_and_spanish_are_shipped() -> None:
    assert {"en", "es"} <= set(languages())


@pytest.mark.parametrize("language", [code for code in languages() if code != "en"])
def test_every_language_has_the_same_keys_as_english(language: str) -> None:
    assert keys(language) == keys("en")


@pytest.mark.parametrize("language", [code for code in languages() if code != "en"])
def test_every_text_has_the_same_placeholders_as_english(language: str) -> None:
    english = i18n._catalog("en")
    translated = i18n._catalog(language)
    mismatched = {
        key: (_placeholders(english[key]), _placeholders(translated[key]))
        for key in english
        if key in translated and _placeholders(english[key]) != _placeholders(translated[key])
    }
    assert mismatched == {}


def test_spanish_texts_are_translated_not_copied() -> None:
    english = i18n._catalog("en")
    spanish = i18n._catalog("es")
    copied = {
        key
        for key, text in english.items()
        if spanish.get(key) == text and _has_words(text) and key not in {"buttons.no"}
    }
    assert copied == set()


@pytest.mark.parametrize("language", languages())
def test_register_overrides_replace_existing_texts_with_the_same_placeholders(
    language: str,
) -> None:
    plain = i18n._catalog(language)
    for register, overrides in register_overrides(language).items():
        assert set(overrides) <= keys(language), register
        for key, text in overrides.items():
            assert _placeholders(text) == _placeholders(plain[key]), key


def test_spanish_has_a_formal_register() -> None:
    assert split_register("es@formal") == ("es", "formal")
    assert resolve_language("es-MX@formal") == "es"
    assert t("errors.tap_button", "es") == "Por favor, toca uno de los botones de arriba."
    assert t("errors.tap_button", "es@formal") == "Por favor, toque uno de los botones de arriba."
    # No override: the plain text. English has no registers at all.
    assert t("buttons.skip", "es@formal") == "Saltar"
    assert t("errors.tap_button", "en@formal") == t("errors.tap_button", "en")
    assert t("errors.tap_button", "fr@formal") == t("errors.tap_button", "en")


def test_placeholders_are_filled() -> None:
    assert t("question.position", "en", number=3, total=12) == "3/12"
    assert t("answer.other", "es", text="robótica") == "Otra: robótica"
    assert "Casa Aurora" in t("consent.statement", "en", organization="Casa Aurora")


def test_texts_in_spanish() -> None:
    assert t("buttons.skip", "es") == "Saltar"
    assert t("errors.text_too_long", "es", length=52, limit=40) == (
        "Tu respuesta tiene 52 caracteres y el límite es 40. Acórtala un poco y vuelve a enviarla."
    )


def test_an_unknown_language_falls_back_to_english() -> None:
    assert resolve_language("fr") == "en"
    assert t("buttons.skip", "fr") == "Skip"


def test_a_regional_variant_uses_its_base_language() -> None:
    assert resolve_language("es-MX") == "es"
    assert t("buttons.back", "es-MX") == "Atrás"


def test_an_unknown_key_is_an_error() -> None:
    with pytest.raises(KeyError):
        t("no.such.key", "en")


@pytest.fixture
def locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n._catalog.cache_clear()
    i18n.languages.cache_clear()
    yield tmp_path
    i18n._catalog.cache_clear()
    i18n.languages.cache_clear()


def test_all_files_of_a_language_are_merged(locales: Path) -> None:
    (locales / "en").mkdir()
    (locales / "en" / "engine.yaml").write_text("errors:\n  oops: Oops, {name}.\n")
    (locales / "en" / "bot.yaml").write_text("bot:\n  help:\n    title: Help\n")
    (locales / "fr").mkdir()  # a folder without YAML files is not a language
    assert languages() == ("en",)
    assert t("errors.oops", "en", name="Ana") == "Oops, Ana."
    assert t("bot.help.title", "en") == "Help"


def test_a_key_defined_in_two_files_is_an_error(locales: Path) -> None:
    (locales / "en").mkdir()
    (locales / "en" / "a.yaml").write_text("buttons:\n  skip: Skip\n")
    (locales / "en" / "b.yaml").write_text("buttons:\n  skip: Pass\n")
    with pytest.raises(CatalogError, match=r"buttons\.skip"):
        t("buttons.skip", "en")


def test_a_non_text_value_is_an_error(locales: Path) -> None:
    (locales / "en").mkdir()
    (locales / "en" / "a.yaml").write_text("buttons:\n  count: 3\n")
    with pytest.raises(CatalogError, match=r"buttons\.count must be text"):
        t("buttons.count", "en")
