"""Alembic environment for chorus.

`surveys.db.init_db` passes an open connection in `config.attributes["connection"]`,
so migrations run inside the caller's engine (its pragmas, its transaction). When
alembic is run from the command line instead, the database comes from the same
settings the application reads (`CHORUS_DATABASE_URL` / `CHORUS_DATA_DIR`).
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

import surveys.models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render sqlmodel's column types as plain SQLAlchemy ones, so migrations don't import sqlmodel.

    `UTCDateTime` is a `DateTime(timezone=True)` that insists on aware values;
    the database only ever sees the timezone-aware column.
    """
    if type_ == "type" and isinstance(obj, AutoString):
        length = f"length={obj.length}" if obj.length else ""
        return f"sa.String({length})"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,  # type: ignore[arg-type]
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return

    from surveys.db import make_engine

    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or None)
    try:
        with engine.begin() as own_connection:
            _configure(own_connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    from surveys.settings import StorageSettings

    context.configure(
        url=context.config.get_main_option("sqlalchemy.url") or StorageSettings().url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_item=render_item,  # type: ignore[arg-type]
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
