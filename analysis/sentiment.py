"""Sentiment of open answers, and the words the packet uses for it.

English: TextBlob's PatternAnalyzer, which needs no NLTK corpus. Spanish: the small bundled
lexicon in `analysis/sentiment_es.py` (scored offline, same scale and rules). The packet
never prints a raw score: `sentiment_label` turns a group's scores into "mostly positive",
"mixed" or "mostly negative", or None when too few comments carry any tone to say.
"""

from __future__ import annotations

from collections.abc import Iterable

from textblob.en import sentiment as _pattern_sentiment
from textblob.en.sentiments import PatternAnalyzer

from analysis.sentiment_es import polarity_es

_ANALYZER = PatternAnalyzer()

# A comment carries a tone when its polarity is at least this far from 0: "the bus comes
# at seven" (0.0) or "more tutoring" (0.0 to 0.05) say nothing about how people feel.
TONE_THRESHOLD = 0.1
# A group is "mostly" one way when at least this share of its toned comments lean that way.
MOSTLY_SHARE = 2 / 3
# Fewer toned comments than this: no label (one happy parent is not "mostly positive").
MIN_TONED = 3

POSITIVE = "mostly_positive"
MIXED = "mixed"
NEGATIVE = "mostly_negative"
LABELS = (POSITIVE, MIXED, NEGATIVE)
_WORDS = {
    "en": {
        POSITIVE: "mostly positive",
        MIXED: "mixed",
        NEGATIVE: "mostly negative",
        None: "too few to say",
    },
    "es": {
        POSITIVE: "mayormente positivo",
        MIXED: "mixto",
        NEGATIVE: "mayormente negativo",
        None: "muy pocos para decir",
    },
}


def polarity(text: str) -> float:
    """PatternAnalyzer polarity (-1..1) of one English answer: the reference definition."""
    return float(_ANALYZER.analyze(text).polarity)


def polarity_in(text: str, language: str) -> float:
    """Polarity (-1..1) of one answer in its language (en: PatternAnalyzer, es: lexicon)."""
    return polarity_es(text) if language == "es" else polarity(text)


def polarity_of_tokens(sentences: list[str]) -> float:
    """The same polarity as `polarity`, from the tokenizer output the parser already made.

    PatternAnalyzer tokenizes with the parser's own tokenizer and then averages the lexicon
    assessments; doing that here lets one tokenization serve both the chunker and the
    sentiment. `tests/analysis/test_sentiment.py` checks it equals `polarity`.
    """
    words = " ".join(sentences).split()
    assessments = _pattern_sentiment.assessments(((w.lower(), None) for w in words), True)
    if not assessments:
        return 0.0
    return float(sum(a[1] for a in assessments) / float(len(assessments)))


def label_from_counts(positive: int, negative: int) -> str | None:
    """The label for a group with `positive` and `negative` toned comments (see the
    thresholds above); None when fewer than MIN_TONED comments carry a tone."""
    toned = positive + negative
    if toned < MIN_TONED:
        return None
    if positive >= MOSTLY_SHARE * toned:
        return POSITIVE
    if negative >= MOSTLY_SHARE * toned:
        return NEGATIVE
    return MIXED


def sentiment_label(scores: Iterable[float]) -> str | None:
    """ "mostly_positive", "mixed", "mostly_negative", or None, for a group's polarities.

    NaN scores (answers not scored) are ignored, as are comments without a tone.
    """
    positive = negative = 0
    for score in scores:
        if score >= TONE_THRESHOLD:
            positive += 1
        elif score <= -TONE_THRESHOLD:
            negative += 1
    return label_from_counts(positive, negative)


def describe_sentiment(label: str | None, language: str = "en") -> str:
    """The words for a label in the packet language: "mostly positive", "mixto"..."""
    words = _WORDS.get(language, _WORDS["en"])
    return words.get(label, words[None])
