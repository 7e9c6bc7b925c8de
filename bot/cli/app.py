"""The root typer app and the one way commands report bad input."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from surveys.errors import ChorusError

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


class UserError(ChorusError):
    """Bad input from the person at the keyboard: shown as one line, exit code 2.

    Any `ChorusError` gets the same treatment; this one is for the command line's own checks.
    """


def fail(message: str) -> NoReturn:
    """Print a one-line error that says what to do, and exit 2; never a traceback."""
    _one_line(message)
    raise typer.Exit(EXIT_USAGE)


def _one_line(message: str) -> None:
    # Escaped: a message quoting "chorus[postgres]" or a user's "[red]" is text, not markup.
    # Line breaks a user typed into a quoted value must not split the one line either.
    flat = " ".join(message.split())
    err_console.print(f"[bold red]error:[/] {escape(flat)}", highlight=False, soft_wrap=True)


def main() -> None:
    """The console script: every failure the user can cause ends in one line and exit 2.

    The app runs outside standalone mode so that typer's own usage errors (a
    missing option, a word where a number goes) get the same one-line form as
    ours, instead of a boxed multi-line panel. Typer vendors its own click, so
    its exceptions are caught through typer's public base class.
    """
    try:
        result = app(standalone_mode=False)
    except ChorusError as exc:  # every error chorus raises on purpose, from any layer
        _one_line(str(exc))
        sys.exit(EXIT_USAGE)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except typer.TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            # A bare command group: show its help, as standalone mode would.
            console.print(exc.format_message(), highlight=False)
            sys.exit(0)
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        _one_line(f"{message}{hint}")
        sys.exit(getattr(exc, "exit_code", EXIT_USAGE))
    sys.exit(result if isinstance(result, int) else 0)
