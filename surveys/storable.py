"""Text as the databases will take it.

PostgreSQL refuses NUL in text, and neither database can store a lone UTF-16
surrogate (which a client can send as an escaped `\\ud83d`). Every text that
comes from outside is passed through `storable_text` before the storage sees it.
"""

from __future__ import annotations

import re

_REFUSED = re.compile(r"[\x00\ud800-\udfff]")


def storable_text(text: str) -> str:
    """`text` without the characters a database refuses (NUL, lone surrogates)."""
    return _REFUSED.sub("", text)
