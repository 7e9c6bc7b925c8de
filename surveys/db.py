"""Engines, schema upgrades and transactions.

Every entry point (the bot, the CLI, the tests) opens storage through here, so
SQLite gets the same pragmas everywhere and the schema is only ever created by
alembic: a database made by `init_db` can be upgraded later by the same
migrations instead of being rebuilt.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlmodel import Session, create_engine

from surveys.errors import ChorusError
from surveys.settings import StorageSettings

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
"""Inside the package, so `init_db` works after `pip install` without a repo-root alembic.ini."""

SQLITE_PRAGMAS = (
    # WAL lets the bot write while `chorus export` or `chorus campaigns` reads.
    "PRAGMA journal_mode=WAL",
    # SQLite ignores foreign keys unless asked, per connection.
    "PRAGMA foreign_keys=ON",
    # Wait for a writer instead of failing at once with "database is locked".
    "PRAGMA busy_timeout=5000",
    # Safe with WAL (a crash may lose the last commit, never corrupt the file) and much faster.
    "PRAGMA synchronous=NORMAL",
)


MIGRATION_LOCK = 0x63686F727573  # "chorus" in ASCII: the advisory lock id held while migrating


class StorageError(ChorusError, RuntimeError):
    """The database cannot be used as configured; the message is one line that says why."""


def _parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: e.g. a port that is not a number
        shown = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)  # never echo a password
        raise StorageError(
            f"the database URL {shown!r} is malformed; set CHORUS_DATABASE_URL to e.g. "
            "sqlite:///data/chorus.db or postgresql+psycopg://user:password@host/chorus"
        ) from None
    if parsed.drivername == "postgresql":
        # psycopg 3 is the driver we ship (the `postgres` extra); SQLAlchemy would pick psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _describe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def sqlite_file(url: URL) -> Path | None:
    """The file a SQLite URL names; None for an in-memory or `file:` URI database, or for
    another backend. Only a named file can be opened by another process as the same
    database (the packet's theme worker does) and needs its folder made."""
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    return None if database.startswith("file:") else Path(database).expanduser()


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url`, or for `StorageSettings().url` (a SQLite file in the data dir).

    Nothing connects yet; a database that cannot be reached is reported by `init_db`.
    """
    parsed = _parse_url(url or StorageSettings().url)
    try:
        if parsed.get_backend_name() == "sqlite":
            path = sqlite_file(parsed)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed, connect_args={"check_same_thread": False})
            event.listen(engine, "connect", _set_sqlite_pragmas)
            return engine
        return create_engine(parsed, pool_pre_ping=True)
    except NoSuchModuleError:
        raise StorageError(
            f"unsupported database URL {_describe(parsed)}; use sqlite:///... or "
            "postgresql+psycopg://..."
        ) from None
    except ImportError as exc:
        raise StorageError(
            f"the driver for {parsed.drivername} is not installed ({exc.name}); "
            "for PostgreSQL install chorus[postgres]"
        ) from None
    except OSError as exc:
        raise StorageError(
            f"cannot create the data directory for {parsed.database}: {exc}"
        ) from None


def alembic_config(connection: Any | None = None) -> Config:
    """An alembic config for the packaged migrations, optionally bound to an open connection.

    alembic is imported here, not with the module (a third of a second): a process that
    only reads, such as the packet built from the library, never needs it.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip()
    return text.splitlines()[0] if text else type(original).__name__


def init_db(engine: Engine) -> None:
    """Bring the schema up to the newest migration (a no-op when it already is)."""
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Several workers starting at once must not race to create the same tables;
                # the lock is released when this transaction ends.
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            from alembic import command

            command.upgrade(alembic_config(connection), "head")
    except DBAPIError as exc:
        raise StorageError(
            f"cannot use the database at {_describe(engine.url)}: {_first_line(exc)}"
        ) from None


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit when the block ends, roll back if it raises.

    Objects stay readable after the commit (`expire_on_commit=False`), so a CLI
    command can print what it just stored without another query.
    """
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
