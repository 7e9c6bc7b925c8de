"""The baseline for the text benchmark: the obvious per-answer TextBlob loop.

For every answer, in order: build a TextBlob and read its sentiment (Spanish: the bundled
lexicon), run PatternParser on it, and match the codebook in the answer's language. No
caching of texts or sentences, no de-duplication, plain Python counting. (The codebook's own
matcher is used here: trying every keyword at every word, `analysis.codebook.scan`, costs
minutes on 100,000 answers, and `tests/analysis/test_codebook.py` already checks the matcher
equals it.) It must produce exactly the table `analysis.themes.summarize_themes` produces;
`bench/bench_text.py` and `tests/analysis/test_themes.py` check that.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable

import pandas as pd
from textblob import TextBlob
from textblob.en.parsers import PatternParser

from analysis.codebook import Codebook, load_codebook
from analysis.emergent import noun_phrases, tokens_from_tagged
from analysis.quotes import pick_quotes, rank_key
from analysis.sentiment_es import polarity_es
from analysis.sentiment_labels import TONE_THRESHOLD, label_from_counts
from analysis.textnorm import effective_language, fold
from analysis.themes import (
    COLUMNS,
    EMERGENT_MIN_RESPONDENTS,
    EMERGENT_PREFIX,
    EMERGENT_TOP,
    MIN_THEME_RESPONDENTS,
    empty_result,
)

# One stored answer that mentions a theme: respondent, text, language, polarity, hits, flag.
_Mention = tuple[Hashable, str, str, float, int, bool]


def naive_summarize_themes(
    texts: pd.DataFrame,
    *,
    codebook: Codebook | None = None,
    language: str = "en",
    max_quotes: int = 3,
    emergent_top: int = EMERGENT_TOP,
    emergent_min_respondents: int = EMERGENT_MIN_RESPONDENTS,
    min_theme_respondents: int = MIN_THEME_RESPONDENTS,
) -> pd.DataFrame:
    codebook = codebook if codebook is not None else load_codebook()
    parser = PatternParser()
    writers: set[Hashable] = set()
    mentions: dict[str, list[_Mention]] = defaultdict(list)
    phrase_mentions: dict[str, list[_Mention]] = defaultdict(list)

    for row in texts.itertuples(index=False):
        raw = getattr(row, "text", None)
        respondent = row.respondent_id
        if raw is None or (isinstance(raw, float) and math.isnan(raw)) or respondent is None:
            continue
        if isinstance(respondent, float) and math.isnan(respondent):
            continue
        text = str(raw).strip()
        if not text:
            continue
        declared = getattr(row, "language", "")
        declared = "" if not isinstance(declared, str) else declared
        flag = getattr(row, "flagged", False)
        flagged = bool(flag) if flag is not None and flag == flag else False
        writers.add(respondent)
        lang = effective_language(text, declared)
        blob = TextBlob(text)
        polarity = blob.sentiment.polarity if lang == "en" else polarity_es(text)
        for theme_id, hits in codebook.match(fold(text), lang).items():
            mentions[theme_id].append((respondent, text, lang, polarity, hits, flagged))
        if lang == "en":
            tagged = parser.parse(text)
            phrases = noun_phrases(tokens_from_tagged(tagged), codebook.stop_phrases)
            for phrase in dict.fromkeys(phrases):
                count = phrases.count(phrase)
                phrase_mentions[phrase].append((respondent, text, lang, polarity, count, flagged))

    if not writers:
        return empty_result()
    phrase_counts = {p: len({m[0] for m in ms}) for p, ms in phrase_mentions.items()}
    kept = sorted(
        (
            p
            for p, n in phrase_counts.items()
            if n >= emergent_min_respondents and not codebook.covers(p, "en")
        ),
        key=lambda p: (-phrase_counts[p], p),
    )[:emergent_top]
    for phrase in kept:
        mentions[EMERGENT_PREFIX + phrase] = phrase_mentions[phrase]

    labels = {theme.id: theme.label(language) for theme in codebook.themes}
    records = []
    for theme_id, found in mentions.items():
        respondents = len({m[0] for m in found})
        if respondents < min_theme_respondents:
            continue
        scored = [m[3] for m in found if not math.isnan(m[3])]
        candidates = sorted(
            (m for m in found if not m[5]), key=lambda m: rank_key(m[1], m[4], m[0])
        )
        records.append(
            {
                "theme_id": theme_id,
                "theme": labels.get(theme_id, theme_id.removeprefix(EMERGENT_PREFIX)),
                "kind": "emergent" if theme_id.startswith(EMERGENT_PREFIX) else "deductive",
                "respondents": respondents,
                "share": respondents / len(writers),
                "sentiment": sum(scored) / len(scored) if scored else math.nan,
                "sentiment_n": len(scored),
                "not_scored": len(found) - len(scored),
                "quotes": pick_quotes(((m[0], m[1], m[2]) for m in candidates), max_quotes),
                "sentiment_label": label_from_counts(
                    sum(1 for p in scored if p >= TONE_THRESHOLD),
                    sum(1 for p in scored if p <= -TONE_THRESHOLD),
                ),
            }
        )
    records.sort(key=lambda r: (-r["respondents"], r["kind"], r["theme_id"]))
    if not records:
        return empty_result()
    return pd.DataFrame(records, columns=COLUMNS).astype(empty_result().dtypes.to_dict())
