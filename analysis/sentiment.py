"""Sentiment of open answers, and the words the packet uses for it.

English: TextBlob's PatternAnalyzer, which needs no NLTK corpus. Spanish: the small bundled
lexicon in `analysis/sentiment_es.py` (scored offline, same scale and rules). The packet
never prints a raw score: `sentiment_label` turns a group's scores into "mostly positive",
"mixed" or "mostly negative", or None when too few comments carry any tone to say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from textblob.en import sentiment as _pattern_sentiment
from textblob.en.sentiments import PatternAnalyzer

from analysis.sentiment_es import polarity_es

_ANALYZER = PatternAnalyzer()


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


# A known word the sentiment lexicon scores on its own and that modifies nothing: put after a
# sentence, it shows whether a negation or modifier reaches into the next sentence; put
# before, whether the sentence reaches back (a leading "!" boosts the previous word).
_PROBE = ("good", None)


@lru_cache(maxsize=200_000)
def _sentence_part(sentence: str) -> tuple[float, int, bool, list[tuple[object, ...]]]:
    """(sum of assessments, their number, closed at the start, the assessments)."""
    words = [(w.lower(), None) for w in sentence.split()]
    alone = _pattern_sentiment.assessments(words, True)
    # After a closed sentence nothing carries in but a "!" boosting the word before it.
    closed_start = ("!", None) not in words or _pattern_sentiment.assessments(
        [_PROBE, *words], True
    ) == [*_probe_alone(), *alone]
    return float(sum(a[1] for a in alone)), len(alone), closed_start, alone


@lru_cache(maxsize=200_000)
def _closed_end(sentence: str) -> bool:
    """Whether nothing in the sentence (a negation, a modifier) reaches into the next one;
    asked only of sentences that have a next one."""
    words = [(w.lower(), None) for w in sentence.split()]
    alone = _sentence_part(sentence)[3]
    after = _pattern_sentiment.assessments([*words, _PROBE], True)
    return bool(after == [*alone, *_probe_alone()])


@lru_cache(maxsize=1)
def _probe_alone() -> list[tuple[object, ...]]:
    return list(_pattern_sentiment.assessments([_PROBE], True))


def polarity_of_sentences(sentences: list[str]) -> float:
    """`polarity_of_tokens`, from per-sentence parts cached across answers.

    PatternAnalyzer lets a negation or modifier reach past a sentence end ("not. Good") and
    a "!" boost the word before it even in the previous sentence, so a sentence is reused
    on its own only when probe words around it come out unchanged; otherwise the whole
    answer is scored as one. The mean is the same (tested).
    """
    total = 0.0
    count = 0
    last = len(sentences) - 1
    for index, sentence in enumerate(sentences):
        part_sum, part_count, closed_start, _ = _sentence_part(sentence)
        if (index > 0 and not closed_start) or (index < last and not _closed_end(sentence)):
            return polarity_of_tokens(sentences)
        total += part_sum
        count += part_count
    return total / count if count else 0.0


@dataclass(frozen=True)
class SentenceRun:
    """What `polarity_of_sentences` needs of a run of sentences, so that the runs of an
    answer can be cached apart and put together (`polarity_of_runs`)."""

    sums: tuple[float, ...]
    count: int
    closed_start: bool
    closed_inside: bool
    last: str

    @property
    def closed_end(self) -> bool:
        return _closed_end(self.last)


def sentence_run(sentences: Sequence[str]) -> SentenceRun:
    """The parts of a non-empty run of sentences, as `polarity_of_sentences` reads them."""
    parts = [_sentence_part(sentence) for sentence in sentences]
    last = len(sentences) - 1
    inside = all(part[2] for part in parts[1:]) and all(
        _closed_end(sentence) for sentence in sentences[:last]
    )
    return SentenceRun(
        sums=tuple(part[0] for part in parts),
        count=sum(part[1] for part in parts),
        closed_start=parts[0][2],
        closed_inside=inside,
        last=sentences[last],
    )


def polarity_of_runs(runs: Sequence[SentenceRun]) -> float | None:
    """`polarity_of_sentences` of the runs' sentences one after the other, summed in the
    same order; None when a negation or modifier may reach from one sentence into the
    next (the caller then scores the whole answer, as `polarity_of_sentences` does)."""
    total = 0.0
    count = 0
    for index, run in enumerate(runs):
        if not run.closed_inside or (index > 0 and not run.closed_start):
            return None
        if index < len(runs) - 1 and not run.closed_end:
            return None
        for part_sum in run.sums:
            total += part_sum
        count += run.count
    return total / count if count else 0.0
