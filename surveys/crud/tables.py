"""Core `Table` handles of the models, for the hot paths written in SQLAlchemy Core.

SQLModel does not type `Model.__table__`; this is the one place that says what it is.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """The model's table, typed."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table
