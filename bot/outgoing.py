"""What a handler means to say, written to the outbox inside its transaction.

A handler never calls Telegram to send: it describes each call here while the
conversation service's transaction is open, and the rows commit with the answer
that caused them. The delivery loop (`bot.delivery`) sends them afterwards, so a
crash between the two loses nothing and a failed send is tried again.

Keyboards are serialized here, once per message, with every button's data
signed for the chat it goes to (`bot.callback_data.sign`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.callback_data import sign
from surveys.crud import outbox
from surveys.crud.outbox import NewMessage, Queued
from surveys.crud.respondents import Db
from surveys.errors import ChorusError
from surveys.models import OutboxPriority

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Telegram's limit for a file a bot uploads (sendDocument, sendPhoto)."""
FILE_KEY = "base64"
"""An outbox parameter `{"base64": ..., "filename": ...}` is a file to upload
(`bot.delivery` turns it into an `InputFile`)."""


class FileTooLarge(ChorusError, ValueError):
    """A file over `MAX_FILE_BYTES`: Telegram would refuse it, so it is never queued."""


def file_param(content: bytes, filename: str) -> dict[str, str]:
    """A file as an outbox parameter: its bytes ride in the row, so a crash or another
    worker loses nothing (the row is the only copy the delivery loop needs)."""
    if len(content) > MAX_FILE_BYTES:
        raise FileTooLarge(f"{filename} is {len(content):,} bytes; Telegram takes 50 MB at most")
    return {FILE_KEY: base64.b64encode(content).decode("ascii"), "filename": filename}


def keyboard_json(markup: InlineKeyboardMarkup, *, chat_id: int, key: bytes) -> dict[str, Any]:
    """The keyboard as the Bot API takes it, each button's data signed for `chat_id`."""
    rows = []
    for row in markup.inline_keyboard:
        buttons = []
        for button in row:
            entry: dict[str, Any] = {"text": button.text}
            if button.callback_data is not None:
                entry["callback_data"] = sign(str(button.callback_data), chat_id=chat_id, key=key)
            elif button.url is not None:
                entry["url"] = button.url
            buttons.append(entry)
        rows.append(buttons)
    return {"inline_keyboard": rows}


@dataclass
class Outgoing:
    """The calls one transaction means to make; `commit` writes them to the outbox."""

    db: Db
    key: bytes
    worker: str | None = None
    """When set, rows of an idle chat are written already claimed by this worker."""
    priority: int = OutboxPriority.INTERACTIVE
    messages: list[NewMessage] = field(default_factory=list)

    def _add(
        self, chat_id: int, method: str, params: dict[str, Any], topic: str | None = None
    ) -> None:
        self.messages.append(NewMessage(chat_id, method, params, self.priority, topic))

    def _markup(
        self, params: dict[str, Any], chat_id: int, markup: InlineKeyboardMarkup | None
    ) -> dict[str, Any]:
        if markup is not None:
            params["reply_markup"] = keyboard_json(markup, chat_id=chat_id, key=self.key)
        return params

    def send(
        self,
        chat_id: int,
        text: str,
        *,
        reply_markup: InlineKeyboardMarkup | None = None,
        topic: str | None = None,
    ) -> None:
        """Send a message; `topic` names what it is about, so that once sent it can be found
        and edited (`surveys.crud.outbox.sent_copies`)."""
        params = self._markup({"chat_id": chat_id, "text": text}, chat_id, reply_markup)
        self._add(chat_id, "sendMessage", params, topic)

    def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> None:
        """Replace a message's text; without `reply_markup` its keyboard goes away."""
        params = {"chat_id": chat_id, "message_id": message_id, "text": text}
        self._add(chat_id, "editMessageText", self._markup(params, chat_id, reply_markup))

    def send_document(
        self, chat_id: int, content: bytes, filename: str, *, caption: str | None = None
    ) -> None:
        """Upload `content` as a document; raises `FileTooLarge` over 50 MB."""
        self._send_file(chat_id, "sendDocument", "document", content, filename, caption)

    def send_photo(
        self, chat_id: int, content: bytes, filename: str, *, caption: str | None = None
    ) -> None:
        """Upload `content` as a photo; raises `FileTooLarge` over 50 MB."""
        self._send_file(chat_id, "sendPhoto", "photo", content, filename, caption)

    def _send_file(
        self,
        chat_id: int,
        method: str,
        field_name: str,
        content: bytes,
        filename: str,
        caption: str | None,
    ) -> None:
        params: dict[str, Any] = {"chat_id": chat_id, field_name: file_param(content, filename)}
        if caption:
            params["caption"] = caption
        self._add(chat_id, method, params)

    def call(self, chat_id: int, method: str, params: dict[str, Any]) -> None:
        """Any other Bot API call (a document, a command menu), sent in the chat's order."""
        self._add(chat_id, method, params)

    def commit(self) -> list[Queued]:
        """Write the calls as outbox rows in the open transaction; returns them for delivery."""
        queued = outbox.enqueue(self.db, messages=self.messages, claim_for=self.worker)
        self.messages = []
        return queued
