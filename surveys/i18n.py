"""The text catalog: every sentence a respondent, staff member or facilitator reads.

Every sentence lives in `surveys/locales/<lang>/*.yaml`, so a
new language is a folder of translations and no code. All YAML files of one
language are merged, which lets the engine's texts (`engine.yaml`) and the bot's
command texts (`bot.yaml`) be kept by different people; a key defined twice in one
language is an error rather than a silent override.

Nested YAML mappings become dotted keys: ``errors: {skip_required: ...}`` is
``errors.skip_required``.

A language may also have *registers*: Spanish speaks to students with "tú" and to
families with "usted", as the built-in surveys do, and one message must not mix the
two. Overrides live under ``register.<name>.<key>`` and are asked for with
``t(key, "es@formal")``; a language or key without an override uses the plain text,
so "en@formal" is simply English.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_percent

from surveys.errors import ChorusError

LOCALES_DIR = Path(__file__).parent / "locales"
FALLBACK_LANGUAGE = "en"
REGISTER_PREFIX = "register."


class CatalogError(ChorusError, ValueError):
    """A locale file that cannot be used: bad YAML, a non-text leaf, or a duplicate key."""


def _flatten(tree: Mapping[str, Any], prefix: str, into: dict[str, str], source: Path) -> None:
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            _flatten(value, f"{key}.", into, source)
            continue
        if not isinstance(value, str):
            raise CatalogError(f"{source.name}: {key} must be text, not {type(value).__name__}")
        if key in into:
            raise CatalogError(f"{source.name}: {key} is already defined in another file")
        into[key] = value


@cache
def _catalog(language: str) -> Mapping[str, str]:
    messages: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / language).glob("*.yaml")):
        try:
            tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise CatalogError(f"{path.name}: {exc}") from exc
        if not isinstance(tree, Mapping):
            raise CatalogError(f"{path.name}: the top level must be a mapping")
        _flatten(tree, "", messages, path)
    return messages


@cache
def languages() -> tuple[str, ...]:
    """The shipped languages: every locale folder holding at least one YAML file."""
    return tuple(
        sorted(p.name for p in LOCALES_DIR.iterdir() if p.is_dir() and any(p.glob("*.yaml")))
    )


def split_register(language: str) -> tuple[str, str | None]:
    """ "es@formal" -> ("es", "formal"); "es" -> ("es", None)."""
    code, _, register = language.partition("@")
    return code, register or None


def resolve_language(language: str) -> str:
    """The shipped language that serves `language`: itself, its base ("es-MX" -> "es"), or English.

    An unknown language falls back to English because a respondent must always get
    an answer; a *shipped* language missing a key is a bug caught by the tests.
    """
    language, _ = split_register(language)
    shipped = languages()
    if language in shipped:
        return language
    base = language.split("-", 1)[0].split("_", 1)[0].lower()
    return base if base in shipped else FALLBACK_LANGUAGE


def keys(language: str) -> frozenset[str]:
    """Every plain key of `language` (register overrides left out), for completeness checks."""
    catalog = _catalog(resolve_language(language))
    return frozenset(k for k in catalog if not k.startswith(REGISTER_PREFIX))


def register_overrides(language: str) -> dict[str, dict[str, str]]:
    """Register name -> {plain key: override text} for `language`."""
    overrides: dict[str, dict[str, str]] = {}
    for key, text in _catalog(resolve_language(language)).items():
        if key.startswith(REGISTER_PREFIX):
            register, _, plain = key.removeprefix(REGISTER_PREFIX).partition(".")
            overrides.setdefault(register, {})[plain] = text
    return overrides


def t(key: str, language: str, /, **params: object) -> str:
    """The text for `key` in `language` ("es", "es-MX", "es@formal"), placeholders filled."""
    _, register = split_register(language)
    catalog = _catalog(resolve_language(language))
    template = catalog.get(f"{REGISTER_PREFIX}{register}.{key}") if register else None
    if template is None:
        template = catalog.get(key)
    if template is None:
        template = _catalog(FALLBACK_LANGUAGE).get(key)
    if template is None:
        raise KeyError(f"no text for {key!r}")
    return template.format(**params)


# --- numbers and dates ------------------------------------------------------------------
# Babel knows each locale's separators, percent signs and month names ("15 de marzo de
# 2026", "25 %"), so no text in chorus spells them out by hand.


@cache
def locale(language: str) -> Locale:
    """The Babel locale for `language` ("es", "es-MX", "es@formal"); English if unknown."""
    code, _ = split_register(language)
    try:
        return Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse(resolve_language(code))


def format_number(value: float, language: str) -> str:
    """12345.5 -> "12,345.5" in English, "12.345,5" in Spanish."""
    return str(format_decimal(value, locale=locale(language)))


def format_percent(value: float, language: str) -> str:
    """0.25 -> "25%" in English, "25 %" in Spanish."""
    return str(babel_percent(value, locale=locale(language)))


def format_day(
    moment: date | datetime, language: str, width: Literal["short", "medium", "long"] = "long"
) -> str:
    """A calendar day: "March 15, 2026" / "15 de marzo de 2026" (long), "Mar 15, 2026" (medium)."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return str(format_date(day, format=width, locale=locale(language)))
