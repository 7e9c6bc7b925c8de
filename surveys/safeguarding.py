"""A conservative risk detector for free-text answers, in English and Spanish.

A survey bot cannot judge risk; what it can do is notice the clear phrases a
person uses when they are hurting themselves, thinking of suicide, or being hurt
or abused, so the answer is flagged for a designated adult, kept out of quoted
reports, and answered at once with crisis resources. The detector therefore looks
for *phrases*, not single alarming words, and prefers a clear match over a guess.

Decisions, so reviewers know what to expect:

- Self-directed phrases are flagged even when they may be hyperbole ("I want to
  die", "I'd rather kill myself than do this homework", "kms"): a human decides,
  not the regex. Negations ("I don't want to kill myself") are flagged too.
- Idioms with no self-directed intent are not flagged: "this homework kills me",
  "I'd die for more recess", "I'm dying to see my friends", "my mom will kill me
  if I fail", "me muero de hambre", "me mata la tarea", "me toca a mí".
- "cutting" alone ("cutting class", "budget cutting") is not flagged; it is when
  said of oneself ("I've been cutting again", "cutting my arms", "me estoy cortando").
- Disclosures about someone else are flagged like one's own: a caregiver writing
  "my daughter wants to kill herself", "he hits my son" or "mi hijo dice que quiere
  morirse" is telling us a child is at risk.
- Bullying alone is not a safeguarding category here; bullying that includes being
  hit or hurt ("they hit me", "me pegan") is.

- "abuse"/"abuso" is flagged wherever it appears, "drug abuse" included: the word
  is rare in ordinary answers and costly to miss.
- "me toca" is everyday Spanish ("it's my turn"); only "me toca sin permiso" and
  similar are abuse. "me lastimo" (I hurt myself) and "me lastimó" (he hurt me) read
  the same without accents; both are flagged, as self-harm.

Matching is case- and accent-insensitive ("daño" = "dano", "MATARME" = "matarme")
and uses word boundaries, so "therapist" never matches "rape" and "molesta" (bothers,
in Spanish) never matches "molest". The detector returns only a category, never the
matched words, so nothing downstream is tempted to log the disclosure itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SUICIDE = "suicide"
SELF_HARM = "self_harm"
ABUSE = "abuse"
VIOLENCE = "violence"
CATEGORIES = (SUICIDE, SELF_HARM, ABUSE, VIOLENCE)


@dataclass(frozen=True)
class Assessment:
    flagged: bool
    category: str | None = None
    """One of `CATEGORIES` when flagged; the first that matched, in that order."""

    def __bool__(self) -> bool:
        return self.flagged


# People who may hurt a child, for "<someone> hits me" phrasings (English).
_WHO_EN = (
    r"(?:he|she|they|someone|somebody|people|kids|boys|girls|dad|daddy|father|mom|mommy|mum|"
    r"mother|stepdad|stepfather|stepmom|stepmother|parents?|brother|sister|uncle|aunt|"
    r"grandpa|grandma|grandfather|grandmother|cousin|boyfriend|girlfriend|teacher|coach|"
    r"man|guy|woman|husband|wife|partner|ex|ex-husband|ex-wife|ex-boyfriend|ex-girlfriend)"
)
_VICTIM_EN = (
    r"(?:me|us|my\s+(?:son|daughter|child|children|kids?|baby|boy|girl|brother|sister|"
    r"little\s+(?:brother|sister|one)))\b"
)
"""Who is hurt: the respondent, or (for caregivers) their children."""
_OFTEN_EN = r"(?:\s+(?:always|often|still|sometimes|keeps?|kept|usually|also|even|will|would))*"
_HURT_VERBS_EN = (
    r"(?:(?:hits?|hitting|kicks?|kicked|punch(?:es|ed)?|punching|slap(?:s|ped)?|slapping|"
    r"chok(?:es|ed|ing)|burn(?:s|ed)|hurts?|hurting|whips?|whipped|smacks?|smacked|"
    r"beating|beats?(?=\s+" + _VICTIM_EN + r"(?!\s+(?:at|in|to)\b)))\s+" + _VICTIM_EN + r"|"
    r"beat\s+(?:me|us)\s+up)"
)
_PASSIVE_EN = r"\b(?:i\s+get|i\s+got|i\s+was|i'?m\s+being|i\s+am\s+being|i\s+keep\s+getting)"
_END = r"\s*(?:[.!?,;:)]|$)"
"""The phrase ends here: "I don't want to live" but not "... to live in this town"."""
_SPANISH_BODY = r"(?:los\s+brazos|las\s+munecas|la\s+muneca|las\s+piernas|la\s+piel|el\s+brazo)"

_PATTERNS: dict[str, tuple[str, ...]] = {
    SUICIDE: (
        # English
        r"\bkill(?:ing)?\s+my\s*self\b",
        r"\bkms\b",
        r"\bsuicid(?:e|al)\b",
        r"\b(?:end|ending|take|taking)\s+my\s+(?:own\s+)?life\b",
        r"\b(?:want|wanted|wanna)\s+(?:to\s+)?die\b",
        r"\bwish\s+i\s+(?:was|were)\s+(?:dead|never\s+born)\b",
        r"\bbetter\s+off\s+dead\b",
        r"\b(?:don'?t|do\s+not)\s+want\s+to\s+be\s+alive\b",
        r"\b(?:don'?t|do\s+not)\s+want\s+to\s+(?:live|be\s+here)(?:\s+(?:anymore|any\s+more))?"
        + _END,
        r"\bno\s+reason\s+to\s+live\b",
        # someone else (a caregiver about their child)
        r"\bkill(?:s|ing)?\s+(?:him|her|them)sel(?:f|ves)\b",
        r"\b(?:wants|wanted|want|wanna|talks?\s+about\s+wanting)\s+to\s+die\b",
        r"\b(?:end|ending|take|taking)\s+(?:his|her|their)\s+(?:own\s+)?life\b",
        r"\b(?:talks?|talked|talking|thinks?|thought|thinking)\s+about\s+(?:suicide|dying|killing)\b",
        # Spanish
        r"\bsuicid(?:io|arme|arse|a|ar)\b",
        r"\bmatarme\b",
        r"\bme\s+(?:quiero|voy\s+a)\s+(?:matar|morir|suicidar)\b",
        r"\bquiero\s+morir(?:me)?\b",
        r"\bquitarme\s+la\s+vida\b",
        r"\bacabar\s+con\s+mi\s+vida\b",
        r"\bno\s+quiero\s+seguir\s+viviendo\b",
        r"\bno\s+quiero\s+(?:seguir\s+)?vivir(?:\s+mas)?" + _END,
        r"\bganas\s+de\s+morir(?:me)?\b",
        r"\b(?:ojala|quisiera)\s+(?:estar|estuviera)\s+muert[oa]\b",
        r"\bmejor\s+muert[oa]\b",
        # someone else
        r"\bmatarse\b",
        r"\bse\s+(?:quiere|va\s+a)\s+(?:matar|morir|suicidar)\b",
        r"\bquiere\s+morir(?:se)?\b",
        r"\bquitarse\s+la\s+vida\b",
        r"\bacabar\s+con\s+su\s+vida\b",
        r"\bno\s+quiere\s+(?:seguir\s+)?vivir(?:\s+mas)?" + _END,
    ),
    SELF_HARM: (
        # English
        r"\b(?:hurt|hurting|harm|harming|cut|cutting|burn|burning)\s+my\s*self\b",
        r"\bself[\s-]?harm(?:ing)?\b",
        r"\bcutting\s+(?:my\s+)?(?:arms?|wrists?|legs?|skin|thighs?)\b",
        r"\b(?:been|started|start|keep|kept|still|i'?m|am)\s+cutting"
        r"(?:\s+(?:again|lately|recently|a\s+lot))?" + _END,
        # Spanish
        r"\bhacerme\s+dano\b",
        r"\bme\s+(?:hago|hice|estoy\s+haciendo)\s+dano\b",
        r"\blastimarme\b",
        r"\bme\s+(?:lastimo|estoy\s+lastimando)\b",
        r"\bautolesion(?:es|arme|o)?\b",
        r"\bme\s+estoy\s+cortando\b",
        r"\b(?:cortarme|me\s+corto|me\s+corte)\s+" + _SPANISH_BODY,
        # someone else
        r"\b(?:hurt|hurts|hurting|harm|harms|harming|cut|cuts|cutting|burn|burns|burning)\s+"
        r"(?:him|her|them)sel(?:f|ves)\b",
        r"\bhacerse\s+dano\b",
        r"\bse\s+(?:hace|hizo|esta\s+haciendo)\s+dano\b",
        r"\blastimarse\b",
        r"\bse\s+(?:lastima|esta\s+lastimando|esta\s+cortando)\b",
        r"\b(?:cortarse|se\s+corta|se\s+corto)\s+" + _SPANISH_BODY,
    ),
    ABUSE: (
        # English
        r"\babus(?:e|ed|es|ing|ive)\b",
        r"\bmolest(?:ed|s|ing|s\s+me)?\b",
        r"\b(?:touches|touched|touching)\s+me\b",
        r"\brap(?:e|ed|es|ing)\b",
        r"\bsexual(?:ly)?\s+(?:abused|assaulted|assault|harassed|harassment)\b",
        # Spanish
        r"\babus(?:o|os|a|an|aba|aban|aron|ando|ar|o\s+de\s+mi)\b",
        r"\babuso\s+sexual\b",
        r"\bme\s+manosea(?:n|ba|ban)?\b",
        r"\bme\s+toca(?:n|ba|ban)?\s+(?:sin\s+permiso|donde\s+no|mis\s+partes|"
        r"las\s+partes|de\s+forma\s+rara|de\s+manera\s+inapropiada)",
        r"\bme\s+(?:violo|violaron|viola|violan)\b",
        r"\bviolacion\b",
        r"\bacoso\s+sexual\b",
    ),
    VIOLENCE: (
        # English
        r"\b" + _WHO_EN + _OFTEN_EN + r"\s+" + _HURT_VERBS_EN,
        _PASSIVE_EN + r"\s+beat(?:en)?\s+up\b",
        _PASSIVE_EN + r"\s+(?:hit|beaten|kicked|punched|slapped|choked|hurt|whipped)\s+"
        r"(?:at\s+home|every\s+(?:day|night)|by\s+(?:my\s+|his\s+|her\s+|their\s+|a\s+|the\s+|"
        r"some\s+|an?\s+older\s+)?" + _WHO_EN + r"\b)",
        r"\b(?:afraid|scared)\s+to\s+go\s+home\b",
        r"\b(?:don'?t|do\s+not|dont|never)\s+feel\s+safe\s+at\s+home\b",
        r"\bnot\s+safe\s+at\s+home\b",
        r"\bthreaten(?:s|ed)?\s+to\s+(?:kill|hurt|hit)\s+me\b",
        # Spanish
        r"\bme\s+(?:pega|golpea|lastima|maltrata|patea|ahorca|quema|amenaza)(?:n|ba|ban)?\b",
        r"\bme\s+(?:pego|pegaron|golpeo|golpearon|lastimaron|maltrataron|patearon)\b",
        r"\bme\s+hace(?:n)?\s+dano\b",
        r"\b(?:le|les|nos)\s+(?:pega|golpea|maltrata|patea)(?:n|ba|ban)?\s+(?:a\s+mis?\s+"
        r"(?:hij[oa]s?|nin[oa]s?|bebe)|a\s+nosotr[oa]s)\b",
        r"\bnos\s+(?:pega|golpea|maltrata)(?:n|ba|ban)?\b",
        r"\bmaltrato\b",
        r"\b(?:tengo\s+)?miedo\s+de\s+(?:ir|volver|regresar|llegar)\s+a\s+(?:mi\s+)?casa\b",
        r"\bno\s+me\s+siento\s+segur[oa]\s+en\s+(?:mi\s+)?casa\b",
    ),
}

_COMPILED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (category, re.compile("|".join(f"(?:{p})" for p in patterns)))
    for category, patterns in _PATTERNS.items()
)


def normalize(text: str) -> str:
    """Lower-case, accent-free, plain-apostrophe text with single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return " ".join(plain.casefold().split())


def assess(text: str) -> Assessment:
    """Whether `text` reads as a disclosure of risk, and which kind."""
    normalized = normalize(text)
    if not normalized:
        return Assessment(flagged=False)
    for category, pattern in _COMPILED:
        if pattern.search(normalized):
            return Assessment(flagged=True, category=category)
    return Assessment(flagged=False)
