from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
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
    "answer_analysis",
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


def test_existing_campaigns_join_an_organization_named_after_them(blank_engine: Engine) -> None:
    """0003: every campaign of before is given the organization its `organization` names."""
    with blank_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0002")
        connection.execute(
            text(
                "INSERT INTO survey (id, survey_id, version, version_hash, title, definition, "
                "created_at) VALUES (1, 's', '1', 'h', 'T', '{}', '2026-01-01')"
            )
        )
        for code, organization in (("c1", "Casa"), ("c2", "Casa"), ("c3", "Bridges")):
            connection.execute(
                text(
                    "INSERT INTO campaign (code, survey_pk, organization, school, grade, audience,"
                    " default_language, opens_at, status, declined_count, created_at) VALUES "
                    "(:code, 1, :org, 'S', '7', 'student', 'es', '2026-01-01', 'open', 0, "
                    "'2026-01-01')"
                ),
                {"code": code, "org": organization},
            )
    init_db(blank_engine)
    with blank_engine.connect() as connection:
        organizations = dict(
            connection.execute(text("SELECT name, id FROM organization")).tuples().all()
        )
        owners = dict(
            connection.execute(text("SELECT code, organization_id FROM campaign")).tuples().all()
        )
        languages = set(connection.execute(text("SELECT default_language FROM organization")))
    assert set(organizations) == {"Casa", "Bridges"}
    assert owners == {
        "c1": organizations["Casa"],
        "c2": organizations["Casa"],
        "c3": organizations["Bridges"],
    }
    assert languages == {("es",)}
