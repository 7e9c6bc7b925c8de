"""The deductive codebook: themes with English and Spanish keywords, editable as YAML.

Organizations edit the YAML, not Python, so every rule a keyword follows is explained in
the bundled file and every mistake gets a one-line message naming the file and the problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analysis.textnorm import LANGUAGES, fold

DEFAULT_PATH = Path(__file__).with_name("codebook.yaml")

_WORD_START = r"(?<!\w)"
_WORDS = re.compile(r"\w+")
# Between the words of a phrase: spaces or hyphens ("after school" == "after-school").
_GAP = r"[\s\-]+"


class CodebookError(ValueError):
    """A codebook file that cannot be used; the message is one line for the user."""


def _lead(keyword: str) -> str:
    """The literal letters any match of the keyword starts a word with."""
    words = fold(keyword).split()
    first = words[0]
    plural_y = len(first) > 2 and first.endswith("y") and first[-2] not in "aeiou"
    if len(words) == 1 and (first.endswith("*") or plural_y):
        first = first[:-1]
    letters = _WORDS.match(first)
    return letters.group(0) if letters else ""  # "" is looked up for every answer


def keyword_pattern(keyword: str) -> str:
    """The regex source for one folded keyword.

    Whole words only; "word*" is a prefix; otherwise the last word may take a simple plural
    (s/es, or y -> ies), which covers both languages well enough for survey answers.
    """
    words = fold(keyword).split()
    parts = [re.escape(w) for w in words[:-1]]
    last = words[-1]
    if last.endswith("*"):
        parts.append(re.escape(last[:-1]) + r"\w*")
    elif len(last) > 2 and last.endswith("y") and last[-2] not in "aeiou":
        parts.append(re.escape(last[:-1]) + r"(?:y|ies)")
    else:
        parts.append(re.escape(last) + r"(?:e?s)?")
    return _WORD_START + _GAP.join(parts) + r"(?!\w)"


@dataclass(frozen=True)
class Theme:
    id: str
    labels: Mapping[str, str]
    keywords: Mapping[str, tuple[str, ...]]
    pattern: re.Pattern[str] = field(compare=False, repr=False)

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels["en"]

    def all_keywords(self) -> tuple[str, ...]:
        return tuple(kw for language in LANGUAGES for kw in self.keywords.get(language, ()))

    def hits(self, folded: str) -> int:
        """Keyword occurrences in a folded answer (0 = the theme is not mentioned)."""
        return len(self.pattern.findall(folded))


@dataclass(frozen=True)
class Codebook:
    themes: tuple[Theme, ...]
    stop_phrases: frozenset[str] = frozenset()
    source: str = "codebook"
    _leads: re.Pattern[str] | None = field(init=False, compare=False, repr=False, default=None)
    _lead_themes: dict[str, frozenset[str]] = field(
        init=False, compare=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        themes_by_lead: dict[str, set[str]] = {}
        for theme in self.themes:
            for keyword in theme.all_keywords():
                themes_by_lead.setdefault(_lead(keyword), set()).add(theme.id)
        # A word that starts with a long lead also starts with every shorter lead that
        # prefixes it, so each lead carries the themes of its prefixes too.
        closed = {
            lead: frozenset().union(
                *(ids for other, ids in themes_by_lead.items() if lead.startswith(other))
            )
            for lead in themes_by_lead
        }
        alternatives = sorted((lead for lead in closed if lead), key=len, reverse=True)
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, alternatives)) + ")")
        object.__setattr__(self, "_leads", pattern)
        object.__setattr__(self, "_lead_themes", closed)

    def match(self, folded: str) -> dict[str, int]:
        """Theme id -> keyword hits, for every theme the folded answer mentions.

        Every match starts a word with its keyword's first letters ("lead"), so one scan for
        leads picks the few themes worth a full regex search; the result is the same as
        searching every theme (tested), at a fraction of the cost.
        """
        candidates: set[str] = set(self._lead_themes.get("", ()))
        for lead in set(self._leads.findall(folded)):
            candidates.update(self._lead_themes[lead])
        found: dict[str, int] = {}
        for theme in self.themes:
            if theme.id in candidates and theme.pattern.search(folded) is not None:
                found[theme.id] = theme.hits(folded)
        return found

    def covers(self, phrase: str) -> bool:
        """Whether a codebook theme already matches `phrase`.

        Emergent themes are there to show what the codebook misses; a phrase such as
        "college" would only repeat the College theme under another name.
        """
        return bool(self.match(fold(phrase)))

    def theme(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)


def load_codebook(path: Path | None = None) -> Codebook:
    """Read and check a codebook YAML file (default: the bundled one)."""
    path = Path(path) if path is not None else DEFAULT_PATH
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CodebookError(f"{name}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"{name}: cannot be read ({exc.__class__.__name__})") from None
    return parse_codebook(text, source=name)


def parse_codebook(text: str, *, source: str = "codebook") -> Codebook:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CodebookError(f"{source}: not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise CodebookError(f"{source}: expected a mapping with a 'themes' list at the top")
    raw_themes = data.get("themes")
    if not isinstance(raw_themes, list) or not raw_themes:
        raise CodebookError(f"{source}: 'themes' must be a non-empty list")
    themes: list[Theme] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_themes, start=1):
        theme = _parse_theme(raw, index, source)
        if theme.id in seen:
            raise CodebookError(f"{source}: theme id '{theme.id}' is used twice")
        seen.add(theme.id)
        themes.append(theme)
    return Codebook(
        themes=tuple(themes), stop_phrases=_parse_stop_phrases(data, source), source=source
    )


def _parse_theme(raw: object, index: int, source: str) -> Theme:
    if not isinstance(raw, dict):
        raise CodebookError(f"{source}: theme {index} must be a mapping with id, label, keywords")
    theme_id = raw.get("id")
    if not isinstance(theme_id, str) or not re.fullmatch(r"[a-z0-9_]+", theme_id):
        raise CodebookError(
            f"{source}: theme {index} needs an 'id' of lower-case letters, digits and _"
        )
    labels = raw.get("label")
    if not isinstance(labels, dict) or any(
        not isinstance(labels.get(lang), str) or not labels[lang].strip() for lang in LANGUAGES
    ):
        raise CodebookError(f"{source}: theme '{theme_id}' needs a label in en and es")
    raw_keywords = raw.get("keywords")
    if not isinstance(raw_keywords, dict):
        raise CodebookError(f"{source}: theme '{theme_id}' needs 'keywords' with en and es lists")
    keywords: dict[str, tuple[str, ...]] = {}
    for lang in LANGUAGES:
        items = raw_keywords.get(lang, [])
        if items is None:
            items = []
        if not isinstance(items, list):
            raise CodebookError(f"{source}: theme '{theme_id}' keywords.{lang} must be a list")
        keywords[lang] = tuple(_check_keyword(kw, theme_id, source) for kw in items)
    unknown = set(raw_keywords) - set(LANGUAGES)
    if unknown:
        raise CodebookError(
            f"{source}: theme '{theme_id}' has keywords for unknown language "
            f"'{sorted(map(str, unknown))[0]}' (use en or es)"
        )
    all_keywords = [kw for lang in LANGUAGES for kw in keywords[lang]]
    if not all_keywords:
        raise CodebookError(f"{source}: theme '{theme_id}' has no keywords")
    pattern = _theme_pattern(all_keywords)
    return Theme(
        id=theme_id,
        labels={lang: labels[lang].strip() for lang in LANGUAGES},
        keywords=keywords,
        pattern=pattern,
    )


def _theme_pattern(keywords: list[str]) -> re.Pattern[str]:
    """One regex for all of a theme's keywords, built for speed but matching exactly like
    trying `keyword_pattern` of each keyword in turn.

    The word-start check comes once, before the alternation, and alternatives are grouped by
    their first letter, so at each position only a few branches are tried (about 20x faster
    than an alternation of separate keyword patterns). Longest first within a letter, so a
    phrase wins over a word it starts with when counting hits.
    """
    bodies = sorted(
        dict.fromkeys(keyword_pattern(kw).removeprefix(_WORD_START) for kw in keywords),
        key=len,
        reverse=True,
    )
    by_letter: dict[str, list[str]] = {}
    for body in bodies:
        by_letter.setdefault(body[:2] if body.startswith("\\") else body[0], []).append(body)
    branches = "|".join("(?:" + "|".join(group) + ")" for group in by_letter.values())
    return re.compile(_WORD_START + "(?:" + branches + ")")


def _check_keyword(keyword: object, theme_id: str, source: str) -> str:
    if not isinstance(keyword, str):
        raise CodebookError(
            f"{source}: theme '{theme_id}' has a keyword that is not text: {keyword!r}"
        )
    cleaned = " ".join(keyword.split())
    bare = cleaned.replace("*", "")
    if len(bare) < 2 or "*" in cleaned[:-1]:
        raise CodebookError(
            f"{source}: theme '{theme_id}' keyword '{keyword}' must have 2+ letters and "
            "'*' only at the end"
        )
    return cleaned


def _parse_stop_phrases(data: dict[str, object], source: str) -> frozenset[str]:
    emergent = data.get("emergent") or {}
    if not isinstance(emergent, dict):
        raise CodebookError(f"{source}: 'emergent' must be a mapping")
    phrases = emergent.get("stop_phrases") or []
    if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
        raise CodebookError(f"{source}: emergent.stop_phrases must be a list of text")
    return frozenset(" ".join(p.lower().split()) for p in phrases)
