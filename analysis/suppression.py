"""The small-group privacy rule, in one place, with the words the packet uses to state it.

A group with fewer than `min_n` respondents is hidden. Hiding is complementary:
whenever a breakdown shows the total, what is hidden must not be recoverable by
subtracting the shown groups from it. So while only one group is hidden, or the
hidden groups together still number fewer than `min_n`, the next-smallest shown group
is hidden too. Open text for a group is shown only when the group itself has at
least `min_n` respondents.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

DEFAULT_MIN_N = 10
K = TypeVar("K", bound=Hashable)

_HIDDEN_LABEL = {
    "en": "fewer than {min_n} responses",
    "es": "menos de {min_n} respuestas",
}
_RULE = {
    "en": (
        "To protect privacy, no result is shown for a group with fewer than {min_n} "
        "responses; it reads “fewer than {min_n} responses” instead. When one group is "
        "hidden, the next-smallest group is hidden as well, so nobody can work out a hidden "
        "group by subtracting the others from the total. Written comments are shown only "
        "for groups with at least {min_n} responses, with names, phone numbers, e-mail "
        "addresses and handles removed, and never when a comment raised a safety concern."
    ),
    "es": (
        "Para proteger la privacidad, no se muestra ningún resultado de un grupo con menos "
        "de {min_n} respuestas; en su lugar dice “menos de {min_n} respuestas”. Cuando se "
        "oculta un grupo, también se oculta el siguiente grupo más pequeño, para que nadie "
        "pueda calcular el grupo oculto restando los demás del total. Los comentarios "
        "escritos se muestran solo para grupos con al menos {min_n} respuestas, sin nombres, "
        "teléfonos, correos ni usuarios, y nunca si un comentario expresó un riesgo."
    ),
}


def hidden_label(min_n: int, language: str = "en") -> str:
    """What a suppressed cell says, e.g. "fewer than 10 responses"."""
    return _HIDDEN_LABEL.get(language, _HIDDEN_LABEL["en"]).format(min_n=min_n)


def rule_statement(min_n: int, language: str = "en") -> str:
    """The rule in plain words, printed in the packet next to the numbers it governs."""
    return _RULE.get(language, _RULE["en"]).format(min_n=min_n)


def is_shown(n: int, min_n: int) -> bool:
    """Whether a single group (or the whole campaign) is large enough to report at all."""
    return n >= min_n


def may_show_text(n: int, min_n: int) -> bool:
    """Open text is shown only for a group with at least `min_n` respondents."""
    return n >= min_n


def hidden_groups(counts: Mapping[K, int], *, min_n: int) -> set[K]:
    """The groups of one breakdown to hide, given each group's respondent count.

    The groups are assumed to partition the total that is shown alongside them.
    Groups with no respondents are not listed and so never hidden.
    """
    present = {k: n for k, n in counts.items() if n > 0}
    hidden = {k for k, n in present.items() if n < min_n}
    while hidden:
        hidden_total = sum(present[k] for k in hidden)
        if len(hidden) > 1 and hidden_total >= min_n:
            break
        shown = sorted((n, str(k), k) for k, n in present.items() if k not in hidden)
        if not shown:
            break
        hidden.add(shown[0][2])
    return hidden
