"""A fake Telegram Bot API server on 127.0.0.1, for tests, the demo and the benchmark.

Telegram cannot be reached from the machines chorus is built and tested on, and a mocked
`Bot` would skip the parts that break in production: PTB's HTTP layer, its error mapping
(RetryAfter, Forbidden, BadRequest), the rate limiter and the polling loop. So the real
`Application` talks HTTP to this server through `base_url`, and the server behaves like
Telegram where it matters: per-chat message ids, inline keyboards that an edit replaces or
removes, "message is not modified", "chat not found", callback queries that must be answered
once, getUpdates long polling with offset confirmation, and webhooks with a secret token.

Tests and simulations play the users: `send_text`, `send_command`, `press` and friends put
updates in the queue, and the transcript and `wait_for_*` helpers show what the bot did.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import random
import socket
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import TracebackType
from typing import Any, Literal, Self

import aiohttp
from aiohttp import ClientSession, ClientTimeout, web
from aiohttp.web_request import FileField

_LOGGER = logging.getLogger(__name__)

JSONDict = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_UPDATES_PER_POLL = 100
WEBHOOK_ATTEMPTS = 3

_NESTED_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "entities",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "scope",
        "menu_button",
    }
)
"""Fields PTB sends as JSON-encoded strings inside a form body."""

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
MAX_CAPTION_LENGTH = 1024

CHAT_METHODS = frozenset(
    {
        "sendmessage",
        "editmessagetext",
        "editmessagereplymarkup",
        "answercallbackquery",
        "deletemessage",
        "senddocument",
        "sendphoto",
        "sendchataction",
    }
)
"""The calls random faults hit: what a bot does for its users, not its start-up calls."""


class ApiError(Exception):
    """A Bot API error answer: becomes `{"ok": false, ...}` with the same HTTP status."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JSONDict:
        body: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded (multipart) or referred to by file id or URL."""

    kind: Literal["document", "photo"]
    filename: str | None
    size: int
    """Bytes received; 0 for a file id or URL, which carry no content."""
    content_type: str | None = None
    reference: str | None = None
    """The file id or URL when nothing was uploaded."""


@dataclass(frozen=True)
class Faults:
    """Random faults, as Telegram produces them under load, drawn from one seeded generator.

    Each call of a method in `methods` is answered 429 (with `retry_after`) with probability
    `rate_429`, else 502 with probability `rate_5xx`; getUpdates gets only the 502s. A fraction
    `redeliver` of the updates is delivered a second time, `redeliver_delay` seconds later.
    A faulted call has no effect, as when Telegram refuses it before doing anything.
    """

    rate_429: float = 0.0
    retry_after: int = 1
    rate_5xx: float = 0.0
    redeliver: float = 0.0
    redeliver_delay: tuple[float, float] = (0.5, 3.0)
    seed: int = 0
    methods: frozenset[str] = CHAT_METHODS

    def __post_init__(self) -> None:
        for name in ("rate_429", "rate_5xx", "redeliver"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")
        if self.rate_429 + self.rate_5xx > 1.0:
            raise ValueError("rate_429 + rate_5xx must not exceed 1")


@dataclass(frozen=True)
class InlineButton:
    text: str
    callback_data: str | None = None
    url: str | None = None


Keyboard = tuple[tuple[InlineButton, ...], ...]


@dataclass
class ChatMessage:
    """One message in a chat as the user's phone would show it right now."""

    chat_id: int
    message_id: int
    from_bot: bool
    text: str
    """Display text: HTML markup removed, entities unescaped."""
    keyboard: Keyboard = ()
    date: int = 0
    edit_date: int | None = None
    deleted: bool = False
    raw_text: str = ""
    parse_mode: str | None = None
    sent_at: float = 0.0
    """`time.monotonic()` when the message reached the user (after half the round trip)."""
    edited_at: float | None = None
    attachment: Upload | None = None
    """A document or photo the bot sent; the caption is `text`."""

    @property
    def buttons(self) -> tuple[InlineButton, ...]:
        return tuple(button for row in self.keyboard for button in row)

    @property
    def callback_buttons(self) -> tuple[InlineButton, ...]:
        return tuple(b for b in self.buttons if b.callback_data is not None)

    def button(self, label: str) -> InlineButton:
        """The button whose label is `label`, or whose label contains it."""
        exact = [b for b in self.buttons if b.text == label]
        loose = [b for b in self.buttons if label.casefold() in b.text.casefold()]
        found = exact or loose
        if not found:
            labels = [b.text for b in self.buttons]
            raise LookupError(f"no button {label!r} on message {self.message_id}: {labels}")
        return found[0]


