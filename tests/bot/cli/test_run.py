"""`chorus run`: configuration errors, and the webhook's secret token really checked."""

from __future__ import annotations

import socket

import pytest
import typer
from typer.testing import CliRunner

from bot.cli import run as run_module
from bot.cli.run import webhook_config
from bot.settings import BotSettings


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
        ("https://host.example/hook", 0, "k", "port"),
    ],
)
def test_webhook_config_refuses(url: str, port: int, secret: str | None, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        webhook_config(_settings(secret), listen="0.0.0.0", port=port, url=url)


@pytest.mark.parametrize("listen", ["no-such-host.invalid", "300.1.1.1", "::::"])
def test_webhook_config_refuses_an_address_that_is_not_here(listen: str) -> None:
    with pytest.raises(ValueError, match="--listen"):
        webhook_config(_settings(), listen=listen, port=8443, url="https://host.example/hook")


def _one_line_failure(args: list[str], env: dict[str, str]) -> str:
    result = CliRunner().invoke(_cli(), args, env=env)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("base_url", "needle"),
    [
        ("not a url", "TELEGRAM_API_BASE_URL"),
        ("ftp://example.org/bot", "TELEGRAM_API_BASE_URL"),
    ],
)
def test_a_malformed_bot_api_url_is_one_line(tmp_path: object, base_url: str, needle: str) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": "1:x",
        "TELEGRAM_API_BASE_URL": base_url,
        "CHORUS_DATA_DIR": str(tmp_path),
    }
    assert needle in _one_line_failure(["run"], env)


def test_an_unreachable_bot_api_is_one_line(tmp_path: object) -> None:
    port = _free_port()  # nothing listens there
    env = {
        "TELEGRAM_BOT_TOKEN": "1:x",
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "CHORUS_DATA_DIR": str(tmp_path),
    }
    assert "cannot reach the Bot API" in _one_line_failure(["run"], env)
