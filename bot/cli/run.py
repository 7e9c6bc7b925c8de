"""`chorus run`: serve the bot, by long polling or behind a webhook."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlparse

import typer
from telegram import Update

from bot.application import build_application
from bot.cli.app import console, fail
from bot.settings import BotSettings


@dataclass(frozen=True)
class WebhookConfig:
    """What `Application.run_webhook` needs; built apart so it can be checked without a server."""

    listen: str
    port: int
    url_path: str
    webhook_url: str
    secret_token: str


def webhook_config(settings: BotSettings, *, listen: str, port: int, url: str) -> WebhookConfig:
    """Check the webhook options; raises `ValueError` with a one-line reason."""
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.netloc:
        raise ValueError(f"--url {url!r} must be a public https:// address that Telegram can reach")
    if not 1 <= port <= 65535:
        raise ValueError(f"--port {port} is not a port number")
    secret = settings.webhook_secret_token()
    if secret is None:
        raise ValueError(
            "CHORUS_SECRET_KEY is not set; the webhook's secret token is derived from it, "
            "so Telegram's calls can be told from anyone else's"
        )
    return WebhookConfig(
        listen=listen,
        port=port,
        url_path=parsed.path.strip("/"),
        webhook_url=url,
        secret_token=secret,
    )


def run(
    webhook: Annotated[
        bool, typer.Option("--webhook", help="Receive updates on a webhook instead of polling.")
    ] = False,
    listen: Annotated[str, typer.Option(help="Webhook: the address to listen on.")] = "0.0.0.0",
    port: Annotated[int, typer.Option(help="Webhook: the port to listen on.")] = 8443,
    url: Annotated[
        str | None, typer.Option(help="Webhook: the public https URL Telegram posts to.")
    ] = None,
) -> None:
    """Serve the bot until interrupted (Ctrl+C).

    Telegram lets one process poll a bot; with --webhook, several workers behind
    one HTTPS address can share the database.
    """
    settings = BotSettings()
    if settings.token is None or not settings.token.get_secret_value():
        fail(
            "TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and put it "
            "in the environment or in .env"
        )
    config = None
    if webhook:
        if url is None:
            fail("--webhook needs --url, the public https address Telegram should post to")
        try:
            config = webhook_config(settings, listen=listen, port=port, url=url)
        except ValueError as exc:
            fail(str(exc))

    from bot.cli.surveys import open_database  # the CLI's one way to open storage

    engine = open_database()
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level="INFO")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    application = build_application(settings, engine=engine)
    if config is None:
        console.print("Polling Telegram for updates; Ctrl+C stops.", highlight=False)
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    console.print(
        f"Listening on {config.listen}:{config.port} for {config.webhook_url}; Ctrl+C stops.",
        highlight=False,
    )
    application.run_webhook(
        listen=config.listen,
        port=config.port,
        url_path=config.url_path,
        webhook_url=config.webhook_url,
        secret_token=config.secret_token,
        allowed_updates=Update.ALL_TYPES,
    )


def register(app: typer.Typer) -> None:
    """Add `chorus run` to the root app."""
    app.command("run")(run)