@dataclass(frozen=True)
class TranscriptEntry:
    """One thing that happened in a chat, in order: who did what."""

    direction: Literal["user", "bot"]
    kind: str
    """user: text, command, callback, sticker, photo, voice. bot: send, edit, delete, answer."""
    message_id: int | None
    text: str | None
    buttons: tuple[str, ...] = ()
    at: float = 0.0

    def __str__(self) -> str:
        who = "USER" if self.direction == "user" else " BOT"
        ref = f"#{self.message_id}" if self.message_id is not None else ""
        keys = f" [{' | '.join(self.buttons)}]" if self.buttons else ""
        return f"{who} {self.kind}{ref}: {self.text or ''}{keys}"


@dataclass(frozen=True)
class UserAction:
    """What a simulated user just did; `marker` is what to pass as `after` to wait for replies."""

    update_id: int
    chat_id: int
    marker: int
    """The chat's highest message id right after the action."""
    activity: int
    """The chat's bot-activity count right before the action."""
    message_id: int | None = None
    query_id: str | None = None


@dataclass(frozen=True)
class CallbackAnswer:
    query_id: str
    text: str | None
    show_alert: bool


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made, kept so tests can assert on retries and rates."""

    method: str
    params: JSONDict
    status: int
    at: float


@dataclass
class _Fault:
    method: str
    remaining: int
    error_code: int
    description: str
    retry_after: int | None
    chat_id: int | None


@dataclass
class _Chat:
    chat_id: int
    first_name: str
    language_code: str | None
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    transcript: list[TranscriptEntry] = field(default_factory=list)
    last_message_id: int = 0
    activity: int = 0
    last_activity_at: float = 0.0
    blocked: bool = False
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set (and replaced) whenever the bot does something in this chat."""

    def user(self) -> JSONDict:
        user: JSONDict = {"id": self.chat_id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def chat(self) -> JSONDict:
        return {"id": self.chat_id, "type": "private", "first_name": self.first_name}


@dataclass
class _Queued:
    update: JSONDict
    forced: bool = False
    """A redelivery: served once on the next poll whatever the offset, as a retry would be."""


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def display_text(text: str, parse_mode: str | None) -> str:
    """What the user sees: Telegram renders markup, so comparisons must ignore it."""
    if parse_mode and parse_mode.upper() == "HTML":
        extractor = _TextExtractor()
        extractor.feed(text)
        extractor.close()
        return "".join(extractor.parts)
    return text


def bot_id_from_token(token: str) -> int:
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else 100000001


class FakeBotApi:
    """An in-process HTTP server speaking the subset of the Bot API that chorus uses.

    Use as `async with FakeBotApi(token=...) as api:` and give `api.base_url` to PTB's
    `ApplicationBuilder().base_url(...)`.
    """

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",
        username: str = "chorus_test_bot",
        first_name: str = "Chorus",
        first_update_id: int | None = None,
        latency: float = 0.0,
        faults: Faults | None = None,
        webhook_attempts: int = WEBHOOK_ATTEMPTS,
    ) -> None:
        """`first_update_id` defaults to the clock in milliseconds: update ids then keep
        increasing across runs, as Telegram's do, so a bot whose database remembers the
        updates of an earlier run (idempotency) does not take new ones for duplicates.

        `latency` is the round trip of every Bot API call in seconds: half before the call
        takes effect (a message reaches the user then), half before its answer returns. A
        getUpdates long poll waits for updates in between, so an update taken from the queue
        reaches the bot half a round trip later. Webhook pushes wait half a round trip.

        A webhook push that fails is tried `webhook_attempts` times in all, waiting a little
        longer each time (capped at 2 s); Telegram itself keeps trying for hours, so a crash
        test that restarts a webhook bot wants a large number here.
        """
        if latency < 0:
            raise ValueError(f"latency must not be negative, not {latency}")
        self.latency = latency
        self.webhook_attempts = max(1, webhook_attempts)
        self.faults = faults or Faults()
        self.method_counts: Counter[str] = Counter()
        """Every call received, by lower-case method name, getUpdates included."""
        self.fault_counts: Counter[str] = Counter()
        """How many random faults were injected: "429", "502" and "redelivered"."""
        self._random = random.Random(self.faults.seed)
        self._timers: list[asyncio.TimerHandle] = []
        self.update_times: dict[int, float] = {}
        """`time.monotonic()` when each update was made available to the bot."""
        self.delivered: dict[int, float] = {}
        """update id -> when the bot first received it (a getUpdates answer or a webhook push)."""
        self.confirmed: set[int] = set()
        """Updates Telegram may forget: confirmed by a later getUpdates offset or a 2xx webhook
        answer. A bot that loses one of these has lost it for good."""
        self.commands_by_scope: dict[str, list[JSONDict]] = {}
        """setMyCommands per scope key: "default", "all_private_chats", "chat:<id>", ...
        with ":<language>" appended when a language code was given."""
        self.token = token
        self.username = username
        self.bot_user: JSONDict = {
            "id": bot_id_from_token(token),
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[ApiCall] = []
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_deliveries: list[tuple[int, int]] = []
        """(update_id, HTTP status or 0 for a connection error) per webhook attempt."""
        self._chats: dict[int, _Chat] = {}
        self._queue: deque[_Queued] = deque()
        self._sent_updates: dict[int, JSONDict] = {}
        if first_update_id is None:
            first_update_id = time.time_ns() // 1_000_000
        self._update_ids = itertools.count(first_update_id)
        self._query_ids = itertools.count(1)
        self._open_queries: set[str] = set()
        self._faults: list[_Fault] = []
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._client: ClientSession | None = None
        self._push_tasks: set[asyncio.Task[None]] = set()
        self._handlers: dict[str, Callable[[JSONDict], Any]] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "deletemessage": self._delete_message,
            "sendchataction": self._send_chat_action,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "setmydescription": self._no_op,
            "setmyshortdescription": self._no_op,
            "setchatmenubutton": self._no_op,
            "close": self._no_op,
            "logout": self._no_op,
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not running; use `async with FakeBotApi()`")
        return self._port

    @property
    def base_url(self) -> str:
        """PTB's `base_url`: PTB appends the token and the method name."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        self._closing = True
        self._notify()
        for timer in self._timers:
            timer.cancel()
        for task in list(self._push_tasks):
            task.cancel()
        for task in list(self._push_tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ HTTP

    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        try:
            params = await self._read_params(request)
        except ValueError as exc:
            error = ApiError(400, f"Bad Request: can't parse request body: {exc}")
            return web.json_response(error.payload(), status=400)
        status = 200
        self.method_counts[method.lower()] += 1
        await self._travel()
        try:
            self._apply_faults(method, params)
            self._random_fault(method.lower())
            handler = self._handlers.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
            body: JSONDict = {"ok": True, "result": result}
        except ApiError as exc:
            status = exc.error_code
            body = exc.payload()
        if method.lower() != "getupdates" or status != 200:
            self.calls.append(ApiCall(method, params, status, time.monotonic()))
            self._notify()
        await self._travel()
        return web.json_response(body, status=status)

    async def _travel(self) -> None:
        """Half a round trip: the request's way to Telegram, or the answer's way back."""
        if self.latency > 0 and not self._closing:
            await asyncio.sleep(self.latency / 2)

    def _random_fault(self, method: str) -> None:
        faults = self.faults
        if method == "getupdates":
            if faults.rate_5xx and self._random.random() < faults.rate_5xx:
                self.fault_counts["502"] += 1
                raise ApiError(502, "Bad Gateway")
            return
        if method not in faults.methods or not (faults.rate_429 or faults.rate_5xx):
            return
        draw = self._random.random()
        if draw < faults.rate_429:
            self.fault_counts["429"] += 1
            retry = faults.retry_after
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry)
        if draw < faults.rate_429 + faults.rate_5xx:
            self.fault_counts["502"] += 1
            raise ApiError(502, "Bad Gateway")

    @staticmethod
    async def _read_params(request: web.Request) -> JSONDict:
        """Form fields (PTB's way, nested objects as JSON strings), JSON bodies, or a query."""
        params: JSONDict = dict(request.query)
        if request.content_type == "application/json":
            raw = await request.text()
            if raw.strip():
                loaded = json.loads(raw)
                if not isinstance(loaded, dict):
                    raise ValueError("the JSON body must be an object")
                params.update(loaded)
            return params
        if request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    params[key] = value
                elif isinstance(value, FileField):
                    params[key] = _received_file(value)
        for key in _NESTED_FIELDS & params.keys():
            if isinstance(params[key], str):
                params[key] = json.loads(params[key])
        return params

    def _apply_faults(self, method: str, params: JSONDict) -> None:
        chat_id = _optional_int(params.get("chat_id"))
        if chat_id is not None:
            chat = self._chats.get(chat_id)
            if chat is not None and chat.blocked:
                raise ApiError(403, BLOCKED)
        for fault in self._faults:
            if fault.method != method.lower() or fault.remaining <= 0:
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            fault.remaining -= 1
            raise ApiError(fault.error_code, fault.description, fault.retry_after)

    def _notify(self) -> None:
        """Wake every waiter; each re-checks its own condition (a broadcast, without locks)."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _changed_or_timeout(self, remaining: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), remaining)

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        times: int = 1,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Make the next `times` calls of `method` (optionally to one chat) fail like Telegram.

        A 429 without `retry_after` gets `retry_after=1`, as Telegram always sends one.
        """
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after}",
                403: BLOCKED,
                400: "Bad Request: simulated failure",
                502: "Bad Gateway",
            }.get(error_code, f"Simulated error {error_code}")
        self._faults.append(
            _Fault(method.lower(), times, error_code, description, retry_after, chat_id)
        )

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every call naming this chat answers 403 Forbidden."""
        self._chat(chat_id).blocked = True

    def unblock(self, chat_id: int) -> None:
        self._chat(chat_id).blocked = False

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    # ------------------------------------------------------------------ Bot API methods

    def _get_me(self, params: JSONDict) -> JSONDict:
        return self.bot_user

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook_url is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _optional_int(params.get("offset")) or 0
        limit = max(1, min(_optional_int(params.get("limit")) or 100, MAX_UPDATES_PER_POLL))
        timeout = max(0.0, float(params.get("timeout") or 0))
        deadline = asyncio.get_running_loop().time() + timeout
        self._confirm(offset)
        while True:
            ready = self._take_ready(offset, limit)
            if ready or self._closing:
                now = time.monotonic()
                for update in ready:
                    self.delivered.setdefault(update["update_id"], now)
                return ready
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            await self._changed_or_timeout(remaining)

    def _confirm(self, offset: int) -> None:
        """Telegram forgets updates below the offset: the bot has confirmed them."""
        if offset > 0:
            self.confirmed.update(u for u in self.delivered if u < offset)
        if offset < 0:
            keep = -offset
            while len(self._queue) > keep:
                self._queue.popleft()
            self._notify()
            return
        before = len(self._queue)
        self._queue = deque(q for q in self._queue if q.forced or q.update["update_id"] >= offset)
        if len(self._queue) != before:
            self._notify()

    def _take_ready(self, offset: int, limit: int) -> list[JSONDict]:
        forced = [q for q in self._queue if q.forced]
        for q in forced:
            self._queue.remove(q)
        if forced:
            self._notify()
        ready = [q.update for q in forced]
        ready += [q.update for q in self._queue if q.update["update_id"] >= offset]
        return ready[:limit]

    def _delete_webhook(self, params: JSONDict) -> bool:
        self.webhook_url = None
        self.webhook_secret = None
        if _truthy(params.get("drop_pending_updates")):
            self._queue.clear()
        return True

    def _set_webhook(self, params: JSONDict) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook(params)
        if not url.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        self.webhook_url = url
        self.webhook_secret = params.get("secret_token") or None
        if _truthy(params.get("drop_pending_updates")):
            self._queue.clear()
        while self._queue:
            self._push(self._queue.popleft().update)
        return True

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        return {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue) + len(self._push_tasks),
        }

    @property
    def commands(self) -> list[JSONDict]:
        """The default scope's command list, the one most chats see."""
        return self.commands_by_scope.get("default", [])

    @commands.setter
    def commands(self, value: list[JSONDict]) -> None:
        self.commands_by_scope["default"] = value

    def commands_for(self, chat_id: int, language_code: str | None = None) -> list[JSONDict]:
        """The menu a private chat shows: its own scope first, then the wider ones, as Telegram
        resolves them (a language-specific list before the plain one at each level)."""
        for key in (f"chat:{chat_id}", "all_private_chats", "default"):
            for candidate in ((f"{key}:{language_code}",) if language_code else ()) + (key,):
                if candidate in self.commands_by_scope:
                    return self.commands_by_scope[candidate]
        return []

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if not isinstance(command, Mapping) or not {"command", "description"} <= set(command):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands_by_scope[self._scope_key(params)] = [dict(c) for c in commands]
        return True

    def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return self.commands_by_scope.get(self._scope_key(params), [])

    def _delete_my_commands(self, params: JSONDict) -> bool:
        self.commands_by_scope.pop(self._scope_key(params), None)
        return True

    def _scope_key(self, params: JSONDict) -> str:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, Mapping) or not isinstance(scope.get("type"), str):
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        kind = scope["type"]
        if kind in {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}:
            key = kind
        elif kind in {"chat", "chat_administrators", "chat_member"}:
            chat_id = _optional_int(scope.get("chat_id"))
            if chat_id is None:
                raise ApiError(400, "Bad Request: chat_id is empty")
            key = f"{kind}:{chat_id}"
            if kind == "chat_member":
                key += f":{_optional_int(scope.get('user_id'))}"
        else:
            raise ApiError(400, f"Bad Request: wrong BotCommandScope type {kind!r}")
        language = params.get("language_code")
        return f"{key}:{language}" if language else key

    def _no_op(self, params: JSONDict) -> bool:
        return True

    def _send_chat_action(self, params: JSONDict) -> bool:
        self._known_chat(params)
        return True

    def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._known_chat(params)
        raw = str(params.get("text") or "")
        parse_mode = params.get("parse_mode") or None
        text = self._checked_text(raw, parse_mode)
        keyboard = _parse_keyboard(params.get("reply_markup"))
        chat.last_message_id += 1
        message = ChatMessage(
            chat_id=chat.chat_id,
            message_id=chat.last_message_id,
            from_bot=True,
            text=text,
            keyboard=keyboard,
            date=int(time.time()),
            raw_text=raw,
            parse_mode=parse_mode,
            sent_at=time.monotonic(),
        )
        chat.messages[message.message_id] = message
        self._record_bot(chat, "send", message.message_id, text, keyboard)
        return self._message_json(chat, message)

    def _send_document(self, params: JSONDict) -> JSONDict:
        return self._send_file(params, "document")

    def _send_photo(self, params: JSONDict) -> JSONDict:
        return self._send_file(params, "photo")

    def _send_file(self, params: JSONDict, kind: Literal["document", "photo"]) -> JSONDict:
        chat = self._known_chat(params)
        upload = _upload(kind, params.get(kind), params)
        raw = str(params.get("caption") or "")
        parse_mode = params.get("parse_mode") or None
        caption = display_text(raw, parse_mode)
        if len(caption) > MAX_CAPTION_LENGTH:
            raise ApiError(400, "Bad Request: message caption is too long")
        keyboard = _parse_keyboard(params.get("reply_markup"))
        chat.last_message_id += 1
        message = ChatMessage(
            chat_id=chat.chat_id,
            message_id=chat.last_message_id,
            from_bot=True,
            text=caption,
            keyboard=keyboard,
            date=int(time.time()),
            raw_text=raw,
            parse_mode=parse_mode,
            sent_at=time.monotonic(),
            attachment=upload,
        )
        chat.messages[message.message_id] = message
        self._record_bot(chat, kind, message.message_id, caption, keyboard)
        return self._message_json(chat, message)

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        chat, message = self._editable(params)
        raw = str(params.get("text") or "")
        parse_mode = params.get("parse_mode") or None
        text = self._checked_text(raw, parse_mode)
        keyboard = _parse_keyboard(params.get("reply_markup"))
        return self._apply_edit(chat, message, text, keyboard, raw, parse_mode)

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        chat, message = self._editable(params)
        keyboard = _parse_keyboard(params.get("reply_markup"))
        return self._apply_edit(
            chat, message, message.text, keyboard, message.raw_text, message.parse_mode
        )

    def _apply_edit(
        self,
        chat: _Chat,
        message: ChatMessage,
        text: str,
        keyboard: Keyboard,
        raw: str,
        parse_mode: str | None,
    ) -> JSONDict:
        if text == message.text and keyboard == message.keyboard:
            raise ApiError(400, NOT_MODIFIED)
        message.text = text
        message.keyboard = keyboard
        message.raw_text = raw
        message.parse_mode = parse_mode
        message.edit_date = int(time.time())
        message.edited_at = time.monotonic()
        self._record_bot(chat, "edit", message.message_id, text, keyboard)
        return self._message_json(chat, message)

    def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._open_queries.discard(query_id)
        answer = CallbackAnswer(
            query_id, params.get("text") or None, _truthy(params.get("show_alert"))
        )
        self.callback_answers[query_id] = answer
        chat_id = int(query_id.split("-", 1)[0])
        chat = self._chats.get(chat_id)
        if chat is not None:
            self._record_bot(chat, "answer", None, answer.text, ())
        return True

    def _delete_message(self, params: JSONDict) -> bool:
        chat = self._known_chat(params)
        message_id = _optional_int(params.get("message_id"))
        message = chat.messages.get(message_id or -1)
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        message.deleted = True
        self._record_bot(chat, "delete", message.message_id, None, ())
        return True

    # ------------------------------------------------------------------ helpers for methods

    def _known_chat(self, params: JSONDict) -> _Chat:
        chat_id = _optional_int(params.get("chat_id"))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _editable(self, params: JSONDict) -> tuple[_Chat, ChatMessage]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by this fake")
        chat = self._known_chat(params)
        message_id = _optional_int(params.get("message_id"))
        message = chat.messages.get(message_id or -1)
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat, message

    @staticmethod
    def _checked_text(raw: str, parse_mode: str | None) -> str:
        text = display_text(raw, parse_mode)
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    def _message_json(self, chat: _Chat, message: ChatMessage) -> JSONDict:
        body: JSONDict = {
            "message_id": message.message_id,
            "from": self.bot_user if message.from_bot else chat.user(),
            "chat": chat.chat(),
            "date": message.date,
        }
        if message.attachment is None:
            body["text"] = message.text
        else:
            body.update(_attachment_json(chat.chat_id, message.message_id, message.attachment))
            if message.text:
                body["caption"] = message.text
        if message.edit_date is not None:
            body["edit_date"] = message.edit_date
        if message.keyboard:
            body["reply_markup"] = {"inline_keyboard": _keyboard_json(message.keyboard)}
        return body

    def _record_bot(
        self, chat: _Chat, kind: str, message_id: int | None, text: str | None, keyboard: Keyboard
    ) -> None:
        now = time.monotonic()
        labels = tuple(b.text for row in keyboard for b in row)
        chat.transcript.append(TranscriptEntry("bot", kind, message_id, text, labels, now))
        chat.activity += 1
        chat.last_activity_at = now
        changed, chat.changed = chat.changed, asyncio.Event()
        changed.set()
        self._notify()

    # ------------------------------------------------------------------ acting as users

    def add_user(
        self, chat_id: int, *, first_name: str | None = None, language_code: str | None = None
    ) -> None:
        """Set who a chat's user is (name, app language); users are made on first use anyway."""
        chat = self._chat(chat_id)
        if first_name is not None:
            chat.first_name = first_name
        if language_code is not None:
            chat.language_code = language_code

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = _Chat(chat_id, first_name=f"User{chat_id}", language_code="en")
            self._chats[chat_id] = chat
        return chat

    def _user_message(
        self, chat_id: int, kind: str, text: str | None, body: JSONDict
    ) -> UserAction:
        chat = self._chat(chat_id)
        activity = chat.activity
        chat.last_message_id += 1
        message = ChatMessage(
            chat_id=chat_id,
            message_id=chat.last_message_id,
            from_bot=False,
            text=text or "",
            date=int(time.time()),
        )
        chat.messages[message.message_id] = message
        payload: JSONDict = {
            "message_id": message.message_id,
            "from": chat.user(),
            "chat": chat.chat(),
            "date": message.date,
            **body,
        }
        chat.transcript.append(
            TranscriptEntry("user", kind, message.message_id, text, (), time.monotonic())
        )
        update_id = self.enqueue({"message": payload})
        return UserAction(update_id, chat_id, chat.last_message_id, activity, message.message_id)

    def send_text(self, chat_id: int, text: str) -> UserAction:
        return self._user_message(chat_id, "text", text, {"text": text})

    def send_command(self, chat_id: int, command: str, payload: str | None = None) -> UserAction:
        """`/start` with an optional deep-link payload, as a `t.me/<bot>?start=` link sends it."""
        if not command.startswith("/"):
            command = "/" + command
        text = f"{command} {payload}" if payload else command
        entities = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._user_message(chat_id, "command", text, {"text": text, "entities": entities})

    def send_sticker(self, chat_id: int) -> UserAction:
        sticker = {
            "file_id": f"sticker-{chat_id}",
            "file_unique_id": f"s{chat_id}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self._user_message(chat_id, "sticker", None, {"sticker": sticker})

    def send_photo(self, chat_id: int) -> UserAction:
        photo = [
            {"file_id": f"photo-{chat_id}-s", "file_unique_id": "ps", "width": 90, "height": 90},
            {"file_id": f"photo-{chat_id}-m", "file_unique_id": "pm", "width": 800, "height": 800},
        ]
        return self._user_message(chat_id, "photo", None, {"photo": photo})

    def send_voice(self, chat_id: int) -> UserAction:
        voice = {"file_id": f"voice-{chat_id}", "file_unique_id": f"v{chat_id}", "duration": 3}
        return self._user_message(chat_id, "voice", None, {"voice": voice})

    def press(
        self, chat_id: int, message_id: int, callback_data: str, *, force: bool = False
    ) -> UserAction:
        """Tap an inline button the bot really sent, as a `callback_query` update.

        Without `force` the button must be on the message's current keyboard, as on a phone;
        `force=True` sends any data, as a modified client forging callback data could.
        """
        chat = self._chat(chat_id)
        message = chat.messages.get(message_id)
        if not force:
            if message is None or not message.from_bot or message.deleted:
                raise LookupError(f"chat {chat_id} has no bot message {message_id}")
            if callback_data not in {b.callback_data for b in message.buttons}:
                shown = [b.callback_data for b in message.buttons]
                raise LookupError(
                    f"message {message_id} has no button {callback_data!r}; it shows {shown}"
                )
        activity = chat.activity
        query_id = f"{chat_id}-{next(self._query_ids)}"
        self._open_queries.add(query_id)
        query: JSONDict = {
            "id": query_id,
            "from": chat.user(),
            "chat_instance": str(chat_id),
            "data": callback_data,
        }
        if message is not None:
            query["message"] = self._message_json(chat, message)
        label = next(
            (
                b.text
                for b in (message.buttons if message else ())
                if b.callback_data == callback_data
            ),
            callback_data,
        )
        chat.transcript.append(
            TranscriptEntry("user", "callback", message_id, label, (), time.monotonic())
        )
        update_id = self.enqueue({"callback_query": query})
        return UserAction(update_id, chat_id, chat.last_message_id, activity, None, query_id)

    def press_button(self, chat_id: int, label: str, message_id: int | None = None) -> UserAction:
        """Tap the button labelled `label` on `message_id`, or on the latest keyboard shown."""
        message = (
            self.message(chat_id, message_id)
            if message_id is not None
            else self.latest(chat_id, with_keyboard=True)
        )
        if message is None:
            raise LookupError(f"chat {chat_id} shows no keyboard")
        button = message.button(label)
        if button.callback_data is None:
            raise LookupError(f"button {label!r} is a link, not a callback button")
        return self.press(chat_id, message.message_id, button.callback_data)

    def enqueue(self, body: JSONDict) -> int:
        """Add a raw update (without `update_id`); returns the id it was given."""
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **body}
        self._sent_updates[update_id] = update
        self.update_times[update_id] = time.monotonic()
        if self.webhook_url is not None:
            self._push(update)
        else:
            self._queue.append(_Queued(update))
            self._notify()
        if self.faults.redeliver and self._random.random() < self.faults.redeliver:
            self._redeliver_later(update_id)
        return update_id

    def _redeliver_later(self, update_id: int) -> None:
        low, high = self.faults.redeliver_delay
        delay = self._random.uniform(low, high)
        self.fault_counts["redelivered"] += 1
        loop = asyncio.get_running_loop()
        self._timers.append(loop.call_later(delay, self._redeliver_now, update_id))

    def _redeliver_now(self, update_id: int) -> None:
        if not self._closing:
            self.redeliver(update_id)

    def redeliver(self, update_id: int) -> None:
        """Deliver an update once more, with the same id, as a Telegram retry would."""
        update = self._sent_updates[update_id]
        if self.webhook_url is not None:
            self._push(update)
        else:
            self._queue.append(_Queued(update, forced=True))
            self._notify()

    def update(self, update_id: int) -> JSONDict:
        """An update as it was made available to the bot."""
        return self._sent_updates[update_id]

    @property
    def pending_updates(self) -> int:
        return len(self._queue)

    # ------------------------------------------------------------------ webhook delivery

    def _push(self, update: JSONDict) -> None:
        task = asyncio.get_running_loop().create_task(self._deliver(update))
        self._push_tasks.add(task)
        task.add_done_callback(self._push_tasks.discard)

    async def _deliver(self, update: JSONDict) -> None:
        if self._client is None:
            self._client = ClientSession(timeout=ClientTimeout(total=10))
        headers = {"Content-Type": "application/json"}
        if self.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret
        url = self.webhook_url
        for attempt in range(self.webhook_attempts):
            if url is None:
                return
            status = 0
            await self._travel()
            try:
                async with self._client.post(url, data=json.dumps(update), headers=headers) as r:
                    status = r.status
            except (OSError, TimeoutError, aiohttp.ClientError) as exc:
                _LOGGER.debug("webhook delivery of %s failed: %s", update["update_id"], exc)
            self.webhook_deliveries.append((update["update_id"], status))
            self.delivered.setdefault(update["update_id"], time.monotonic())
            self._notify()
            if 200 <= status < 300:
                self.confirmed.add(update["update_id"])
                return
            if attempt + 1 < self.webhook_attempts:
                await asyncio.sleep(min(2.0, 0.05 * (attempt + 1)))

    # ------------------------------------------------------------------ observing

    def chat_ids(self) -> list[int]:
        return sorted(self._chats)

    def message(self, chat_id: int, message_id: int) -> ChatMessage:
        return self._chat(chat_id).messages[message_id]

    def messages(self, chat_id: int, *, from_bot: bool = True) -> list[ChatMessage]:
        """The chat's live messages in order (deleted ones left out)."""
        chat = self._chat(chat_id)
        return [
            m for _, m in sorted(chat.messages.items()) if m.from_bot == from_bot and not m.deleted
        ]

    def latest(self, chat_id: int, *, with_keyboard: bool = False) -> ChatMessage | None:
        for message in reversed(self.messages(chat_id)):
            if not with_keyboard or message.callback_buttons:
                return message
        return None

    def transcript(self, chat_id: int) -> list[TranscriptEntry]:
        return list(self._chat(chat_id).transcript)

    def render_transcript(self, chat_id: int) -> str:
        """The chat as readable lines, for assertion messages and the demo log."""
        return "\n".join(str(entry) for entry in self._chat(chat_id).transcript)

    def activity(self, chat_id: int) -> int:
        """How many things the bot has done in this chat (sends, edits, deletes, answers)."""
        return self._chat(chat_id).activity

    def idle(self, chat_id: int) -> float:
        """Seconds since the bot last did anything in this chat."""
        return time.monotonic() - self._chat(chat_id).last_activity_at

    def last_message_id(self, chat_id: int) -> int:
        return self._chat(chat_id).last_message_id

    async def wait_until(self, predicate: Callable[[], bool], *, timeout: float = 5.0) -> None:
        """Wait for a condition on the server state; raises TimeoutError, never hangs."""
        async with asyncio.timeout(timeout):
            while not predicate():
                await self._changed.wait()

    async def wait_in_chat(
        self, chat_id: int, predicate: Callable[[], bool], *, timeout: float = 5.0
    ) -> None:
        """`wait_until` for a condition on one chat: woken only by the bot acting in that
        chat, so hundreds of waiting users do not all re-check on every call."""
        chat = self._chat(chat_id)
        async with asyncio.timeout(timeout):
            while not predicate():
                await chat.changed.wait()

    async def wait_for_reply(
        self, chat_id: int, *, after: int | UserAction, timeout: float = 5.0
    ) -> ChatMessage:
        """The first message the bot sends to the chat after message id (or action) `after`."""
        marker = after.marker if isinstance(after, UserAction) else after
        chat = self._chat(chat_id)

        def replied() -> bool:
            return any(m.from_bot and mid > marker for mid, m in chat.messages.items())

        try:
            await self.wait_until(replied, timeout=timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no reply in chat {chat_id} after #{marker} within {timeout}s; transcript:\n"
                + self.render_transcript(chat_id)
            ) from None
        return next(m for mid, m in sorted(chat.messages.items()) if m.from_bot and mid > marker)

    async def wait_for_answer(self, query_id: str, *, timeout: float = 5.0) -> CallbackAnswer:
        """The bot's answer to a callback query (every query must get one)."""
        await self.wait_until(lambda: query_id in self.callback_answers, timeout=timeout)
        return self.callback_answers[query_id]

    async def wait_settled(
        self,
        chat_id: int,
        *,
        since: int | UserAction,
        quiet: float = 0.15,
        timeout: float = 5.0,
    ) -> None:
        """Wait until the bot reacted in the chat (activity past `since`) and then went quiet.

        The bot's reaction to one update can be several calls (answer the query, edit the old
        question, send the next), so "quiet for a moment" is how a reader knows it is their turn.
        """
        start = since.activity if isinstance(since, UserAction) else since
        chat = self._chat(chat_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            await self.wait_until(lambda: chat.activity > start, timeout=timeout)
            while True:
                idle = time.monotonic() - chat.last_activity_at
                if idle >= quiet:
                    return
                if loop.time() + (quiet - idle) > deadline:
                    raise TimeoutError
                await asyncio.sleep(quiet - idle)
        except TimeoutError:
            raise TimeoutError(
                f"the bot did not answer in chat {chat_id} within {timeout}s; transcript:\n"
                + self.render_transcript(chat_id)
            ) from None


def _optional_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid integer {value!r}") from None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in {"true", "1"}
    return bool(value)


def _parse_keyboard(markup: Any) -> Keyboard:
    """Inline keyboards only (the bot uses no reply keyboards); validated like Telegram does."""
    if not markup:
        return ()
    if not isinstance(markup, Mapping):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return ()
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array of Arrays')
    keyboard: list[tuple[InlineButton, ...]] = []
    for row in rows:
        buttons: list[InlineButton] = []
        for raw in row:
            if not isinstance(raw, Mapping) or not str(raw.get("text") or "").strip():
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: text empty")
            data = raw.get("callback_data")
            url = raw.get("url")
            if data is None and url is None:
                raise ApiError(400, 'Bad Request: can\'t find field "callback_data" or "url"')
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            buttons.append(
                InlineButton(
                    str(raw["text"]),
                    None if data is None else str(data),
                    None if url is None else str(url),
                )
            )
        if buttons:
            keyboard.append(tuple(buttons))
    return tuple(keyboard)


def _keyboard_json(keyboard: Keyboard) -> list[list[JSONDict]]:
    rows: list[list[JSONDict]] = []
    for row in keyboard:
        out: list[JSONDict] = []
        for button in row:
            item: JSONDict = {"text": button.text}
            if button.callback_data is not None:
                item["callback_data"] = button.callback_data
            if button.url is not None:
                item["url"] = button.url
            out.append(item)
        rows.append(out)
    return rows


def _received_file(field: FileField) -> Upload:
    """What a multipart part carried; the bytes are counted and dropped."""
    size = len(field.file.read())
    return Upload("document", field.filename or None, size, field.content_type or None)


def _upload(kind: Literal["document", "photo"], value: Any, params: JSONDict) -> Upload:
    """The file a sendDocument/sendPhoto names: uploaded, `attach://<part>`, or an id/URL."""
    if isinstance(value, str) and value.startswith("attach://"):
        value = params.get(value.removeprefix("attach://"))
    if isinstance(value, Upload):
        return Upload(kind, value.filename, value.size, value.content_type)
    if isinstance(value, str) and value:
        return Upload(kind, None, 0, None, value)
    raise ApiError(400, f"Bad Request: there is no {kind} in the request")


def _attachment_json(chat_id: int, message_id: int, upload: Upload) -> JSONDict:
    file_id = f"{upload.kind}-{chat_id}-{message_id}"
    if upload.kind == "photo":
        size = {"file_id": file_id, "file_unique_id": file_id, "width": 800, "height": 600}
        return {"photo": [{**size, "file_size": upload.size}]}
    document: JSONDict = {"file_id": file_id, "file_unique_id": file_id, "file_size": upload.size}
    if upload.filename:
        document["file_name"] = upload.filename
    if upload.content_type:
        document["mime_type"] = upload.content_type
    return {"document": document}
