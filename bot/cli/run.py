"""`chorus run`: serve the bot, by long polling or behind a webhook."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from typing import Annotated
from urllib.parse import urlparse

import typer

from bot.cli.app import console, fail
from bot.serving import ServeError, Webhook, serve_forever
from bot.settings import BotSettings

DEFAULT_LISTEN = "127.0.0.1"
"""Behind a TLS-terminating proxy on the same machine; `--listen 0.0.0.0` to expose the port."""


def _check_listen(listen: str) -> None:
    try:
        ipaddress.ip_address(listen)
        return
    except ValueError:
        pass
    try:
        socket.getaddrinfo(listen, None)
    except (socket.gaierror, UnicodeError):
        raise ValueError(
            f"--listen {listen!r} is not an address of this machine; use e.g. 127.0.0.1 or 0.0.0.0"
        ) from None


def _check_base_url(settings: BotSettings) -> None:
    parsed = urlparse(settings.api_base_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(
            f"TELEGRAM_API_BASE_URL {settings.api_base_url!r} is not an http(s) URL; "
            "leave it unset for Telegram's own"
        )


def webhook_config(settings: BotSettings, *, listen: str, port: int, url: str) -> Webhook:
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
    _check_listen(listen)
    return Webhook(
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
    listen: Annotated[
        str, typer.Option(help="Webhook: the address to listen on (0.0.0.0 for every interface).")
    ] = DEFAULT_LISTEN,
    port: Annotated[int, typer.Option(help="Webhook: the port to listen on.")] = 8443,
    url: Annotated[
        str | None, typer.Option(help="Webhook: the public https URL Telegram posts to.")
    ] = None,
) -> None:
    """Serve the bot until interrupted (Ctrl+C or SIGTERM).

    Updates are stored before Telegram is told they arrived, handled one chat at a
    time in order (many chats at once), and replies are sent from a durable outbox.
    Telegram lets one process poll a bot; with --webhook, several workers behind
    one HTTPS address can share a PostgreSQL database.
    """
    settings = BotSettings()
    if settings.token is None or not settings.token.get_secret_value():
        fail(
            "TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and put it "
            "in the environment or in .env"
        )
    config = None
    try:
        _check_base_url(settings)
        if webhook:
            if url is None:
                fail("--webhook needs --url, the public https address Telegram should post to")
            config = webhook_config(settings, listen=listen, port=port, url=url)
    except ValueError as exc:
        fail(str(exc))

    from bot.cli.surveys import open_database  # the CLI's one way to open storage

    engine = open_database()
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level="INFO")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    if config is None:
        ready = "Polling Telegram for updates; Ctrl+C stops."
    else:
        ready = (
            f"Listening on {config.listen}:{config.port} for {config.webhook_url}; Ctrl+C stops."
        )

    def say_ready() -> None:
        console.print(ready, highlight=False)

    try:
        asyncio.run(serve_forever(settings, engine, webhook=config, on_ready=say_ready))
    except ServeError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    """Add `chorus run` to the root app."""
    app.command("run")(run)
