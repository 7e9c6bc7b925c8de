"""The one root of chorus's own exceptions.

Every error chorus raises on purpose (a survey file that cannot be used, a
campaign that cannot be launched, a database that cannot be reached...) carries a
one-line message written for the person who caused it. Deriving them all from
`ChorusError` lets each entry point catch them in one place: the `chorus` command
prints the line and exits with code 2, whatever layer raised it. Each subclass also
keeps its older built-in base (`ValueError`, `RuntimeError`), so existing callers
that catch those still work.
"""

from __future__ import annotations


class ChorusError(Exception):
    """A failure with a one-line message meant for a person, not a programmer."""
