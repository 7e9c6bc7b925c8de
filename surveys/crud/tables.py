"""Core `Table` handles of the models and the transaction they run in, for the hot paths
written in SQLAlchemy Core.

SQLModel does not type `Model.__table__`; this is the one place that says what it is.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

Db = Session | Connection
"""One open transaction. The bot runs each update on a Core `Connection`
(`conversations.run`): an ORM session's bookkeeping cost more than the update's SQL.
Tests and the CLI pass a `Session`; every crud function reads and writes the same
through either."""


def table_of(model: type[SQLModel]) -> Table:
    """The model's table, typed."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def connection_of(db: Db) -> Connection:
    """The Core connection of either kind of transaction, for SQL written once as text."""
    return db if isinstance(db, Connection) else db.connection()
