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


class BotSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    token: SecretStr | None = Field(default=None, validation_alias="TELEGRAM_BOT_TOKEN")
    username: str | None = Field(default=None, validation_alias="TELEGRAM_BOT_USERNAME")
    api_base_url: str = Field(default=TELEGRAM_API, validation_alias="TELEGRAM_API_BASE_URL")
    secret_key: SecretStr | None = Field(default=None, validation_alias="CHORUS_SECRET_KEY")

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
