"""`chorus report`: the facilitator packet and its tables for one or more campaigns.

All the work is in `analysis.packet`; this module turns command-line text into
arguments and every foreseeable problem into one line with exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analysis.locales import LANGUAGES
from analysis.packet_formats import BILINGUAL, FORMATS
from analysis.suppression import DEFAULT_MIN_N
from bot.cli.app import console, fail
from surveys.crud.organizations import OrganizationError, check_campaigns_of
from surveys.db import StorageError, init_db, make_engine, session_scope


def parse_formats(value: str) -> tuple[str, ...]:
    """`html,md` -> ("html", "md"); unknown names fail with the list of valid ones."""
    formats = tuple(
        dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip())
    )
    unknown = [f for f in formats if f not in FORMATS]
    if not formats or unknown:
        shown = ", ".join(unknown) or repr(value)
        fail(f"unknown format {shown}; use a comma-separated list of {', '.join(FORMATS)}")
    return formats


def report(
    campaigns: Annotated[list[str], typer.Argument(help="One or more campaign codes.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write into.")] = Path("out"),
    format: Annotated[
        str, typer.Option("--format", help="Comma-separated: html, pdf, md, xlsx, csv.")
    ] = ",".join(FORMATS),
    language: Annotated[
        str,
        typer.Option("--language", help="Language of the packet: en, es, or en+es side by side."),
    ] = "en",
    min_n: Annotated[
        int, typer.Option("--min-n", help="Hide any group with fewer respondents than this.")
    ] = DEFAULT_MIN_N,
    org: Annotated[
        str | None,
        typer.Option("--org", help="The organization: a campaign of another is refused."),
    ] = None,
) -> None:
    """Write the facilitator packet (HTML, PDF, Markdown) and the tables (XLSX, CSV)."""
    formats = parse_formats(format)
    if language not in LANGUAGES and language != BILINGUAL:
        fail(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)} or {BILINGUAL}")
    if min_n < 1:
        fail(f"--min-n must be at least 1, not {min_n}")
    if out.exists() and not out.is_dir():
        fail(f"--out {out} is a file; give a directory to write the packet into")
    try:
        engine = make_engine()
        init_db(engine)
    except StorageError as exc:
        fail(str(exc))
    try:
        from analysis.packet import build_report, languages_of  # pandas: only when reporting

        with session_scope(engine) as session:
            if org is not None:
                check_campaigns_of(session, organization=org, codes=campaigns)
            built = [
                build_report(session, campaign_codes=campaigns, language=lang, min_n=min_n)
                for lang in languages_of(language)
            ]
    except OrganizationError as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(f"{exc}; run `chorus campaigns` to list the codes")
    finally:
        engine.dispose()
    from analysis.packet import write_outputs

    try:
        paths = write_outputs(built[0], out, formats, *built[1:])
    except OSError as exc:
        fail(f"cannot write to {out}: {exc.strerror or exc}")
    for path in (paths.html, paths.pdf, paths.md, paths.xlsx):
        if path is not None:
            console.print(str(path), highlight=False, soft_wrap=True)
    if paths.csv:
        console.print(f"{paths.csv[0].parent}/ ({len(paths.csv)} CSV tables)", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("report")(report)
