"""Open-text themes for the facilitator packet: codebook themes, emergent noun phrases,
sentiment (English and Spanish) and de-identified quotes, counted by respondent.

A theme fewer than `MIN_THEME_RESPONDENTS` people mention is left out of the table, so no
one's comment is ever quoted under a theme that points at a handful of people.

Survey answers repeat a lot ("more tutoring", "the buses"), so every distinct text is
analysed once and the results are joined back to the answers; and distinct texts are mostly
new combinations of the same sentences, so each piece of text (a sentence, mostly) is
tokenized, parsed, matched and scored once and a text is put together from its pieces,
exactly (see `_analyze`). One tokenization serves both the chunker and the sentiment.
`bench/naive_text.py` is the plain per-answer TextBlob loop this must agree with (see
docs/themes.md). Most texts are not parsed here at all any more: the bot works each one out
as it arrives and keeps the result (`analysis.arrivals`), which is used where it still holds.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from multiprocessing import get_all_start_methods, get_context

import numpy as np
import pandas as pd

from analysis.codebook import Codebook, CodebookError, load_codebook
from analysis.deidentify import deidentify
from analysis.emergent import noun_phrases, parse_tokens
from analysis.quotes import IDEAL, LONGEST, SHORTEST, pick_quotes
from analysis.sentences import cut, ends_sentence, find_sentences, piece_sentences
from analysis.sentiment import (
    SentenceRun,
    polarity_of_runs,
    polarity_of_sentences,
    polarity_of_tokens,
    sentence_run,
)
from analysis.sentiment_es import polarity_es, reaches_on_es, word_scores_es
from analysis.sentiment_labels import TONE_THRESHOLD, label_from_counts
from analysis.text_results import TextResult, kept_results
from analysis.textnorm import (
    LANGUAGES,
    MATCH_WORD,
    effective_language,
    fold,
    language_from_counts,
    stopword_counts,
)
from analysis.theme_results import COLUMNS, DTYPES, EMERGENT_PREFIX, empty_result

__all__ = [
    "COLUMNS",
    "EMERGENT_PREFIX",
    "Codebook",
    "CodebookError",
    "deidentify",
    "empty_result",
    "load_codebook",
    "summarize_themes",
]

EMERGENT_TOP = 10
# A theme (deductive or emergent) a handful of people mention can point at one family, and
# its quotes would be theirs: it is shown, with quotes, only from this many people on.
MIN_THEME_RESPONDENTS = 5
EMERGENT_MIN_RESPONDENTS = MIN_THEME_RESPONDENTS
# Below this many distinct texts, starting processes costs more than it saves.
_PARALLEL_FROM = 2000


@lru_cache(maxsize=1)
def _default_codebook() -> Codebook:
    return load_codebook()


def clear_caches() -> None:
    """Forget every per-sentence and per-word cache, so a benchmark measures a cold start
    (as in the packet's worker process, which runs themes once)."""
    from analysis import emergent, sentences, sentiment

    _default_codebook.cache_clear()
    sentences._piece.cache_clear()
    sentiment._sentence_part.cache_clear()
    sentiment._closed_end.cache_clear()
    emergent._singular.cache_clear()


def summarize_themes(
    texts: pd.DataFrame,
    *,
    codebook: Codebook | None = None,
    language: str = "en",
    max_quotes: int = 3,
    emergent_top: int = EMERGENT_TOP,
    emergent_min_respondents: int = EMERGENT_MIN_RESPONDENTS,
    workers: int = 1,
    min_theme_respondents: int = MIN_THEME_RESPONDENTS,
) -> pd.DataFrame:
    """One row per theme at least `min_theme_respondents` people mention: respondents,
    share, sentiment (score and label) and quotes.

    `texts` has respondent_id, question_id, text, language, flagged, and may have text_key
    and result: what the bot's analysis loop kept for the text (`analysis.text_results`),
    used instead of parsing it again where it still holds, with the default codebook only.
    Flagged answers count towards themes but are never quoted. Themes fewer people mention
    are left out.
    `workers` > 1 parses distinct texts in that many forked processes (same result); worth
    it from a few thousand distinct texts on a machine with idle cores.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be 'en' or 'es', not {language!r}")
    # Results the bot kept as the answers arrived were worked out with the default codebook.
    use_kept = codebook is None
    codebook = codebook if codebook is not None else _default_codebook()
    answers = clean_answers(texts)
    if answers.empty:
        return empty_result()

    # Respondents as integers: counting people per theme on 32-character ids costs more
    # than every groupby here.
    answers["who"] = pd.factorize(answers["respondent_id"])[0]
    keys = answers["declared"] + "\x1f" + answers["text"]
    codes, uniques = pd.factorize(keys)
    results = _results(list(uniques), answers if use_kept else None, codebook, workers)
    answers["u"] = codes
    answers["lang"] = np.array([r.language for r in results], dtype=object)[codes]
    answers["polarity"] = np.array([r.polarity for r in results], dtype=float)[codes]

    deductive = _membership(answers, results, "themes")
    emergent = _membership(answers, results, "phrases")
    if not emergent.empty:
        counts = emergent.groupby("theme_id")["who"].nunique()
        counts = counts[counts >= emergent_min_respondents]
        counts = counts[[not codebook.covers(phrase, "en") for phrase in counts.index]]
        order = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:emergent_top]
        kept = {phrase for phrase, _ in order}
        emergent = emergent[emergent["theme_id"].isin(kept)].copy()
        emergent["theme_id"] = EMERGENT_PREFIX + emergent["theme_id"]
    rows = pd.concat([deductive, emergent], ignore_index=True)
    if not rows.empty:
        people = rows.groupby("theme_id")["who"].nunique()
        rows = rows[rows["theme_id"].isin(people.index[people >= min_theme_respondents])]
    if rows.empty:
        return empty_result()

    writers = answers["who"].nunique()
    grouped = rows.groupby("theme_id", sort=False)
    scored = rows[rows["polarity"].notna()]
    by_theme = scored.groupby("theme_id")["polarity"]
    summary = pd.DataFrame(
        {
            "respondents": grouped["who"].nunique(),
            "sentiment": by_theme.mean(),
            "sentiment_n": by_theme.size(),
            "not_scored": rows[rows["polarity"].isna()].groupby("theme_id").size(),
            "positive": (scored["polarity"] >= TONE_THRESHOLD).groupby(scored["theme_id"]).sum(),
            "negative": (scored["polarity"] <= -TONE_THRESHOLD).groupby(scored["theme_id"]).sum(),
        }
    )
    for column in ("sentiment_n", "not_scored", "positive", "negative"):
        summary[column] = summary[column].fillna(0).astype("int64")
    summary["sentiment_label"] = [
        label_from_counts(p, n)
        for p, n in zip(summary["positive"], summary["negative"], strict=True)
    ]
    summary["respondents"] = summary["respondents"].astype("int64")
    summary["share"] = summary["respondents"] / writers
    summary["quotes"] = pd.Series(_quotes(rows, max_quotes), dtype=object)
    summary["quotes"] = summary["quotes"].apply(lambda q: q if isinstance(q, list) else [])
    summary = summary.reset_index(names="theme_id")
    summary["kind"] = np.where(
        summary["theme_id"].str.startswith(EMERGENT_PREFIX), "emergent", "deductive"
    )
    labels = {theme.id: theme.label(language) for theme in codebook.themes}
    summary["theme"] = [
        labels.get(theme_id, theme_id.removeprefix(EMERGENT_PREFIX))
        for theme_id in summary["theme_id"]
    ]
    summary = summary.sort_values(
        ["respondents", "kind", "theme_id"], ascending=[False, True, True], kind="stable"
    )
    return summary[COLUMNS].reset_index(drop=True).astype(DTYPES)  # type: ignore[arg-type]


def clean_answers(texts: pd.DataFrame) -> pd.DataFrame:
    """Non-empty answers with respondent_id, text, declared language, a boolean flag and
    what was kept for the text (text_key, result; None where nothing was)."""
    if texts is None or len(texts) == 0:
        return pd.DataFrame(columns=["respondent_id", "text", "declared", "flagged"])
    missing = {"respondent_id", "text"} - set(texts.columns)
    if missing:
        raise ValueError(f"texts is missing column(s): {', '.join(sorted(missing))}")
    text = texts["text"].astype(object).where(texts["text"].notna(), "")
    answers = pd.DataFrame(
        {
            "respondent_id": texts["respondent_id"].to_numpy(),
            "text": [str(t).strip() for t in text],
            "declared": _column(texts, "language", "").astype(object).fillna("").astype(str),
            "flagged": _column(texts, "flagged", False).astype(object).fillna(False).astype(bool),
            "text_key": _column(texts, "text_key", None).to_numpy(dtype=object),
            "result": _column(texts, "result", None).to_numpy(dtype=object),
        }
    )
    keep = (answers["text"] != "") & answers["respondent_id"].notna()
    return answers[keep].reset_index(drop=True)


def _column(texts: pd.DataFrame, name: str, default: object) -> pd.Series:
    if name in texts.columns:
        return texts[name].reset_index(drop=True)
    return pd.Series([default] * len(texts))


def _results(
    keys: list[str], answers: pd.DataFrame | None, codebook: Codebook, workers: int
) -> list[TextResult]:
    """The result for each distinct "hint\x1ftext" key: kept ones (`answers` carries them)
    where they still hold, the rest worked out here."""
    kept = (
        kept_results(
            answers["declared"].tolist(),
            answers["text"].tolist(),
            answers["text_key"].tolist(),
            answers["result"].tolist(),
        )
        if answers is not None
        else {}
    )
    missing = [key for key in keys if key not in kept]
    worked = dict(zip(missing, _analyze_all(missing, codebook, workers), strict=True))
    return [kept[key] if key in kept else worked[key] for key in keys]


def analyze_texts(hints_and_texts: list[tuple[str, str]]) -> list[TextResult]:
    """What the engine finds in each (language hint, stripped text), by the default codebook:
    what `analysis.arrivals` keeps for the summary to use."""
    keys = [f"{hint}\x1f{text}" for hint, text in hints_and_texts]
    return _analyze_keys(keys, _default_codebook())


def _analyze_all(keys: list[str], codebook: Codebook, workers: int) -> list[TextResult]:
    """Analyze each distinct "declared\x1ftext" key, in order, in one or more processes."""
    if workers <= 1 or len(keys) < _PARALLEL_FROM or "fork" not in get_all_start_methods():
        return _analyze_keys(keys, codebook)
    size = -(-len(keys) // workers)
    slices = [keys[start : start + size] for start in range(0, len(keys), size)]
    context = get_context("fork")
    with ProcessPoolExecutor(max_workers=len(slices), mp_context=context) as pool:
        parts = pool.map(_analyze_keys, slices, [codebook] * len(slices))
        return [result for part in parts for result in part]


def _analyze_keys(keys: list[str], codebook: Codebook) -> list[TextResult]:
    pieces: dict[str, _Piece] = {}
    sentence_phrases: dict[str, tuple[str, ...]] = {}
    return [
        _analyze(text, declared, codebook, pieces, sentence_phrases)
        for declared, text in (key.split("\x1f", 1) for key in keys)
    ]


class _Piece:
    """What a piece of an answer (`analysis.sentences.cut`: a sentence, mostly) contributes,
    worked out once however many answers contain it. Answers are mostly new combinations
    of the same few thousand sentences, so this is where the work is saved."""

    __slots__ = ("_english", "_es", "crossing", "en", "es", "runs_on", "text", "themes", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = MATCH_WORD.findall(fold(text))
        self.en, self.es = stopword_counts(self.words)
        self.themes: dict[str, dict[str, int]] = {}
        self.runs_on: dict[str, bool] = {}
        self.crossing: dict[tuple[str, tuple[str, ...]], bool] = {}
        self._english: tuple[tuple[str, ...], bool, dict[str, int], SentenceRun | None] | None
        self._english = None
        self._es: tuple[list[float], bool] | None = None

    def matches(self, codebook: Codebook, language: str) -> dict[str, int]:
        found = self.themes.get(language)
        if found is None:
            found = self.themes[language] = codebook.match_words(self.words, language)
            self.runs_on[language] = codebook.runs_on(self.words, language)
        return found

    def crosses(self, codebook: Codebook, language: str, following: list[_Piece]) -> bool:
        """Whether a keyword starting in this piece matches on into the `following` ones."""
        after = tuple(w for p in following for w in p.words)
        key = (language, after[: codebook.longest(language)])
        known = self.crossing.get(key)
        if known is None:
            known = self.crossing[key] = codebook.crosses(self.words, after, language)
        return known

    def spanish(self) -> tuple[list[float], bool]:
        """The Spanish word scores, and whether a negation or "muy" reaches past the end."""
        if self._es is None:
            self._es = (word_scores_es(self.words), reaches_on_es(self.words))
        return self._es

    def english(
        self, codebook: Codebook, sentence_phrases: dict[str, tuple[str, ...]]
    ) -> tuple[tuple[str, ...], bool, dict[str, int], SentenceRun | None]:
        """Tokenized sentences, whether they end one, noun phrases and sentiment parts."""
        if self._english is None:
            sentences = piece_sentences(self.text)
            phrases: dict[str, int] = {}
            for sentence in sentences:
                for phrase in _sentence_phrases(sentence, codebook, sentence_phrases):
                    phrases[phrase] = phrases.get(phrase, 0) + 1
            run = sentence_run(sentences) if sentences else None
            self._english = (sentences, ends_sentence(sentences), phrases, run)
        return self._english


def _sentence_phrases(
    sentence: str, codebook: Codebook, cache: dict[str, tuple[str, ...]]
) -> tuple[str, ...]:
    found = cache.get(sentence)
    if found is None:
        found = cache[sentence] = tuple(
            noun_phrases(parse_tokens([sentence]), codebook.stop_phrases)
        )
    return found


def _analyze(
    text: str,
    declared: str,
    codebook: Codebook,
    pieces: dict[str, _Piece],
    sentence_phrases: dict[str, tuple[str, ...]],
) -> TextResult:
    """Everything about one distinct answer text: language, themes, phrases, polarity.

    Put together from its pieces' cached parts, which gives exactly what analysing the
    whole text gives (`_analyze_whole`): stopword counts add up; where a keyword match, a
    Spanish negation or an English sentiment modifier may reach from one sentence into the
    next, that part (matching or sentiment) is worked out on the whole text instead
    (tests/analysis/test_themes.py).
    """
    cut_at = cut(text)
    if cut_at is None:
        return _analyze_whole(text, declared, codebook, sentence_phrases)
    parts = []
    for piece_text in cut_at:
        piece = pieces.get(piece_text)
        if piece is None:
            piece = pieces[piece_text] = _Piece(piece_text)
        parts.append(piece)
    if len(parts) == 1:
        only = parts[0]
        language = language_from_counts(only.en, only.es, declared)
        themes = only.matches(codebook, language)
    else:
        language = language_from_counts(
            sum(p.en for p in parts), sum(p.es for p in parts), declared
        )
        themes = _joined_matches(parts, codebook, language)
    if language != "en":
        return TextResult(language, themes, {}, _joined_polarity_es(parts))
    if len(parts) == 1:
        english = [parts[0].english(codebook, sentence_phrases)]
    else:
        english = _sentence_pieces(cut_at, pieces, codebook, sentence_phrases)
    if len(english) == 1:
        sentences, _, phrases, run = english[0]
        polarity = polarity_of_runs([run] if run is not None else [])
        if polarity is None:
            polarity = polarity_of_tokens(list(sentences))
        return TextResult(language, themes, phrases, polarity)
    phrases = {}
    for e in english:
        for phrase, count in e[2].items():
            phrases[phrase] = phrases.get(phrase, 0) + count
    polarity = polarity_of_runs([e[3] for e in english if e[3] is not None])
    if polarity is None:
        polarity = polarity_of_tokens([s for e in english for s in e[0]])
    return TextResult(language, themes, phrases, polarity)


def _sentence_pieces(
    cut_at: list[str],
    pieces: dict[str, _Piece],
    codebook: Codebook,
    sentence_phrases: dict[str, tuple[str, ...]],
) -> list[tuple[tuple[str, ...], bool, dict[str, int], SentenceRun | None]]:
    """The English facts of the text's pieces, a piece that ends in no sentence end ("Ms.")
    joined to the next as `analysis.sentences.find_sentences` joins them."""
    found = []
    pending = ""
    for piece_text in cut_at:
        pending = f"{pending} {piece_text}" if pending else piece_text
        piece = pieces.get(pending)
        if piece is None:
            piece = pieces[pending] = _Piece(pending)
        facts = piece.english(codebook, sentence_phrases)
        if facts[1]:
            found.append(facts)
            pending = ""
    if pending:
        found.append(facts)
    return found


def _joined_matches(parts: list[_Piece], codebook: Codebook, language: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, part in enumerate(parts):
        matched = part.matches(codebook, language)
        last = index == len(parts) - 1
        if (
            not last
            and part.runs_on[language]
            and part.crosses(codebook, language, parts[index + 1 :])
        ):
            return codebook.match_words([w for p in parts for w in p.words], language)
        for theme_id, hits in matched.items():
            found[theme_id] = found.get(theme_id, 0) + hits
    return found


def _joined_polarity_es(parts: list[_Piece]) -> float:
    scores: list[float] = []
    for index, part in enumerate(parts):
        part_scores, reaches_on = part.spanish()
        if reaches_on and index < len(parts) - 1:
            scores = word_scores_es([w for p in parts for w in p.words])
            break
        scores.extend(part_scores)
    return sum(scores) / len(scores) if scores else 0.0


def _analyze_whole(
    text: str, declared: str, codebook: Codebook, sentence_phrases: dict[str, tuple[str, ...]]
) -> TextResult:
    """`_analyze` without the pieces: the reference it must equal.

    The pattern parser tags and chunks each sentence on its own, so phrases are cached per
    sentence (answers share sentences even when whole texts differ).
    """
    words = MATCH_WORD.findall(fold(text))
    language = effective_language(text, declared, words=words)
    themes = codebook.match_words(words, language)
    if language != "en":
        return TextResult(language, themes, {}, polarity_es(text))
    sentences = find_sentences(text)
    phrases: dict[str, int] = {}
    for sentence in sentences:
        for phrase in _sentence_phrases(sentence, codebook, sentence_phrases):
            phrases[phrase] = phrases.get(phrase, 0) + 1
    return TextResult(language, themes, phrases, polarity_of_sentences(sentences))


def _membership(answers: pd.DataFrame, results: list[TextResult], field: str) -> pd.DataFrame:
    """Answer rows joined to the themes (or phrases) their text mentions, with hit counts."""
    pairs = [
        (u, theme_id, hits)
        for u, result in enumerate(results)
        for theme_id, hits in getattr(result, field).items()
    ]
    found = pd.DataFrame(pairs, columns=["u", "theme_id", "hits"])
    columns = ["u", "who", "respondent_id", "text", "lang", "polarity", "flagged"]
    return answers[columns].merge(found, on="u", how="inner")


def _quotes(rows: pd.DataFrame, max_quotes: int) -> dict[str, list[str]]:
    candidates = rows[~rows["flagged"]].copy()
    if candidates.empty:
        return {}
    length = candidates["text"].str.len()
    candidates["outside"] = np.maximum(0, np.maximum(SHORTEST - length, length - LONGEST))
    candidates["neg_hits"] = -candidates["hits"]
    candidates["distance"] = (length - IDEAL).abs()
    candidates["rid"] = candidates["respondent_id"].astype(str)
    candidates = candidates.sort_values(
        ["theme_id", "outside", "neg_hits", "distance", "rid", "text"], kind="stable"
    )
    return {
        theme_id: pick_quotes(  # type: ignore[misc]
            zip(group["respondent_id"], group["text"], group["lang"], strict=True), max_quotes
        )
        for theme_id, group in candidates.groupby("theme_id", sort=False)
    }
