"""Text limits taken from the tables, checked before the database sees a value.

SQLite ignores `VARCHAR(n)` and PostgreSQL refuses a longer value with an
error deep inside a transaction. Reading the limit from the column itself keeps
one rule for both, and a message that names the limit.
"""

from __future__ import annotations

import re

from sqlmodel import SQLModel

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters other than tab and newline: invisible on a flyer or in Telegram,
and PostgreSQL refuses NUL outright."""
LINE_BREAKS = re.compile(r"[\n\r\u2028\u2029]")


def column_limit(model: type[SQLModel], name: str) -> int | None:
    """The `max_length` of `model.name` as the table declares it, or None for unbounded text."""
    table = SQLModel.metadata.tables[str(getattr(model, "__tablename__", ""))]
    length = getattr(table.columns[name].type, "length", None)
    return length if isinstance(length, int) else None


def text_problem(
    value: str, *, what: str, limit: int | None, single_line: bool = True
) -> str | None:
    """Why `value` cannot be stored as `what`, in words a person can act on; None if it can."""
    if not value.strip():
        return f"the {what} is empty"
    control = CONTROL_CHARACTERS.search(value)
    if control is None and single_line:
        control = LINE_BREAKS.search(value)
    if control is not None:
        return f"the {what} holds the control character {control.group()!r}; remove it"
    if limit is not None and len(value) > limit:
        return f"the {what} is {len(value):,} characters long; the limit is {limit:,}"
    return None
