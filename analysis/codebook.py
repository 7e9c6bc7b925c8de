"""The deductive codebook: themes with English and Spanish keywords, editable as YAML.

Organizations edit the YAML, not Python, so every rule a keyword follows is explained in
the bundled file and every mistake gets a one-line message naming the file and the problem.

A keyword matches only answers in its own language, word by word, on Snowball stems: the
Spanish `beca*` cannot reach the English "because", nor `kinder` the English "be kinder".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from stop_words import get_stop_words

from analysis.textnorm import LANGUAGES, MATCH_WORD, fold, stem_words
from surveys.errors import ChorusError

DEFAULT_PATH = Path(__file__).with_name("codebook.yaml")

# A stem this short, or shared with a stop word, is too loose to match on: Spanish
# "comida" stems to "com", like "como"; "parada" to "par", like "para". Such a keyword
# word matches itself and its simple plural only.
MIN_STEM = 4


class CodebookError(ChorusError, ValueError):
    """A codebook file that cannot be used; the message is one line for the user."""


@lru_cache(maxsize=len(LANGUAGES))
def _stop_stems(language: str) -> frozenset[str]:
    words = [fold(w) for w in get_stop_words(language)]
    return frozenset(stem_words(words, language)) | frozenset(words)


@dataclass(frozen=True)
class Part:
    """One word of a keyword and how an answer word must look to match it."""

    kind: str  # "prefix" (word*), "stem" (same Snowball stem) or "exact" (word or plural)
    text: str
    forms: frozenset[str] = frozenset()
    head: str = ""

    def matches(self, word: str, stem: str) -> bool:
        if self.kind == "prefix":
            return word.startswith(self.text)
        if self.kind == "stem":
            return stem == self.text and word.startswith(self.head)
        return word in self.forms


def _plural_forms(word: str) -> frozenset[str]:
    forms = {word, word + "s", word + "es"}
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        forms.add(word[:-1] + "ies")
    return frozenset(forms)


def _part(word: str, language: str, last: bool) -> Part:
    if last and word.endswith("*"):
        return Part("prefix", word[:-1])
    stem = stem_words([word], language)[0]
    if len(stem) < MIN_STEM or stem in _stop_stems(language):
        return Part("exact", word, _plural_forms(word))
    # Snowball cuts Spanish hard ("comunidad" and "comunicación" both give "comun"), so the
    # answer word must also keep the keyword's letters up to its last two.
    head = word[: len(word) - 2] if len(word) > 5 else word[:MIN_STEM]
    return Part("stem", stem, head=head)


@dataclass(frozen=True)
class Keyword:
    text: str
    language: str
    theme_id: str
    parts: tuple[Part, ...]

    def matches_at(self, words: Sequence[str], stems: Sequence[str], index: int) -> bool:
        """Whether the keyword's words start at `words[index]` (folded words, their stems)."""
        if index + len(self.parts) > len(words):
            return False
        return all(
            part.matches(words[index + k], stems[index + k]) for k, part in enumerate(self.parts)
        )


def make_keyword(text: str, language: str, theme_id: str) -> Keyword:
    folded = fold(text)
    words = MATCH_WORD.findall(folded)
    if folded.endswith("*"):
        words[-1] += "*"
    parts = tuple(_part(w, language, k == len(words) - 1) for k, w in enumerate(words))
    return Keyword(text=text, language=language, theme_id=theme_id, parts=parts)


def scan(
    keywords_at: Mapping[int, Sequence[Keyword]], words: Sequence[str], stems: Sequence[str]
) -> dict[str, int]:
    """Theme id -> hits, left to right: at each word, a theme's longest matching keyword
    counts once and the theme's next match starts after it ("bus stop" is one hit, not two).
    `keywords_at` gives, per word position, the keywords worth trying there, longest first.
    """
    found: dict[str, int] = {}
    free_from: dict[str, int] = {}
    for index in sorted(keywords_at):
        for keyword in keywords_at[index]:
            theme_id = keyword.theme_id
            if free_from.get(theme_id, 0) > index or not keyword.matches_at(words, stems, index):
                continue
            found[theme_id] = found.get(theme_id, 0) + 1
            free_from[theme_id] = index + len(keyword.parts)
    return found


@dataclass(frozen=True)
class Theme:
    id: str
    labels: Mapping[str, str]
    keywords: Mapping[str, tuple[str, ...]]

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels["en"]

    def all_keywords(self) -> tuple[str, ...]:
        return tuple(kw for language in LANGUAGES for kw in self.keywords.get(language, ()))


