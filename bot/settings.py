"""Bot settings, from the environment or a `.env` file.

The database URL is not here: it belongs to `surveys.settings.StorageSettings`,
which every entry point shares, so the bot and the CLI never disagree about
where the answers live.
"""

from __future__ import annotations

import hashlib
import hmac

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEGRAM_API = "https://api.telegram.org/bot"

WEBHOOK_SECRET_CONTEXT = b"chorus telegram webhook secret token"
"""Mixed into the HMAC so the webhook token differs from any other use of the secret key."""
CALLBACK_KEY_CONTEXT = b"chorus callback data signature"


class BotSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    token: SecretStr | None = Field(default=None, validation_alias="TELEGRAM_BOT_TOKEN")
    username: str | None = Field(default=None, validation_alias="TELEGRAM_BOT_USERNAME")
    api_base_url: str = Field(default=TELEGRAM_API, validation_alias="TELEGRAM_API_BASE_URL")
    secret_key: SecretStr | None = Field(default=None, validation_alias="CHORUS_SECRET_KEY")
    concurrency: int = Field(default=64, ge=1, le=1024, validation_alias="CHORUS_CONCURRENCY")
    """Chats whose updates are processed at the same time (each chat stays in order)."""
    send_rate: float = Field(default=30.0, gt=0, le=1000, validation_alias="CHORUS_SEND_RATE")
    """Messages per second to all chats together: Telegram's limit without paid broadcast."""
    chat_rate: float = Field(default=1.0, gt=0, le=100, validation_alias="CHORUS_CHAT_RATE")
    """Messages per second to one chat, after a short burst (`chat_burst`)."""
    chat_burst: int = Field(default=4, ge=1, le=100, validation_alias="CHORUS_CHAT_BURST")
    paid_broadcast: bool = Field(default=False, validation_alias="CHORUS_PAID_BROADCAST")
    """Send with `allow_paid_broadcast` (up to 1,000 messages/s, paid in Stars per message)."""
    max_attempts: int = Field(default=6, ge=1, le=50, validation_alias="CHORUS_SEND_ATTEMPTS")
    """Tries of one message against timeouts and server errors before it is marked failed."""
    retention_days: float = Field(default=7.0, gt=0, validation_alias="CHORUS_QUEUE_RETENTION_DAYS")
    """Handled inbox rows, processed update ids and sent outbox rows are pruned after this."""

    def callback_key(self) -> bytes:
        """The key that signs every button's data for the chat it was sent to.

        Derived from the bot token, which only the bot's owner has, so nobody can
        make a button the bot did not send; no extra secret to configure.
        """
        token = self.token.get_secret_value() if self.token is not None else ""
        return hmac.new(token.encode(), CALLBACK_KEY_CONTEXT, hashlib.sha256).digest()

    @property
    def file_base_url(self) -> str:
        """Where files are downloaded: Telegram's layout is `<root>/file/bot<token>/<path>`.

        Derived from `api_base_url` so a self-hosted Bot API server serves both.
        """
        base = self.api_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("bot")] + "file/bot"
        return base + "/file/bot"

    def webhook_secret_token(self) -> str | None:
        """The `X-Telegram-Bot-Api-Secret-Token` Telegram must send with every webhook call.

        Derived from `CHORUS_SECRET_KEY` rather than configured separately, so one
        secret is enough and the token never has to be written down. Hex only:
        Telegram accepts 1-256 characters of `A-Za-z0-9_-`.
        """
        if self.secret_key is None or not self.secret_key.get_secret_value():
            return None
        key = self.secret_key.get_secret_value().encode()
        return hmac.new(key, WEBHOOK_SECRET_CONTEXT, hashlib.sha256).hexdigest()
