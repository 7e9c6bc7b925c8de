"""The `chorus` command line.

Each command group lives in its own module and registers itself on `app`, so
the modules stay small and a reader finds `chorus launch` in `campaigns.py`.
"""

from __future__ import annotations

from bot.cli import campaigns, demo, reach, report, run, staff, status, surveys
from bot.cli.app import app, main

for _module in (surveys, campaigns, staff, run, status, report, reach, demo):
    _module.register(app)

__all__ = ["app", "main"]