class _LanguageIndex:
    """Keywords of one language, looked up by the first word of an answer they can start at.

    Answers repeat their words, so each distinct word is stemmed and checked against every
    keyword once; after that an answer costs two set operations and a few dict look-ups.
    """

    def __init__(self, language: str, keywords: list[Keyword]) -> None:
        self.language = language
        self.keywords = sorted(keywords, key=lambda kw: -len(kw.parts))
        self.stems: dict[str, str] = {}
        self.starts: dict[str, tuple[Keyword, ...]] = {}
        # Themes of the one-word keywords a word matches, and the words that may start a
        # phrase keyword: an answer with no phrase start is counted without `scan`.
        self.singles: dict[str, tuple[str, ...]] = {}
        self.keyed: set[str] = set()
        self.phrase_starts: set[str] = set()
        self.pairs: dict[tuple[str, str], bool] = {}
        # Keywords by what their first word needs, so a new word is checked against the few
        # keywords it could start rather than all of them.
        self.by_form: dict[str, list[Keyword]] = {}
        self.by_stem: dict[str, list[Keyword]] = {}
        self.by_prefix: dict[str, list[Keyword]] = {}
        for keyword in self.keywords:
            first = keyword.parts[0]
            if first.kind == "exact":
                for form in first.forms:
                    self.by_form.setdefault(form, []).append(keyword)
            else:
                table = self.by_stem if first.kind == "stem" else self.by_prefix
                table.setdefault(first.text, []).append(keyword)
        self.prefixes = tuple(self.by_prefix)
        self.order = {kw: index for index, kw in enumerate(self.keywords)}
        self.longest = max((len(kw.parts) for kw in self.keywords), default=1)

    def runs_on(self, words: Sequence[str]) -> bool:
        """Whether a keyword of several words may start among the last words of `words`
        and so run on into whatever follows them."""
        if self.longest < 2 or not words:
            return False
        tail = words[-(self.longest - 1) :]
        self.learn(set(tail))
        return not self.phrase_starts.isdisjoint(tail)

    def crosses(self, before: Sequence[str], after: Sequence[str]) -> bool:
        """Whether a keyword starting in `before` matches on into `after` (the words that
        follow, at least the `longest - 1` first ones or all there are)."""
        tail = list(before[-(self.longest - 1) :]) if self.longest > 1 else []
        window = tail + list(after[: self.longest - 1])
        self.learn(set(window))
        stems = [self.stems[w] for w in window]
        for index, word in enumerate(tail):
            if word not in self.phrase_starts:
                continue
            for keyword in self.starts[word]:
                if index + len(keyword.parts) > len(tail) and keyword.matches_at(
                    window, stems, index
                ):
                    return True
        return False

    def learn(self, words: set[str]) -> None:
        new = [w for w in words if w not in self.stems]
        if not new:
            return
        for word, stem in zip(new, stem_words(new, self.language), strict=True):
            self.stems[word] = stem
            first = self._starting_with(word, stem)
            if not first:
                continue
            self.starts[word] = first
            self.keyed.add(word)
            self.singles[word] = tuple(
                dict.fromkeys(kw.theme_id for kw in first if len(kw.parts) == 1)
            )
            if any(len(kw.parts) > 1 for kw in first):
                self.phrase_starts.add(word)

    def _starting_with(self, word: str, stem: str) -> tuple[Keyword, ...]:
        """Keywords whose first word matches `word`, longest first (as in `self.keywords`)."""
        found = [*self.by_form.get(word, ()), *self.by_stem.get(stem, ())]
        if word.startswith(self.prefixes):
            for prefix in self.prefixes:
                if word.startswith(prefix):
                    found.extend(self.by_prefix[prefix])
        matching = {kw for kw in found if kw.parts[0].matches(word, stem)}
        return tuple(sorted(matching, key=self.order.__getitem__))

    def match(self, words: list[str]) -> dict[str, int]:
        distinct = set(words)
        self.learn(distinct)
        if self.keyed.isdisjoint(distinct):
            return {}
        if self.phrase_starts.isdisjoint(distinct) or not self._has_phrase(words):
            found: dict[str, int] = {}
            singles = self.singles
            for word in words:
                for theme_id in singles.get(word, ()):
                    found[theme_id] = found.get(theme_id, 0) + 1
            return found
        return self._scan(words)

    def _has_phrase(self, words: list[str]) -> bool:
        """Whether two words in a row may begin a phrase keyword ("in spanish")."""
        starts = self.phrase_starts
        pairs = self.pairs
        for first, second in itertools.pairwise(words):
            if first not in starts:
                continue
            known = pairs.get((first, second))
            if known is None:
                stem = self.stems[second]
                known = any(
                    len(kw.parts) > 1 and kw.parts[1].matches(second, stem)
                    for kw in self.starts[first]
                )
                pairs[(first, second)] = known
            if known:
                return True
        return False

    def _scan(self, words: list[str]) -> dict[str, int]:
        """`scan`, specialised: one-word keywords need no `matches_at`, and only words that
        start a phrase keyword look ahead."""
        stems = [self.stems[w] for w in words]
        found: dict[str, int] = {}
        free_from: dict[str, int] = {}
        for index, word in enumerate(words):
            if word not in self.keyed:
                continue
            if word in self.phrase_starts:
                for keyword in self.starts[word]:
                    theme_id = keyword.theme_id
                    if len(keyword.parts) == 1 or free_from.get(theme_id, 0) > index:
                        continue
                    if keyword.matches_at(words, stems, index):
                        found[theme_id] = found.get(theme_id, 0) + 1
                        free_from[theme_id] = index + len(keyword.parts)
            for theme_id in self.singles[word]:
                if free_from.get(theme_id, 0) <= index:
                    found[theme_id] = found.get(theme_id, 0) + 1
        return found


