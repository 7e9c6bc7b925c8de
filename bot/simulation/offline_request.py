"""A Bot API that never leaves the process: records every call, answers with canned results.

Used by the handler tests and by `bench/bench_bot.py`. Failures are injected per
method (`fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")`)
so the tests can drive the sender's error handling through the real PTB stack.
Unlike `fake_bot_api`, nothing goes over HTTP: PTB's request object is replaced,
so a benchmark measures the bot rather than a socket.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_ID = 777000111
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Chorus",
    "username": "chorus_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
TOKEN = f"{BOT_ID}:TEST-offline-token"


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str | None:
        return self.params.get("text")

    @property
    def keyboard(self) -> list[list[dict[str, Any]]]:
        markup = self.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        return (markup or {}).get("inline_keyboard", [])

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [button for row in self.keyboard for button in row]


class OfflineRequest(BaseRequest):
    def __init__(self, *, record: bool = True) -> None:
        self.calls: list[Call] = []
        self.record = record
        self._failures: dict[str, deque[tuple[int, str, dict[str, Any] | None]]] = defaultdict(
            deque
        )
        self._next_message_id = 1000

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def fail_next(
        self, method: str, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        """Make the next call of `method` fail with this Bot API error."""
        self._failures[method].append((status, description, parameters))

    def clear(self) -> None:
        self.calls.clear()

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        return [
            c.text or "" for c in self.of("sendMessage") if chat_id is None or c.chat_id == chat_id
        ]

    def _message(self, params: dict[str, Any], message_id: int | None = None) -> dict[str, Any]:
        if message_id is None:
            self._next_message_id += 1
            message_id = self._next_message_id
        chat_id = int(params.get("chat_id", 0))
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": 1_700_000_000,
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        markup = params.get("reply_markup")
        if markup:
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        return message

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            return self._message(params)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            return self._message(params, int(params.get("message_id", 0)))
        if method == "getUpdates":
            return []
        return True

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        failures = self._failures.get(api_method)
        if failures:
            status, description, parameters = failures.popleft()
            if self.record:
                self.calls.append(Call(api_method, params, None))
            body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
            if parameters:
                body["parameters"] = parameters
            return status, json.dumps(body).encode()
        result = self._result(api_method, params)
        if self.record:
            self.calls.append(Call(api_method, params, result))
        return 200, json.dumps({"ok": True, "result": result}).encode()
