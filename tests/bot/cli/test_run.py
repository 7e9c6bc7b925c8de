"""`chorus run`: configuration errors, and the webhook's secret token really checked."""

from __future__ import annotations

import asyncio
import json
import socket

import aiohttp
import pytest
import typer
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from bot.cli import run as run_module
from bot.cli.run import webhook_config
from bot.settings import BotSettings
from bot.simulation.offline_request import OfflineRequest
from tests.bot.conftest import build_offline


def _cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """chorus"""

    run_module.register(app)
    return app


def test_a_missing_token_is_one_line_naming_the_variable(tmp_path: object) -> None:
    result = CliRunner().invoke(
        _cli(), ["run"], env={"TELEGRAM_BOT_TOKEN": "", "CHORUS_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN" in lines[0]
    assert "Traceback" not in result.output


def test_a_webhook_needs_the_secret_key(tmp_path: object) -> None:
    result = CliRunner().invoke(
        _cli(),
        ["run", "--webhook", "--url", "https://bot.example.org/hook"],
        env={
            "TELEGRAM_BOT_TOKEN": "1:x",
            "CHORUS_SECRET_KEY": "",
            "CHORUS_DATA_DIR": str(tmp_path),
        },
    )
    assert result.exit_code == 2
    assert "CHORUS_SECRET_KEY" in result.output


def test_a_webhook_needs_a_url(tmp_path: object) -> None:
    result = CliRunner().invoke(
        _cli(),
        ["run", "--webhook"],
        env={"TELEGRAM_BOT_TOKEN": "1:x", "CHORUS_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 2
    assert "--url" in result.output


def _settings(secret: str | None = "k") -> BotSettings:
    return BotSettings(token="1:x", secret_key=secret, _env_file=None)  # type: ignore[call-arg]


def test_webhook_config_takes_the_path_from_the_url() -> None:
    config = webhook_config(
        _settings(), listen="0.0.0.0", port=8443, url="https://host.example/chorus/hook"
    )
    assert config.url_path == "chorus/hook"
    assert config.secret_token == _settings().webhook_secret_token()


@pytest.mark.parametrize(
    ("url", "port", "secret", "needle"),
    [
        ("http://host.example/hook", 8443, "k", "https"),
        ("https://host.example/hook", 70000, "k", "port"),
        ("https://host.example/hook", 8443, None, "CHORUS_SECRET_KEY"),
    ],
)
def test_webhook_config_refuses(url: str, port: int, secret: str | None, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        webhook_config(_settings(secret), listen="0.0.0.0", port=port, url=url)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_webhook_accepts_only_telegrams_secret_token(engine: Engine) -> None:
    request = OfflineRequest()
    app = build_offline(engine, request)
    settings = _settings("webhook-test-key")
    port = _free_port()
    config = webhook_config(
        settings, listen="127.0.0.1", port=port, url=f"https://host.example/hook{port}"
    )
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_webhook(
        listen=config.listen,
        port=config.port,
        url_path=config.url_path,
        webhook_url=config.webhook_url,
        secret_token=config.secret_token,
    )
    try:
        set_webhook = request.of("setWebhook")[-1]
        assert set_webhook.params["secret_token"] == config.secret_token
        update = {"update_id": 1, "message": {"message_id": 1, "date": 1, "text": "hi",
                  "chat": {"id": 5, "type": "private"}}}  # fmt: skip
        url = f"http://127.0.0.1:{port}/{config.url_path}"
        async with aiohttp.ClientSession() as http:
            for token in (None, "wrong-token"):
                headers = {"Content-Type": "application/json"}
                if token:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = token
                async with http.post(url, data=json.dumps(update), headers=headers) as response:
                    assert response.status == 403
            assert app.update_queue.empty()
            headers = {
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": config.secret_token,
            }
            async with http.post(url, data=json.dumps(update), headers=headers) as response:
                assert response.status == 200
        queued = await asyncio.wait_for(app.update_queue.get(), timeout=5)
        assert queued.update_id == 1
    finally:
        await app.updater.stop()
        await app.shutdown()
