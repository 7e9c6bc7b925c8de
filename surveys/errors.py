"""The root of chorus's own errors: whatever derives from it is a message for a person.

The CLI's one-line handler catches `ChorusError`, so a new error class only has
to derive from it to be reported as one line with exit code 2.
"""

from __future__ import annotations


class ChorusError(Exception):
    """A failure chorus can explain in one line."""
