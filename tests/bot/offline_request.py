"""Moved to `bot.simulation.offline_request` (the benchmark uses it too); kept importable here."""

from bot.simulation.offline_request import BOT_ID, BOT_USER, TOKEN, Call, OfflineRequest

__all__ = ["BOT_ID", "BOT_USER", "TOKEN", "Call", "OfflineRequest"]
