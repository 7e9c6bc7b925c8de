from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from bot.settings import TELEGRAM_API, WEBHOOK_SECRET_CONTEXT, BotSettings


def test_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "chorus_bot")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("CHORUS_SECRET_KEY", "s3cret")
    settings = BotSettings(_env_file=None)
    assert settings.token is not None and settings.token.get_secret_value() == "123:abc"
    assert settings.username == "chorus_bot"
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.file_base_url == "http://127.0.0.1:8081/file/bot"


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "CHORUS_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = BotSettings(_env_file=None)
    assert settings.token is None
    assert settings.api_base_url == TELEGRAM_API == "https://api.telegram.org/bot"
    assert settings.file_base_url == "https://api.telegram.org/file/bot"
    assert settings.webhook_secret_token() is None


def test_read_from_a_dotenv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    env = tmp_path / ".env"
    env.write_text("TELEGRAM_BOT_TOKEN=999:fromfile\n")
    settings = BotSettings(_env_file=env)
    assert settings.token is not None and settings.token.get_secret_value() == "999:fromfile"


def test_the_webhook_token_derives_from_the_secret_key() -> None:
    settings = BotSettings(secret_key="k1", _env_file=None)
    expected = hmac.new(b"k1", WEBHOOK_SECRET_CONTEXT, hashlib.sha256).hexdigest()
    assert settings.webhook_secret_token() == expected
    other = BotSettings(secret_key="k2", _env_file=None)
    assert other.webhook_secret_token() != expected
    assert len(expected) == 64 and expected.isalnum()
