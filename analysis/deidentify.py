"""De-identification of quotes: contact details, ids and person names become "[removed]".

Quotes go into a packet handed to a room of parents and teachers, so the rules lean towards
removing too much. Each finder blanks what it found before the next one runs, in this
order: URLs (t.me links too) and emails, @handles, street addresses, an id word with its
number ("student ID 48213": both go), phones (`phonenumbers`' matcher), any other number of
5+ digits, then names:

- after a title or role word, in any case ("my teacher ana ruiz", "Mr. smith", "la maestra
  garcía", "profe lópez"): the words after it that are capitalized, listed names, or (after
  an abbreviated title such as "mr") anything but a function word;
- names with an inner capital (DeShawn, LaToya), unless a known brand (YouTube);
- listed first names and Hispanic surnames (`analysis/names.py`) in any case, when they are
  not also everyday words ("will", "rosa");
- a capitalized word TextBlob's PatternTagger marks NNP in mid-sentence, and at a sentence
  start a word that looks like a name (see `_looks_like_name_at_start`).

Capitalized words that are safe (I, days, months, languages, subjects, countries, US states)
are kept, and so is a run of capitalized words naming a school ("Cesar Chavez Elementary").
`tests/fixtures/pii/corpus.yaml` measures all of this; see docs/deidentification.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache, partial

import phonenumbers
from stop_words import get_stop_words
from textblob.en import lexicon as _lexicon
from textblob.en.taggers import PatternTagger

from analysis.names import is_listed_name, is_unambiguous_name
from analysis.textnorm import fold
from analysis.theme_results import REMOVED

Span = tuple[int, int]

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
    mr mrs ms dr coach miss sr sra srta
    united states central street avenue road
    mexico guatemala honduras salvador nicaragua colombia venezuela peru ecuador cuba
    dominican puerto rico africa europe asia canada california texas florida arizona
    nevada illinois georgia carolina york chicago houston dallas phoenix denver atlanta
    miami angeles oregon washington ohio michigan jalisco oaxaca
    michoacan guerrero puebla chihuahua sonora
    powerschool classdojo parentsquare schoology powerpoint linkedin gofundme mcdonalds
    facetime playstation gmail remind canvas"""
_ALLOWED = frozenset(_ALLOWED_TEXT.split())

# Honorifics: the next word is a name whatever it looks like ("mr smith"), and the
# honorific goes with it ("Ms. Lopez" -> "[removed]", as before).
_ABBREVIATED = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "mx",
        "dr",
        "sr",
        "sra",
        "srta",
        "prof",
        "profa",
        "miss",
        "mister",
        "missus",
    ]
)
_HONORIFICS = _ABBREVIATED | frozenset(
    ["miss", "mister", "missus", "senor", "senora", "senorita", "don", "dona"]
)
# Role words stay and the name after them goes: "my teacher ana ruiz" -> "my teacher
# [removed]". After one, a capitalized word or a listed name is a person.
_ROLES_TEXT = """
    teacher teachers coach principal counselor counsellor nurse tutor librarian aide driver
    son daughter kid child friend classmate neighbor neighbour brother sister cousin nephew
    niece grandson granddaughter boy girl student mentor professor pastor profe
    maestro maestra maestros maestras profesor profesora director directora entrenador
    entrenadora doctor doctora consejero consejera enfermera enfermero
    hijo hija amigo amiga companero companera vecino vecina hermano hermana primo prima nino
    nina chofer orientador orientadora tutora alumno alumna sobrino sobrina nieto nieta"""
_ROLES = frozenset(_ROLES_TEXT.split()) | _HONORIFICS
# Before a lower-case "miss", these make it a title ("the librarian miss jenkins"), not
# the verb ("I miss school").
_BEFORE_TITLE = frozenset(["the", "a", "our", "my", "his", "her", "their", "la", "el"]) | _ROLES
_MAX_NAME_WORDS = 3

_URL = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|(?<![\w@.])[a-z0-9][\w-]*(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|io|me|us|mx|ly|co|info)"
    r"(?:/\S*)?(?!\w)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
