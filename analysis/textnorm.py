"""Text normalization shared by the codebook, the language check and de-identification.

Matching is done on a *folded* copy of each answer (lower case, accents removed) so that a
codebook keyword written as "comunicacion" still finds "Comunicación", and so that families
typing on phones without accents are counted like everyone else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import Stemmer

LANGUAGES = ("en", "es")

# Words of a folded text for matching: letters and digits, split at anything else, so
# "after-school" is two words and "don't" is "don", "t".
MATCH_WORD = re.compile(r"[^\W_]+")
# Snowball (Porter2 for English): maintained, C-fast through PyStemmer, and one stemmer per
# language, so an English word is never cut by Spanish rules or the reverse.
_STEMMERS = {"en": Stemmer.Stemmer("english"), "es": Stemmer.Stemmer("spanish")}
# Combining marks left by NFKD: the accents of Latin letters and their rarer cousins.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# Tiny, high-frequency function words. They only break ties the respondent's chosen language
# would get wrong: a Spanish-speaking parent who chose English in the bot but wrote in Spanish.
_EN_STOPWORDS_TEXT = (
    "the and is are was were to of for with my our they their this that have has not "
    "but it be more need needs would should can what when there about from very"
)
_EN_STOPWORDS = frozenset(_EN_STOPWORDS_TEXT.split())
_ES_STOPWORDS_TEXT = (
    "el los las y es son que de del para con mi mis nuestro nuestros ellos su sus esta "
    "este pero no mas muy por una un hay necesita necesitan tiene tienen como cuando"
)
_ES_STOPWORDS = frozenset(_ES_STOPWORDS_TEXT.split())


def fold(text: str) -> str:
    """Lower-case and strip accents, keeping one character per character where possible."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def normalize_language(value: object) -> str | None:
    """Map a stored language code ("en", "es-MX", "ES") to en/es, or None if unknown."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower()[:2]
    return code if code in LANGUAGES else None


def effective_language(
    text: str,
    declared: object,
    *,
    folded: str | None = None,
    words: Sequence[str] | None = None,
) -> str:
    """The language to treat an answer as.

    The respondent's chosen language decides, except when the text is clearly in the other
    one (at least two stopwords of the other language and twice as many as of the chosen
    one). `words` are the text's folded MATCH_WORD words, if already at hand. Scoring
    Spanish with the English sentiment lexicon gives confident nonsense, so the check errs
    towards catching Spanish written under an English choice.
    """
    if words is None:
        words = MATCH_WORD.findall(folded if folded is not None else fold(text))
    en, es = stopword_counts(words)
    return language_from_counts(en, es, declared)


def stopword_counts(words: Sequence[str]) -> tuple[int, int]:
    """How many of `words` (folded) are English and Spanish stopwords. The counts of a
    text are the sums of its parts' counts, so they can be cached per sentence."""
    en = sum(1 for w in words if w in _EN_STOPWORDS)
    es = sum(1 for w in words if w in _ES_STOPWORDS)
    return en, es


def language_from_counts(en: int, es: int, declared: object) -> str:
    """`effective_language` from a text's stopword counts (`stopword_counts`)."""
    chosen = normalize_language(declared)
    if chosen == "en" and es >= 2 and es >= 2 * en:
        return "es"
    if chosen == "es" and en >= 2 and en >= 2 * es:
        return "en"
    if chosen is not None:
        return chosen
    return "es" if es > en else "en"


def stem_words(words: Sequence[str], language: str) -> list[str]:
    """Snowball stems of folded words in the given language (en or es)."""
    return list(_STEMMERS[language].stemWords(words))
