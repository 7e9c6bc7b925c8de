"""De-identification of quotes: contact details and person names become "[removed]".

Quotes go into a packet handed to a room of parents and teachers, so the rules lean towards
removing too much. Names are found three ways: a title before them ("Ms. Lopez",
"la maestra Gómez"), a capitalized word TextBlob's PatternTagger marks NNP in mid-sentence,
and, at the start of a sentence, a word the tagger's lexicon knows as a name or not at all
(English only: in Spanish an unknown first word is usually just a Spanish word). Words that
are capitalized but safe (I, days, months, languages, school subjects) are kept.
Known gap: a name typed in lower case with no title ("my teacher maria") is not found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from textblob.en import lexicon as _lexicon
from textblob.en.taggers import PatternTagger

from analysis.textnorm import fold

REMOVED = "[removed]"

_TAGGER = PatternTagger()

_ALLOWED_TEXT = """
    i i'm i've i'll i'd
    monday tuesday wednesday thursday friday saturday sunday
    lunes martes miercoles jueves viernes sabado domingo
    january february march april may june july august september october november december
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
    english spanish french chinese mandarin arabic vietnamese korean russian portuguese
    ingles espanol frances chino arabe
    math maths science history art arts pe music biology chemistry physics algebra geometry
    calculus ela esl ell ap ib stem steam sat act ged
    matematicas ciencias historia musica
    school high middle elementary academy principal teacher teachers counselor district board
    pta pto iep covid internet wifi wi-fi zoom google classroom chromebook ipad youtube tiktok
    instagram facebook whatsapp telegram snapchat fafsa ok okay tv usa us america american
    latino latina latinos hispanic black white asian god dios christmas thanksgiving easter
    navidad halloween mom dad mama papa mami papi grandma grandpa abuela abuelo
    mr mrs ms dr coach miss sr sra srta"""
_ALLOWED = frozenset(_ALLOWED_TEXT.split())
_SPANISH_FUNCTION_WORDS_TEXT = """
    el la los las un una mi mis tu su sus me te se nos yo ella ellos nosotros que y o pero
    no si muy mas hay es son esta estan necesito necesitamos quiero queremos gracias"""
_SPANISH_FUNCTION_WORDS = frozenset(_SPANISH_FUNCTION_WORDS_TEXT.split())

_URL = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|(?<![\w@.])[a-z0-9][\w-]*(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|io|me|us|mx|ly|co|info)"
    r"(?:/\S*)?(?!\w)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().\-]{5,}\d(?!\w)")
_NAME_WORD = r"[^\W\d_][\w'’\-]*"
_CAPITAL_WORD = r"[A-ZÁÉÍÓÚÑÜ][\w'’\-]*"
# An abbreviated title is followed by a name whatever its case ("mr smith").
_ABBREVIATED_TITLE = re.compile(
    rf"(?<!\w)(?i:mr|mrs|ms|mx|dr|sr|sra|srta|prof|profa)\.?\s+{_NAME_WORD}"
    rf"(?:\s+{_CAPITAL_WORD})?"
)
# A spelled-out title needs a capitalized name after it ("coach was great" stays).
# "Miss" only capitalized: in lower case it is mostly the verb ("I miss Maria").
_TITLE_WORDS = (
    r"(?:Miss|MISS|(?i:coach|mister|missus|teacher|principal|counselor|nurse|pastor|"
    r"profe|profesora?|maestr[oa]|se[ñn]ora?|se[ñn]orita|director[a]?|entrenador[a]?|"
    r"doctor[a]?|consejer[oa]|enfermer[oa]))"
)
# The name may not itself be a title word: "we miss Miss Patel" keeps the verb.
_WORD_TITLE = re.compile(
    rf"(?<!\w){_TITLE_WORDS}\s+(?!{_TITLE_WORDS}\b){_CAPITAL_WORD}(?:\s+{_CAPITAL_WORD})?"
)
_SENTENCE_END = frozenset({".", "!", "?", "…", ":", ";", '"', "“", "”", "(", "-", "—", "*", "•"})
_TITLECASE = re.compile(r"[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü'’\-]*(?:[A-Z][a-z]+)?")
_ALLCAPS = re.compile(r"[A-ZÁÉÍÓÚÑÜ]{2,}")
_MERGE_GAP = re.compile(r"[\s\-]*")
_MAX_QUOTE = 280
_FINITE_VERB_TAGS = frozenset({"VBZ", "VBD", "VBP", "MD"})


def is_allowed_proper_noun(word: str) -> bool:
    """True for capitalized words that never identify a person (days, subjects, "I")."""
    folded = fold(word).strip(".'’")
    return folded in _ALLOWED or (folded.endswith("s") and folded[:-1] in _ALLOWED)


def deidentify(text: str, *, language: str = "en") -> str:
    """Replace emails, phones, URLs, @handles and person names with "[removed]"."""
    if not text:
        return text
    spans: list[tuple[int, int]] = []
    masked = text
    for finder in (_pattern_spans(_URL, masked), _pattern_spans(_EMAIL, masked)):
        for start, end in finder:
            spans.append((start, end))
    masked = _mask(text, spans)
    for pattern in (_HANDLE, _ABBREVIATED_TITLE, _WORD_TITLE):
        found = list(_pattern_spans(pattern, masked))
        spans.extend(found)
        masked = _mask(masked, found)
    phones = [span for span in _pattern_spans(_PHONE, masked) if _is_phone(masked[slice(*span)])]
    spans.extend(phones)
    masked = _mask(masked, phones)
    spans.extend(_name_spans(masked, language))
    return _replace(text, spans)


def truncate(text: str, limit: int = _MAX_QUOTE) -> str:
    """Shorten a long quote at a sentence end, else a word end, and mark the cut with "…"."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    sentence_end = max(head.rfind(". "), head.rfind("! "), head.rfind("? "))
    if sentence_end >= limit // 2:
        return head[: sentence_end + 1] + " …"
    space = head.rfind(" ")
    cut = head[:space] if space >= limit // 2 else head
    return cut.rstrip(" ,;:-") + "…"