_STREET_TYPES = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|way|court|ct|place|pl|"
    r"terrace|circle|cir|parkway|pkwy|highway|hwy"
)
_ADDRESS_EN = re.compile(
    rf"(?i)(?<![\w$.,])\d{{1,6}}\s+((?:[a-z0-9'.\-]+\s+){{0,3}}?)(?:{_STREET_TYPES})\b\.?"
    r"(?:,?\s*(?:apt|apartment|unit|#)\.?\s*#?\w+)?"
)
_ADDRESS_ES = re.compile(
    r"(?i)\b(?:calle|c/|avenida|av\.|avda\.|privada|callej[oó]n|carretera|colonia|col\.)"
    r"\s+(?:[\wáéíóúñ.'\-]+\s+){0,3}(?:#|n[uú]m\.?|no\.?)?\s*\d{1,5}\b"
)
_DIRECTIONS = frozenset(["n", "s", "e", "w", "ne", "nw", "se", "sw"])
_PO_BOX = re.compile(r"(?i)\bp\.?\s?o\.?\s+box\s+\d+")
_ID_WORDS = (
    r"(?:student|school|lunch|state|case|account|badge|library)\s+(?:id|i\.d\.|number|no\.?|"
    r"num\.?|#|pin|card)|id|i\.d\.|ssn|pin|social\s+security(?:\s+number)?|"
    r"n[uú]mero\s+de\s+(?:estudiante|alumno|identificaci[oó]n|cuenta|matr[ií]cula|"
    r"expediente|seguro\s+social)|matr[ií]cula|identificaci[oó]n|credencial|folio|curp|"
    r"expediente"
)
# Between the id word and its number: punctuation and a few short words ("el número de
# estudiante de mi hija es 4431").
_ID_FILLER = (
    r"(?:#|:|-|=|'s|(?:number|no\.?|num\.?|n[uú]mero|is|es|was|era|card|de|del|mi|su|my|"
    r"his|her|our|hijo|hija|son|daughter|kid|child)(?!\w))"
)
_ID_NUMBER = re.compile(
    rf"(?i)(?<![\w#])(?:{_ID_WORDS})(?:\s*{_ID_FILLER}\s*){{0,5}}\s*[a-z]{{0,4}}\d[\w\-]*(?!\w)"
)
_LONG_NUMBER = re.compile(r"(?<![\w$.,])\d{5,}(?![\w,]|\.\d)")
_INNER_CAPITAL = re.compile(r"(?<![\w'’])(?:[A-Z][a-z]+){2,}(?!\w)")
# Place names such as "San Diego", "Santa Ana", "Los Angeles", "El Salvador".
_PLACE = re.compile(r"\b(?:San|Santa|Los|Las|El)\s+[A-Z][\w'’]+")
_INSTITUTION = re.compile(
    r"(?:[A-Z][\w'’.\-]*\s+){1,4}(?:Elementary|Middle|High|Academy|School|College|University|"
    r"Library|Park|Center|Centre|Charter|Prep|K-8|Club)\b"
)
_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\S")
_SENTENCE_END = frozenset({".", "!", "?", "…", ":", ";", '"', "“", "”", "(", "-", "—", "*", "•"})
_TITLECASE = re.compile(r"[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü'’\-]*(?:[A-Z][a-z]+)?")
_ALLCAPS = re.compile(r"[A-ZÁÉÍÓÚÑÜ]{2,}")
_MERGE_GAP = re.compile(r"[\s\-]*")
_MAX_QUOTE = 280
_FINITE_VERB_TAGS = frozenset({"VBZ", "VBD", "VBP", "MD"})


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    """English and Spanish stop words (the `stop-words` lists), folded."""
    words = get_stop_words("en") + get_stop_words("es")
    return frozenset(fold(w) for w in words) - {"ms", "mr", "mrs"}


def is_allowed_proper_noun(word: str) -> bool:
    """True for capitalized words that never identify a person (days, subjects, "I")."""
    folded = fold(word).strip(".'’")
    return folded in _ALLOWED or (folded.endswith("s") and folded[:-1] in _ALLOWED)


def deidentify(text: str, *, language: str = "en") -> str:
    """Replace contact details, ids, addresses and person names with "[removed]"."""
    if not text:
        return text
    return _replace(text, pii_spans(text, language=language))


def pii_spans(text: str, *, language: str = "en") -> list[Span]:
    """Character spans of everything `deidentify` removes, in the order they were found."""
    spans: list[Span] = []
    masked = text
    finders = (
        lambda t: _pattern_spans(_URL, t),
        lambda t: _pattern_spans(_EMAIL, t),
        lambda t: _pattern_spans(_HANDLE, t),
        _address_spans,
        lambda t: _pattern_spans(_ID_NUMBER, t),
        _phone_spans,
        lambda t: _pattern_spans(_LONG_NUMBER, t),
    )
    for finder in finders:
        found = list(finder(masked))
        spans.extend(found)
        masked = _mask(masked, found)
    safe = [m.span() for p in (_INSTITUTION, _PLACE) for m in p.finditer(masked)]
    protected = _mask(masked, safe)
    role_names = partial(_role_name_spans, english=language == "en")
    for name_finder in (role_names, _inner_capital_spans, _listed_name_spans):
        found = list(name_finder(protected))
        spans.extend(found)
        protected = _mask(protected, found)
    spans.extend(_tagged_name_spans(protected, language))
    return spans


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


def _pattern_spans(pattern: re.Pattern[str], text: str) -> Iterator[Span]:
    for match in pattern.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in ".,;:!?)]'\"":
            end -= 1
        if end > start:
            yield start, end


