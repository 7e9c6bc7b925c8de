"""Shared fixtures: a migrated database per test, a session on it, the built-in surveys.

`engine` runs every test that uses it against SQLite and, when
`CHORUS_TEST_POSTGRES_URL` is set (CI starts a server), against PostgreSQL too.
SQLite is migrated once per test session into a template file that each test
copies, so a fresh database costs a file copy instead of a migration run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel
from typer.testing import CliRunner, Result

from surveys.db import init_db, make_engine
from surveys.definition import Survey

POSTGRES_URL = os.environ.get("CHORUS_TEST_POSTGRES_URL")
_NO_POSTGRES = pytest.mark.skipif(
    not POSTGRES_URL, reason="CHORUS_TEST_POSTGRES_URL is not set: PostgreSQL variant not run"
)
BACKENDS = ["sqlite", pytest.param("postgres", marks=_NO_POSTGRES)]


def _drop_everything(engine: Engine) -> None:
    """Remove chorus's tables (and alembic's bookkeeping) from the test PostgreSQL database."""
    with engine.begin() as connection:
        SQLModel.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "chorus.db"
    engine = make_engine(f"sqlite:///{path}")
    init_db(engine)
    with engine.connect() as connection:
        # Fold the write-ahead log into the file, so copying the file alone copies everything.
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """The test PostgreSQL database, migrated once; `engine` empties it after each test."""
    if not POSTGRES_URL:
        pytest.skip("CHORUS_TEST_POSTGRES_URL is not set")
    engine = make_engine(POSTGRES_URL)
    _drop_everything(engine)
    init_db(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Engine]:
    """A migrated, empty database of its own for this test."""
    if request.param == "sqlite":
        path = tmp_path / "chorus.db"
        shutil.copyfile(sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    yield engine
    tables = ", ".join(table.name for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        # A session the test left open would make TRUNCATE wait forever: fail loudly instead.
        connection.execute(text("SET LOCAL lock_timeout = '10s'"))
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def blank_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database with no chorus tables at all, for migration tests."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'blank.db'}")
        yield engine
        engine.dispose()
        return
    assert POSTGRES_URL is not None
    engine = make_engine(POSTGRES_URL)
    _drop_everything(engine)
    yield engine
    # Leave the database migrated, as the session-wide `postgres_engine` expects.
    _drop_everything(engine)
    init_db(engine)
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on `engine`; factories flush, tests commit only when they mean to."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(scope="session")
def builtin() -> dict[str, Survey]:
    """The surveys shipped with chorus, by id (`student-belonging`, ...)."""
    from surveys.loader import builtin_surveys

    return {survey.id: survey for survey in builtin_surveys()}


@dataclass
class Cli:
    """Runs `chorus` commands in-process against a data directory of their own.

    Only this project's storage and campaign command groups are registered, so a
    test of them doesn't depend on every other command importing cleanly.
    """

    app: typer.Typer
    data_dir: Path

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(self.app, [str(a) for a in args])

    @property
    def url(self) -> str:
        return f"sqlite:///{self.data_dir / 'chorus.db'}"


@contextmanager
def cli_db(cli: Cli) -> Iterator[Session]:
    """A session on the database the `chorus` commands of `cli` use; commits on leaving."""
    engine = make_engine(cli.url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
            session.commit()
    finally:
        engine.dispose()


def assert_one_line_error(result: Result, *, contains: str) -> None:
    """Exit 2 with a single `error:` line on stderr, and no traceback anywhere."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert contains in lines[0]
    assert "Traceback" not in result.output


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`chorus` with CHORUS_DATA_DIR in `tmp_path` and TELEGRAM_BOT_USERNAME=chorus_test_bot."""
    from bot.cli import campaigns, demo, staff, surveys

    monkeypatch.chdir(tmp_path)  # away from any .env in the repository
    monkeypatch.delenv("CHORUS_DATABASE_URL", raising=False)
    monkeypatch.setenv("CHORUS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "chorus_test_bot")
    app = typer.Typer(pretty_exceptions_enable=False)
    for module in (surveys, campaigns, staff, demo):
        module.register(app)
    return Cli(app=app, data_dir=tmp_path / "data")