@dataclass(frozen=True)
class Codebook:
    themes: tuple[Theme, ...]
    stop_phrases: frozenset[str] = frozenset()
    source: str = "codebook"
    _indexes: dict[str, _LanguageIndex] = field(
        init=False, compare=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        for language in LANGUAGES:
            keywords = [
                make_keyword(text, language, theme.id)
                for theme in self.themes
                for text in theme.keywords.get(language, ())
            ]
            self._indexes[language] = _LanguageIndex(language, keywords)

    def keywords(self, language: str) -> list[Keyword]:
        """Every keyword of `language`, longest first (the order matching tries them in)."""
        return list(self._indexes[language].keywords)

    def match_words(self, words: list[str], language: str) -> dict[str, int]:
        """`match` for the MATCH_WORD words of a folded answer, when already at hand."""
        return self._indexes[language].match(words)

    def runs_on(self, words: Sequence[str], language: str) -> bool:
        """Whether a keyword of `language` could start among the last of these words and
        end beyond them. When it cannot, matching the words followed by others gives the
        words' own matches plus the others' (each theme's hits add up), so a text's
        matches can be put together from its sentences' (tested)."""
        return self._indexes[language].runs_on(words)

    def longest(self, language: str) -> int:
        """The most words a keyword of `language` has."""
        return self._indexes[language].longest

    def crosses(self, before: Sequence[str], after: Sequence[str], language: str) -> bool:
        """Whether a keyword of `language` starts in the words `before` and matches on into
        the words `after` them. When none does, matching `before + after` gives each
        theme the hits of `before` plus those of `after` (tested)."""
        return self._indexes[language].crosses(before, after)

    def match(self, folded: str, language: str = "en") -> dict[str, int]:
        """Theme id -> keyword hits, for every theme the folded answer mentions.

        Only keywords of the answer's language are tried. The result equals trying every
        keyword at every word (`bench/naive_text.py`, tested), at a fraction of the cost.
        """
        if language not in self._indexes:
            raise ValueError(f"language must be 'en' or 'es', not {language!r}")
        return self._indexes[language].match(MATCH_WORD.findall(folded))

    def covers(self, phrase: str, language: str = "en") -> bool:
        """Whether a codebook theme already matches `phrase`.

        Emergent themes are there to show what the codebook misses; a phrase such as
        "college" would only repeat the College theme under another name.
        """
        return bool(self.match(fold(phrase), language))

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
    keywords = _parse_keywords(raw.get("keywords"), theme_id, source)
    return Theme(
        id=theme_id,
        labels={lang: labels[lang].strip() for lang in LANGUAGES},
        keywords=keywords,
    )


def _parse_keywords(raw_keywords: object, theme_id: str, source: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw_keywords, dict):
        raise CodebookError(f"{source}: theme '{theme_id}' needs 'keywords' with en and es lists")
    unknown = set(raw_keywords) - set(LANGUAGES)
    if unknown:
        raise CodebookError(
            f"{source}: theme '{theme_id}' has keywords for unknown language "
            f"'{sorted(map(str, unknown))[0]}' (use en or es)"
        )
    keywords: dict[str, tuple[str, ...]] = {}
    for lang in LANGUAGES:
        items = raw_keywords.get(lang) or []
        if not isinstance(items, list):
            raise CodebookError(f"{source}: theme '{theme_id}' keywords.{lang} must be a list")
        keywords[lang] = tuple(_check_keyword(kw, theme_id, source) for kw in items)
    if not any(keywords.values()):
        raise CodebookError(f"{source}: theme '{theme_id}' has no keywords")
    return keywords


def _check_keyword(keyword: object, theme_id: str, source: str) -> str:
    if not isinstance(keyword, str):
        raise CodebookError(
            f"{source}: theme '{theme_id}' has a keyword that is not text: {keyword!r}"
        )
    cleaned = " ".join(keyword.split())
    bare = cleaned.replace("*", "")
    if len(bare) < 2 or "*" in cleaned[:-1] or not MATCH_WORD.search(fold(bare)):
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