def _pattern_spans(pattern: re.Pattern[str], text: str) -> Iterable[tuple[int, int]]:
    for match in pattern.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in ".,;:!?)]'\"":
            end -= 1
        if end > start:
            yield start, end


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Blank out found spans (same length) so later steps neither see nor re-split them."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _is_phone(candidate: str) -> bool:
    digits = sum(ch.isdigit() for ch in candidate)
    if not 7 <= digits <= 15:
        return False
    groups = [g for g in re.split(r"[\s().\-]+", candidate.lstrip("+")) if g]
    if len(groups) == 2 and all(len(g) == 4 for g in groups):
        return False  # a school year such as 2024-2025
    return all(len(g) >= 2 for g in groups[1:])


def _name_spans(masked: str, language: str) -> list[tuple[int, int]]:
    tagged = _TAGGER.tag(masked)
    tokens = _locate(masked, [word for word, _ in tagged])
    tags = [tag for _, tag in tagged]
    spans: list[tuple[int, int]] = []
    for index, (word, start, end) in enumerate(tokens):
        if len(word) < 2 or is_allowed_proper_noun(word):
            continue
        if _ALLCAPS.fullmatch(word):
            # Shouted text is tagged oddly; an all-caps word no lexicon knows may be a name.
            if word.lower() not in _lexicon:
                spans.append((start, end))
            continue
        if not tags[index].startswith("NNP"):
            continue
        if not _TITLECASE.fullmatch(word):
            continue
        initial = (
            index == 0
            or tokens[index - 1][0] in _SENTENCE_END
            or ("\n" in masked[tokens[index - 1][2] : start])
        )
        if not initial or _looks_like_name_at_start(word, tokens, tags, index, language):
            spans.append((start, end))
    return spans


def _looks_like_name_at_start(
    word: str,
    tokens: list[tuple[str, int, int]],
    tags: list[str],
    index: int,
    language: str,
) -> bool:
    following = tokens[index + 1][0] if index + 1 < len(tokens) else ""
    next_tag = tags[index + 1] if index + 1 < len(tags) else ""
    if (
        next_tag.startswith("NNP")
        and _TITLECASE.fullmatch(following)
        and not is_allowed_proper_noun(following)
    ):
        return True  # "María López dijo ..."
    if language == "es":
        return _lexicon.get(word) == "NNP" and fold(word) not in _SPANISH_FUNCTION_WORDS
    known = _lexicon.get(word)
    common = _lexicon.get(word.lower())
    if common is not None and not common.startswith("NNP"):
        # The tagger marks any capitalized first word NNP, so "Free tutoring", "College
        # visits" and "Career day" would lose their first word. A common word stays,
        # unless the lexicon also knows it as a name and a finite verb follows ("Mark helps").
        return known == "NNP" and next_tag in _FINITE_VERB_TAGS
    return known == "NNP" or known is None


def _locate(text: str, words: list[str]) -> list[tuple[str, int, int]]:
    """Find each tagger token in the original text, in order, to know what to replace."""
    located: list[tuple[str, int, int]] = []
    cursor = 0
    for word in words:
        position = text.find(word, cursor)
        if position < 0:
            located.append((word, cursor, cursor))
            continue
        located.append((word, position, position + len(word)))
        cursor = position + len(word)
    return located


def _replace(text: str, spans: list[tuple[int, int]]) -> str:
    merged: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and (start <= merged[-1][1] or _MERGE_GAP.fullmatch(text[merged[-1][1] : start])):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces: list[str] = []
    cursor = 0
    for start, end in merged:
        pieces.append(text[cursor:start])
        pieces.append(REMOVED)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)