def _address_spans(text: str) -> Iterator[Span]:
    """Street addresses; an English one needs no function word between number and street
    type, so "3 kids on my street" stays."""
    function_words = _function_words()
    for match in _ADDRESS_EN.finditer(text):
        middle = match.group(1).split()
        if all(fold(w).strip(".") in _DIRECTIONS or fold(w) not in function_words for w in middle):
            yield match.span()
    yield from _pattern_spans(_ADDRESS_ES, text)
    yield from _pattern_spans(_PO_BOX, text)


def _phone_spans(text: str) -> Iterator[Span]:
    if sum(ch.isdigit() for ch in text) < 7:
        return
    leniency = phonenumbers.Leniency.POSSIBLE
    for match in phonenumbers.PhoneNumberMatcher(text, "US", leniency=leniency):
        yield match.start, match.end


def _mask(text: str, spans: Iterable[Span]) -> str:
    """Blank out found spans (same length) so later steps neither see nor re-split them."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _role_name_spans(text: str, *, english: bool = True) -> Iterator[Span]:
    """Names after a title or role word, in any case: "my teacher ana ruiz", "Mr. smith"."""
    tokens = _tokens(text)
    for index, (word, _, _) in enumerate(tokens):
        folded = fold(word)
        if folded not in _ROLES or not _is_title_here(word, tokens, index):
            continue
        first = index + 1
        if first < len(tokens) and tokens[first][0] == ".":
            first += 1
        words = [t[0] for t in tokens[first : first + _MAX_NAME_WORDS]]
        run = _name_run(words, folded, english=english)
        if run:
            start = tokens[index if folded in _HONORIFICS else first][1]
            yield start, tokens[first + run - 1][2]


def _is_title_here(word: str, tokens: list[tuple[str, int, int]], index: int) -> bool:
    if word != "miss":
        return True
    return index > 0 and fold(tokens[index - 1][0]) in _BEFORE_TITLE


def _name_run(words: list[str], role: str, *, english: bool) -> int:
    """How many of `words` (after a role word) are a name: 0 if none.

    Lower-case listed names that are also everyday words ("my son will go") only count
    next to a clear name ("la consejera rosa martínez") or after an honorific. In English,
    a lower-case word the lexicon does not know is a name too ("our son marcus"); Spanish
    words are all unknown to that lexicon, so there only listed names count.
    """
    taken = 0
    clear = False
    for word in words:
        kind = _name_kind(word, first=taken == 0 and role in _ABBREVIATED, english=english)
        if kind is None:
            break
        clear = clear or kind
        taken += 1
    return taken if clear else 0


def _name_kind(word: str, *, first: bool, english: bool) -> bool | None:
    """None: not a name; True: clearly a name; False: a name only next to a clear one."""
    folded = fold(word)
    if not word[:1].isalpha() or folded in _ROLES:
        return None
    capital = word[:1].isupper()
    if capital and is_listed_name(folded):
        return True  # "my son Will", "her friend May"
    if first and (capital or folded not in _function_words()):
        return True  # "Mr. Long", "mr smith"
    if folded in _function_words() or is_allowed_proper_noun(word):
        return None
    if is_unambiguous_name(folded):
        return True
    if is_listed_name(folded):
        return False
    unknown = word.lower() not in _lexicon and len(word) > 2
    return True if unknown and (capital or english) else None


def _inner_capital_spans(text: str) -> Iterator[Span]:
    """DeShawn, LaToya, McKenzie: an inner capital is rare in anything but a name."""
    for match in _INNER_CAPITAL.finditer(text):
        if not is_allowed_proper_noun(match.group(0)):
            yield match.span()


def _listed_name_spans(text: str) -> Iterator[Span]:
    for word, start, end in _tokens(text):
        if is_unambiguous_name(fold(word)) and not is_allowed_proper_noun(word):
            yield start, end


def _tagged_name_spans(masked: str, language: str) -> list[Span]:
    tagged = _TAGGER.tag(masked)
    tokens = _locate(masked, [word for word, _ in tagged])
    tags = [tag for _, tag in tagged]
    spans: list[Span] = []
    for index, (word, start, end) in enumerate(tokens):
        if len(word) < 2 or is_allowed_proper_noun(word) or fold(word) in _ROLES:
            continue
        if _ALLCAPS.fullmatch(word):
            # Shouted text is tagged oddly; an all-caps word no lexicon knows may be a name.
            if word.lower() not in _lexicon and fold(word) not in _function_words():
                spans.append((start, end))
            continue
        if not tags[index].startswith("NNP") or not _TITLECASE.fullmatch(word):
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
        return _lexicon.get(word) == "NNP" and fold(word) not in _function_words()
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


def _replace(text: str, spans: list[Span]) -> str:
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
