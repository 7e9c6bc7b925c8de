"""How the packet writes names, numbers and dates in each language.

The words themselves live in the one text catalog, `surveys/locales/<lang>/packet.yaml`,
read with `surveys.i18n.t("packet.<key>", language)`, so a translator reviews YAML files
only. Numbers, percentages and dates follow Babel's locale data (CLDR): 1,234.5 and 45%
in English, 1234,5 and 45 % in Spanish, written as readers of each language expect.
"""

from __future__ import annotations

from datetime import date

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from surveys.i18n import keys, t

LANGUAGES = ("en", "es")
PREFIX = "packet."


def text(key: str, language: str, **params: object) -> str:
    """The packet text `key` (without its `packet.` prefix) from the shared catalog."""
    return t(PREFIX + key, language, **params)


def domain_label(domain: str, language: str) -> str:
    """A readable name for a domain id; unknown ids are shown capitalized, never dropped."""
    key = f"domains.{domain}"
    if PREFIX + key in keys(language):
        return text(key, language)
    return domain.replace("_", " ").capitalize()


def group_label(dimension: str, group: str, language: str) -> str:
    """How a group value reads in the packet (roles and languages are translated)."""
    prefix = {"role": "role_", "language": "lang_"}.get(dimension)
    if prefix is not None and f"{PREFIX}{prefix}{group}" in keys(language):
        return text(prefix + group, language)
    return group


def percent(value: float, language: str, digits: int = 0) -> str:
    """A percentage the way readers of `language` write it ("45%", "45 %")."""
    pattern = Locale.parse(language).percent_formats[None].pattern
    if digits:  # the locale's own pattern ("#,##0 %"), with decimals after its last digit
        at = pattern.rindex("0") + 1
        pattern = pattern[:at] + "." + "0" * digits + pattern[at:]
    return format_percent(value / 100, format=pattern, locale=language)


def number(value: float, language: str, digits: int = 1) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=language)


def integer(value: float, language: str) -> str:
    """A count with the locale's grouping: 10,000 in English, 10.000 in Spanish."""
    return format_decimal(int(value), format="#,##0", locale=language)


def long_date(day: date, language: str) -> str:
    """ "2 December 2026" / "2 de diciembre de 2026"."""
    return format_date(day, format="long", locale=language)
