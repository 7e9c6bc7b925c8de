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

from analysis.locales import text

DEFAULT_MIN_N = 10
K = TypeVar("K", bound=Hashable)

SMALL = "small"
"""Why a cell is hidden: its own group has fewer than `min_n` respondents."""
PROTECT = "protect"
"""Why a cell is hidden: showing it would let a smaller hidden group be worked out."""


def hidden_label(min_n: int, language: str = "en", reason: str = SMALL) -> str:
    """What a suppressed cell says: "fewer than 10 responses" only where that is true.

    A group hidden by the complementary rule is large; calling it small would be false and
    would point the reader at the group that really is small.
    """
    key = "protect" if reason == PROTECT else "small"
    return text(f"suppressed.{key}", language, min_n=min_n)


def rule_statement(min_n: int, language: str = "en") -> str:
    """The rule in plain words, printed in the packet next to the numbers it governs."""
    return text("rule", language, min_n=min_n)


def is_shown(n: int, min_n: int) -> bool:
    """Whether a single group (or the whole campaign) is large enough to report at all."""
    return n >= min_n


def may_show_text(n: int, min_n: int) -> bool:
    """Open text is shown only for a group with at least `min_n` respondents."""
    return n >= min_n


def hidden_reasons(counts: Mapping[K, int], *, min_n: int) -> dict[K, str]:
    """Each hidden group of one breakdown with why it is hidden (`SMALL` or `PROTECT`)."""
    hidden = hidden_groups(counts, min_n=min_n)
    return {k: SMALL if counts[k] < min_n else PROTECT for k in hidden}


def reason_for(n: int, min_n: int) -> str:
    """The reason for a cell hidden on its own count (an item, a wave): "" when shown."""
    return "" if is_shown(n, min_n) else SMALL


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
