"""A bot in its own process: started against the fake, killed with SIGKILL, started again."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.simulation.fake_bot_api import FakeBotApi
from bot.simulation.process import BotProcess, bot_environment, chorus_command

ROOT = Path(__file__).resolve().parents[3]


def test_the_environment_points_the_bot_at_the_fake() -> None:
    api = FakeBotApi(token="8:ENV", username="env_bot")
    api._port = 4321  # not started: only the address is needed
    env = bot_environment(api, database_url="sqlite:///x.db", extra={"CHORUS_SEND_RATE": "5"})
    assert env["TELEGRAM_BOT_TOKEN"] == "8:ENV"
    assert env["TELEGRAM_API_BASE_URL"] == "http://127.0.0.1:4321/bot"
    assert env["TELEGRAM_BOT_USERNAME"] == "env_bot"
    assert env["CHORUS_DATABASE_URL"] == "sqlite:///x.db"
    assert env["CHORUS_SEND_RATE"] == "5"
    assert chorus_command("--webhook")[1:] == ["run", "--webhook"]
    assert Path(chorus_command()[0]).name == "chorus"


async def test_a_bot_process_is_killed_and_restarted(tmp_path: Path) -> None:
    async with FakeBotApi(token="9:PROC") as api:
        argv = [sys.executable, str(ROOT / "bench" / "floor_bot.py"), "--questions", "1"]
        process = BotProcess(api, argv, env=bot_environment(api), log_path=tmp_path / "bot.log")
        await process.start(ready_timeout=30)
        first = process.pid
        assert process.running
        reply = await api.wait_for_reply(1, after=api.send_command(1, "/start"), timeout=10)
        assert reply.text.startswith("1/1")
        await process.restart(ready_timeout=30)
        assert process.running and process.pid != first
        assert (process.starts, process.kills) == (2, 1)
        second = await api.wait_for_reply(2, after=api.send_command(2, "/start"), timeout=10)
        assert second.callback_buttons
        assert await process.stop() is not None
        assert not process.running
