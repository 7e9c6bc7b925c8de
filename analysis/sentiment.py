"""English sentiment with TextBlob's PatternAnalyzer, which needs no NLTK corpus.

Spanish answers are never scored: the pattern lexicon is English, and running it on Spanish
returns 0.0 or a confident wrong sign, which would read as "neutral" in the packet.
"""

from __future__ import annotations

from textblob.en import sentiment as _pattern_sentiment
from textblob.en.sentiments import PatternAnalyzer

_ANALYZER = PatternAnalyzer()


def polarity(text: str) -> float:
    """PatternAnalyzer polarity (-1..1) of one English answer: the reference definition."""
    return float(_ANALYZER.analyze(text).polarity)


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
