"""A small Spanish polarity lexicon for survey comments, scored offline.

TextBlob's pattern lexicon is English only and no maintained Spanish lexicon in reach works
offline, so chorus bundles this one: about 150 words families use about schools, each with
a polarity from -1 to 1 in the spirit of the pattern lexicon (bueno 0.7, excelente 1.0,
malo -0.7, terrible -1.0). Words are matched on Snowball stems, so "buena", "buenos" and
"bueno" are one entry. As in PatternAnalyzer, a negation just before ("no", "nunca", "ni")
flips and halves a word (* -0.5), "muy" and its cousins multiply it by 1.3, and the score
of a comment is the mean of its scored words (0.0 when none is known).

It is deliberately coarse: it reads "mostly positive" versus "mostly negative" over many
comments, which is all the packet says; it is not for judging one comment.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from analysis.textnorm import MATCH_WORD, fold, stem_words

_POSITIVE = {
    1.0: "excelente excelentes maravilloso maravillosa increible perfecto perfecta encanta "
    "encantan fantastico fantastica",
    0.8: "contento contenta contentos feliz felices agradecido agradecida agradecidos "
    "gracias genial mejor mejores amable amables",
    0.7: "bueno buena buenos buenas bien bonito bonita lindo linda gusta gustan "
    "apoyan apoyo ayudan util utiles seguro segura seguros seguras tranquilo tranquila",
    0.5: "paciente pacientes atento atentos atenta responsable responsables organizado "
    "organizada limpio limpia comodo comoda interesante interesantes facil justo justa "
    "confianza respeto respetan escuchan bienvenidos bienvenido bienvenida incluido incluida",
    0.3: "suficiente aceptable regular mejorado mejorando progreso",
}
_NEGATIVE = {
    -1.0: "terrible terribles horrible horribles pesimo pesima odio odia",
    -0.8: "peligroso peligrosa peligrosos inseguro insegura triste tristes miedo asustado "
    "asustada acoso abuso injusto injusta grosero grosera groseros",
    -0.7: "malo mala malos malas mal peor peores preocupa preocupado preocupada problema "
    "problemas dificil dificiles sucio sucia lento lenta",
    -0.5: "confuso confusa complicado complicada estresado estresada cansado cansada "
    "aburrido aburrida falta faltan excluido excluida ignoran ignora "
    "molestan molesta pelea peleas queja",
    -0.3: "lejos",
}
NEGATIONS = frozenset(["no", "nunca", "ni", "tampoco", "jamas", "sin"])
INTENSIFIERS = {"muy": 1.3, "super": 1.3, "bastante": 1.2, "demasiado": 1.3, "tan": 1.2}
# Only the next few words can be negated: "no es muy bueno" flips "bueno".
_NEGATION_REACH = 3


@lru_cache(maxsize=1)
def lexicon() -> dict[str, float]:
    """Stem -> polarity, built once from the word lists above."""
    table: dict[str, float] = {}
    for value, words in (*_POSITIVE.items(), *_NEGATIVE.items()):
        folded = [fold(w) for w in words.split()]
        for stem in stem_words(folded, "es"):
            table[stem] = value
    return table


def polarity_es(text: str) -> float:
    """Mean polarity (-1..1) of the known words of one Spanish comment, 0.0 if none."""
    scores = word_scores_es(MATCH_WORD.findall(fold(text)))
    return sum(scores) / len(scores) if scores else 0.0


def word_scores_es(words: Sequence[str]) -> list[float]:
    """The scores of the known words among `words` (a comment's folded words), in order."""
    if not words:
        return []
    table = lexicon()
    scores: list[float] = []
    for index, stem in enumerate(stem_words(words, "es")):
        value = table.get(stem)
        if value is None or words[index] in NEGATIONS:
            continue
        before = words[max(0, index - _NEGATION_REACH) : index]
        if before and before[-1] in INTENSIFIERS:
            value = max(-1.0, min(1.0, value * INTENSIFIERS[before[-1]]))
        if any(word in NEGATIONS for word in before):
            value *= -0.5
        scores.append(value)
    return scores


def reaches_on_es(words: Sequence[str]) -> bool:
    """Whether the end of `words` can change how the words after them are scored: a
    negation among the last `_NEGATION_REACH` words, or an intensifier last. When it
    cannot, a comment's scores are its parts' scores one after the other."""
    tail = words[-_NEGATION_REACH:]
    return bool(tail) and (tail[-1] in INTENSIFIERS or any(w in NEGATIONS for w in tail))
