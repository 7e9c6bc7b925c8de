from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import surveys.models  # noqa: F401  (the tables the migrations must match)
from surveys.db import MIGRATIONS_DIR, alembic_config, init_db

TABLES = {
    "survey",
    "campaign",
    "respondent",
    "contact",
    "answer",
    "processed_update",
    "inbox_update",
    "outbox_message",
    "organization",
    "staff_member",
    "invitation",
    "audit_event",
    "alert",
}


def test_upgrade_head_matches_the_models_exactly(blank_engine: Engine) -> None:
    init_db(blank_engine)
    with blank_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
    assert set(inspect(blank_engine).get_table_names()) == TABLES | {"alembic_version"}


def test_downgrade_base_removes_every_table(blank_engine: Engine) -> None:
    init_db(blank_engine)
    with blank_engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert set(inspect(blank_engine).get_table_names()) == {"alembic_version"}
    init_db(blank_engine)  # and back up again
    assert set(inspect(blank_engine).get_table_names()) >= TABLES


def test_one_linear_history_starting_at_0001() -> None:
    scripts = ScriptDirectory(str(MIGRATIONS_DIR))
    assert len(scripts.get_heads()) == 1
    assert scripts.get_bases() == ["0001"]
