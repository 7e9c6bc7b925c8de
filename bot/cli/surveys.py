"""`chorus surveys validate|add|list`, and how every command opens the database.

Built-in surveys are stored automatically whenever a command opens the
database: storing is idempotent per content hash, so this costs a few lookups,
and a new release's edited built-ins become the version new campaigns use
without anyone running `surveys add --builtin` (which still exists, for clarity).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from sqlalchemy.engine import Engine

from bot.cli.app import console, fail
from surveys.crud.surveys import (
    add_builtin_surveys,
    add_survey,
    find_survey_record,
    latest_survey_record,
    list_survey_records,
    survey_from_record,
)
from surveys.db import StorageError, init_db, make_engine, session_scope
from surveys.definition import Survey
from surveys.i18n import format_number
from surveys.loader import SurveyDefinitionError, load_survey_file


def open_database(url: str | None = None) -> Engine:
    """The configured database, migrated, with the built-in surveys stored; errors are one line."""
    try:
        engine = make_engine(url)
        init_db(engine)
        with session_scope(engine) as session:
            add_builtin_surveys(session)
    except StorageError as exc:
        fail(str(exc))
    except SurveyDefinitionError as exc:
        fail(f"a built-in survey cannot be loaded ({exc}); reinstall chorus")
    return engine


def load_survey_or_fail(path: Path) -> Survey:
    """A survey file, or the loader's one-line message and exit 2."""
    try:
        return load_survey_file(path)
    except SurveyDefinitionError as exc:
        fail(f"{exc} (fix the file and run `chorus surveys validate {path}` again)")


def describe(survey: Survey) -> str:
    return (
        f"{survey.id} version {survey.version} (hash {survey.version_hash}): "
        f"{format_number(len(survey.questions), 'en')} questions, for {survey.audience}, "
        f"in {', '.join(survey.languages)}"
    )


def validate(
    file: Annotated[Path, typer.Argument(help="A survey YAML file.")],
) -> None:
    """Check a survey file without storing it."""
    survey = load_survey_or_fail(file)
    console.print(f"[green]OK[/] {describe(survey)}", highlight=False)


def add(
    file: Annotated[
        Path | None, typer.Argument(help="A survey YAML file (omit with --builtin).")
    ] = None,
    builtin: Annotated[
        bool, typer.Option("--builtin", help="Store the surveys that ship with chorus.")
    ] = False,
) -> None:
    """Validate a survey file and store it, so campaigns can be launched with it."""
    if (file is None) == (not builtin):
        fail("give either a survey FILE or --builtin (not both)")
    survey = load_survey_or_fail(file) if file is not None else None
    engine = open_database()  # this already stores the built-ins
    if survey is None:
        with session_scope(engine) as session:
            records = add_builtin_surveys(session)
        for record in records:
            console.print(f"stored built-in {record.survey_id} version {record.version}")
        return
    with session_scope(engine) as session:
        already = find_survey_record(session, survey_id=survey.id, version_hash=survey.version_hash)
        add_survey(session, survey=survey)
    verb = "already stored" if already is not None else "stored"
    console.print(f"[green]{verb}[/] {describe(survey)}", highlight=False)


def list_surveys() -> None:
    """List every stored survey version; new campaigns use the newest of each id."""
    engine = open_database()
    with session_scope(engine) as session:
        records = list_survey_records(session)
        latest = {
            r.survey_id: latest_survey_record(session, survey_id=r.survey_id) for r in records
        }
    table = Table(
        title="Stored surveys", caption="* the newest version, which `chorus launch` uses",
        box=box.SIMPLE_HEAD, pad_edge=False,
    )  # fmt: skip
    table.add_column("survey", ratio=1, min_width=19, overflow="fold")
    table.add_column("version", min_width=5)
    table.add_column("hash", no_wrap=True, min_width=16)
    table.add_column("for, in", min_width=9)
    table.add_column("items", justify="right", min_width=3)
    for record in records:
        survey = survey_from_record(record)
        newest = latest[record.survey_id]
        mark = " *" if newest is not None and newest.id == record.id else ""
        table.add_row(
            record.survey_id,
            record.version + mark,
            record.version_hash,
            f"{survey.audience}\n{', '.join(survey.languages)}",
            format_number(len(survey.questions), "en"),
        )
    if not records:
        console.print("No surveys stored yet: `chorus surveys add FILE` stores one.")
        return
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `chorus surveys ...` to the root app."""
    group = typer.Typer(
        help="Survey definitions: check a YAML file, store it, list what is stored.",
        no_args_is_help=True,
    )
    group.command("validate")(validate)
    group.command("add")(add)
    group.command("list")(list_surveys)
    app.add_typer(group, name="surveys")
