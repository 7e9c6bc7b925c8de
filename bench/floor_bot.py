"""The floor: the least a python-telegram-bot survey bot can do per tap, for comparison.

`bench_e2e.py` drives this bot and chorus with the same simulated people through the same
fake Bot API and round trip. It has no database, no rate limiter and no survey engine: it
answers the callback query and sends the next question with five buttons, with PTB's
`concurrent_updates(True)`. Whatever chorus takes beyond this is chorus's own cost.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT/bot \
        .venv/bin/python bench/floor_bot.py [--questions 16] [--webhook-port PORT]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler
from telegram.ext import ContextTypes as Types

LABELS = ("Not at all", "A little", "Somewhat", "Quite a bit", "A lot")


def question(number: int, total: int) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons of question `number`: numbered like chorus's, five choices."""
    buttons = [
        [InlineKeyboardButton(label, callback_data=f"f:{number}:{value}")]
        for value, label in enumerate(LABELS, start=1)
    ]
    return f"{number}/{total}\nHow true is statement {number} for you?", InlineKeyboardMarkup(
        buttons
    )


def build(token: str, base_url: str, total: int) -> Application:  # type: ignore[type-arg]
    async def start(update: Update, context: Types.DEFAULT_TYPE) -> None:
        if update.effective_chat is None:
            return
        text, markup = question(1, total)
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)

    async def pressed(update: Update, context: Types.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None or update.effective_chat is None:
            return
        await query.answer()
        number = int(query.data.split(":")[1])
        if number >= total:
            await context.bot.send_message(update.effective_chat.id, "Thank you!")
            return
        text, markup = question(number + 1, total)
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)

    app = ApplicationBuilder().token(token).base_url(base_url).concurrent_updates(True).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=16)
    parser.add_argument("--webhook-port", type=int, default=None, help="push, not polling")
    args = parser.parse_args(argv)
    token = os.environ.get("TELEGRAM_BOT_TOKEN")
    base_url = os.environ.get("TELEGRAM_API_BASE_URL")
    if not token or not base_url:
        sys.exit("floor_bot: set TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL")
    logging.basicConfig(level=logging.WARNING)
    app = build(token, base_url, args.questions)
    if args.webhook_port is None:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    app.run_webhook(
        listen="127.0.0.1",
        port=args.webhook_port,
        url_path="telegram",
        webhook_url=f"http://127.0.0.1:{args.webhook_port}/telegram",
        allowed_updates=Update.ALL_TYPES,
    )


if __name__ == "__main__":
    main()
