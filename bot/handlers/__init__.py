"""The bot's handlers, registered in the order PTB tries them.

Commands first, then buttons, then plain text, then anything else a person can
send. Edited messages are caught before the command and text handlers (PTB's
defaults would treat an edit like a new message and store it as an answer).
"""

from __future__ import annotations

from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.handlers import callbacks, commands, errors, messages
from bot.runtime import ChorusApplication
from bot.staff import commands as staff_commands

PRIVATE_MESSAGE = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE

COMMANDS = {
    "start": commands.start,
    "resume": commands.resume,
    "stop": commands.stop,
    "help": commands.help_command,
    "privacy": commands.privacy,
    "delete": commands.delete,
    "language": commands.language,
    **staff_commands.STAFF_COMMANDS,  # each answers a non-staff chat as an unknown command
}


def register(application: ChorusApplication) -> None:
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED & filters.ChatType.PRIVATE, messages.edited)
    )
    for name, callback in COMMANDS.items():
        application.add_handler(CommandHandler(name, callback, filters=PRIVATE_MESSAGE))
    application.add_handler(CallbackQueryHandler(callbacks.button))
    application.add_handler(MessageHandler(PRIVATE_MESSAGE & filters.COMMAND, commands.unknown))
    application.add_handler(MessageHandler(PRIVATE_MESSAGE & filters.TEXT, messages.text))
    application.add_handler(MessageHandler(PRIVATE_MESSAGE, messages.unsupported))
    application.add_error_handler(errors.on_error)
