"""The root typer app and the one way commands report bad input."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

app = typer.Typer(
    name="chorus",
    help="Survey bot for school-community conversations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

EXIT_USAGE = 2


class UserError(Exception):
    """Bad input from the person at the keyboard: shown as one line, exit code 2."""


def fail(message: str) -> NoReturn:
    """Print a one-line error that says what to do, and exit 2; never a traceback."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_USAGE)


def main() -> None:
    try:
        app()
    except UserError as exc:
        fail(str(exc))
