from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from surveys.db import MIGRATIONS_DIR, StorageError, init_db, make_engine, session_scope
from surveys.models import Campaign, SurveyRecord

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def _record(survey_id: str = "s") -> SurveyRecord:
    return SurveyRecord(
        survey_id=survey_id, version="1", version_hash="h" * 16, title="t", definition="{}",
        created_at=NOW,
    )  # fmt: skip


def test_sqlite_creates_the_data_directory_and_sets_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a' / 'b' / 'chorus.db'}")
    with engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    engine.dispose()
    assert (tmp_path / "a" / "b").is_dir()
    # synchronous is reported as a number: 1 is NORMAL (2 would be FULL, SQLite's default).
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000,
                       "synchronous": 1}  # fmt: skip


def test_default_url_is_a_file_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("CHORUS_DATABASE_URL", raising=False)
    monkeypatch.setenv("CHORUS_DATA_DIR", str(tmp_path / "store"))
    engine = make_engine()
    assert engine.url.database == str(tmp_path / "store" / "chorus.db")
    assert (tmp_path / "store").is_dir()


def test_plain_postgresql_urls_use_psycopg_3() -> None:
    engine = make_engine("postgresql://someone@localhost/chorus")
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.pool._pre_ping


@pytest.mark.parametrize("url", ["not a url", "sqlite//missing-colon.db", "://"])
def test_a_malformed_url_is_one_line_naming_the_setting(url: str) -> None:
    with pytest.raises(StorageError) as caught:
        make_engine(url)
    message = str(caught.value)
    assert "\n" not in message
    assert "CHORUS_DATABASE_URL" in message


def test_a_malformed_url_never_echoes_a_password() -> None:
    with pytest.raises(StorageError) as caught:
        make_engine("postgresql+psycopg://chorus:s3cret@db:notaport/chorus")
    assert "s3cret" not in str(caught.value)
    assert "postgresql+psycopg://chorus:***@db:notaport/chorus" in str(caught.value)


def test_an_unknown_backend_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="nosuchdb"):
        make_engine("nosuchdb://host/db")


def test_an_unreachable_database_is_one_line_without_the_password() -> None:
    engine = make_engine("postgresql+psycopg://chorus:s3cret@127.0.0.1:1/chorus")
    with pytest.raises(StorageError) as caught:
        init_db(engine)
    message = str(caught.value)
    assert message.startswith("cannot use the database at postgresql+psycopg://chorus:***@")
    assert "s3cret" not in message
    assert "\n" not in message


def test_an_unwritable_sqlite_location_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(StorageError, match="cannot create the data directory"):
        make_engine(f"sqlite:///{tmp_path / 'file' / 'sub' / 'chorus.db'}")


def test_init_db_is_idempotent_and_stamps_head(blank_engine: Engine) -> None:
    init_db(blank_engine)
    init_db(blank_engine)
    with blank_engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None and head >= "0003"
    assert versions == [(head,)]


def test_session_scope_commits_on_success(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(_record())
    with Session(engine) as session:
        assert [r.survey_id for r in session.exec(select(SurveyRecord))] == ["s"]


def test_session_scope_rolls_back_on_error(engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.add(_record())
        session.flush()
        raise RuntimeError("boom")
    with Session(engine) as session:
        assert session.exec(select(SurveyRecord)).all() == []


def test_objects_stay_readable_after_the_scope(engine: Engine) -> None:
    with session_scope(engine) as session:
        record = _record("kept")
        session.add(record)
    assert record.survey_id == "kept"
    assert record.id == 1


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    campaign = Campaign(
        survey_pk=999, organization="o", school="s", grade="7", audience="student",
        default_language="en", opens_at=NOW, created_at=NOW,
    )  # fmt: skip
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(campaign)


def test_workers_starting_together_migrate_once(blank_engine: Engine) -> None:
    """PostgreSQL only: an advisory lock serializes concurrent `init_db` calls."""
    if blank_engine.dialect.name != "postgresql":
        pytest.skip("SQLite deployments run one process; the lock is PostgreSQL's")
    errors: list[BaseException] = []

    def start() -> None:
        try:
            init_db(blank_engine)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=start, daemon=True) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    with blank_engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None and head >= "0003"
    assert versions == [(head,)]


def test_only_a_named_sqlite_file_is_a_file_another_process_can_open(tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    from surveys.db import sqlite_file

    assert sqlite_file(make_url(f"sqlite:///{tmp_path}/chorus.db")) == tmp_path / "chorus.db"
    assert sqlite_file(make_url("sqlite:///~/chorus.db")) == Path("~/chorus.db").expanduser()
    for shared_nowhere in ("sqlite://", "sqlite:///:memory:", "sqlite:///file:x?mode=memory"):
        assert sqlite_file(make_url(shared_nowhere)) is None
    assert sqlite_file(make_url("postgresql+psycopg://u@h/chorus")) is None
