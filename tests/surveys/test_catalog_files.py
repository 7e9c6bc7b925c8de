"""Every catalog file of every language has the same keys and placeholders as English's.

Compared file by file (`engine.yaml`, `bot.yaml`, `flyer.yaml`, and any file added
later, such as the packet's), so a key missing in one language fails here instead
of quietly falling back to English in front of a respondent or a facilitator.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from string import Formatter
from typing import Any

import pytest
import yaml

from surveys.i18n import FALLBACK_LANGUAGE, LOCALES_DIR, REGISTER_PREFIX, t

LANGUAGES = sorted(p.name for p in LOCALES_DIR.iterdir() if p.is_dir())
FILES = sorted({p.name for p in LOCALES_DIR.glob("*/*.yaml")})


def _flat(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_flat(value, f"{key}."))
        else:
            flat[key] = str(value)
    return flat


def _texts(language: str, name: str) -> dict[str, str] | None:
    path = LOCALES_DIR / language / name
    if not path.is_file():
        return None
    texts = _flat(yaml.safe_load(path.read_text("utf-8")) or {})
    return {k: v for k, v in texts.items() if not k.startswith(REGISTER_PREFIX)}


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(template) if field is not None}


def test_the_catalog_has_files_in_two_languages_at_least() -> None:
    assert {"en", "es"} <= set(LANGUAGES)
    assert {"engine.yaml", "bot.yaml", "flyer.yaml"} <= set(FILES)


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_file_has_every_key_in_every_language(language: str, name: str) -> None:
    english = _texts(FALLBACK_LANGUAGE, name)
    texts = _texts(language, name)
    assert english is not None, f"{name} exists in some language but not in English"
    assert texts is not None, f"{language}/{name} is missing"
    assert sorted(set(english) - set(texts)) == [], f"{language}/{name} lacks these keys"
    assert sorted(set(texts) - set(english)) == [], f"{language}/{name} has keys English lacks"
    differing = {
        key: (_placeholders(english[key]), _placeholders(texts[key]))
        for key in english
        if _placeholders(english[key]) != _placeholders(texts[key])
    }
    assert differing == {}, f"{language}/{name}: placeholders differ"


def test_a_missing_key_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above can fail: a Spanish file without one English key is reported."""
    for language in ("en", "es"):
        (tmp_path / language).mkdir()
    (tmp_path / "en" / "extra.yaml").write_text("x: {a: A, b: 'B {n}'}\n", "utf-8")
    (tmp_path / "es" / "extra.yaml").write_text("x: {a: A}\n", "utf-8")
    monkeypatch.setattr(sys.modules[__name__], "LOCALES_DIR", tmp_path)
    with pytest.raises(AssertionError, match="lacks these keys"):
        test_every_file_has_every_key_in_every_language("es", "extra.yaml")


def test_the_flyer_speaks_formally_in_spanish() -> None:
    assert "Su voz" in t("flyer.heading", "es")
    assert t("flyer.heading", "es@formal") == t("flyer.heading", "es")
