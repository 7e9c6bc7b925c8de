"""Callback data: engine actions as short strings, and back.

Telegram returns a button's callback data verbatim, limited to 64 bytes. The
data is explicit (no `arbitrary_callback_data` cache) so it survives restarts
and works across worker processes; it names the campaign so a button from
another survey is recognised. It is never trusted: anyone can send any bytes,
so `decode` only checks the shape, and the conversation service checks the
campaign, the current question and the option against the database.

Layout: ``<kind>:<campaign id>[:<field>...]``, e.g. ``a:12:belong1:4``. As sent,
the data carries ``|<signature>``: an HMAC of the data and the chat it was sent
to (`sign`, `verify`), so only buttons the bot sent to this chat do anything; a
consent button for a campaign whose link the chat never opened cannot be forged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from surveys.engine import Action, Back, Choose, Consent, Done, SetLanguage, SetRole, Skip, Toggle
from surveys.errors import ChorusError

MAX_BYTES = 64
"""Telegram's limit for `callback_data`."""
SIGNATURE = "|"
SIGNATURE_CHARS = 8
"""48 bits of HMAC-SHA256 in URL-safe base64: a forger has one chance in 2^48 per try."""

_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{1,16}$")
"""Question ids, option ids, roles and language codes all fit this (see `surveys.definition`)."""

_CAMPAIGN = re.compile(r"^[1-9][0-9]{0,11}$")

DELETE_CONFIRM = "D:yes"
DELETE_CANCEL = "D:no"
"""The two `/delete` buttons. They name no campaign: deleting covers every survey of the chat."""


class CallbackDataError(ChorusError, ValueError):
    """An action that cannot be put in a button (a field too long or with a colon)."""


@dataclass(frozen=True)
class Decoded:
    campaign_id: int
    action: Action
    question_id: str | None
    """The question the button was drawn for; `Back` carries it so an old Back button is caught."""


def _field(value: str) -> str:
    if not _TOKEN.match(value):
        raise CallbackDataError(f"{value!r} cannot be used in callback data")
    return value


def encode(action: Action, *, campaign_id: int, question_id: str | None = None) -> str:
    """The callback data for a button that performs `action` in `campaign_id`.

    `question_id` is only needed for `Back`, which the engine treats as question-free.
    """
    cid = str(campaign_id)
    match action:
        case SetLanguage(code=code):
            parts = ["l", cid, _field(code)]
        case Consent(agree=agree):
            parts = ["c", cid, "y" if agree else "n"]
        case SetRole(role=role):
            parts = ["r", cid, _field(role)]
        case Choose(question_id=qid, option=option):
            parts = ["a", cid, _field(qid), _field(option)]
        case Toggle(question_id=qid, option=option):
            parts = ["t", cid, _field(qid), _field(option)]
        case Done(question_id=qid):
            parts = ["d", cid, _field(qid)]
        case Skip(question_id=qid):
            parts = ["s", cid, _field(qid)]
        case Back():
            if question_id is None:
                raise CallbackDataError("a Back button needs the question it was drawn for")
            parts = ["b", cid, _field(question_id)]
        case _:
            raise CallbackDataError(f"{type(action).__name__} is not a button action")
    data = ":".join(parts)
    if len(data.encode()) > MAX_BYTES:  # pragma: no cover - fields are capped at 16 characters
        raise CallbackDataError(f"callback data {data!r} is over {MAX_BYTES} bytes")
    return data


def _signature(data: str, chat_id: int, key: bytes) -> str:
    digest = hmac.new(key, f"{chat_id}{SIGNATURE}{data}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:SIGNATURE_CHARS]


def sign(data: str, *, chat_id: int, key: bytes) -> str:
    """The data as sent to `chat_id`: only that chat can send it back."""
    signed = f"{data}{SIGNATURE}{_signature(data, chat_id, key)}"
    if len(signed.encode()) > MAX_BYTES:  # pragma: no cover - unsigned data stays under 48 bytes
        raise CallbackDataError(f"signed callback data {signed!r} is over {MAX_BYTES} bytes")
    return signed


def verify(data: str | None, *, chat_id: int, key: bytes) -> str | None:
    """The unsigned data when its signature is right for this chat, else None."""
    if not data or len(data.encode()) > MAX_BYTES or SIGNATURE not in data:
        return None
    body, _, signature = data.rpartition(SIGNATURE)
    if not hmac.compare_digest(signature, _signature(body, chat_id, key)):
        return None
    return body


def decode(data: str | None) -> Decoded | None:
    """The action a button asks for, or None when the data has the wrong shape.

    Shape only: a signature, if present, is ignored here (`verify` checks it).
    """
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    data = data.split(SIGNATURE, 1)[0]
    parts = data.split(":")
    if len(parts) < 3 or not _CAMPAIGN.match(parts[1]):
        return None
    kind, campaign, fields = parts[0], int(parts[1]), parts[2:]
    if not all(_TOKEN.match(f) for f in fields):
        return None
    action: Action
    question_id: str | None = None
    match kind, fields:
        case "l", [code]:
            action = SetLanguage(code)
        case "c", ["y" | "n" as answer]:
            action = Consent(answer == "y")
        case "r", [role]:
            action = SetRole(role)
        case "a", [qid, option]:
            action, question_id = Choose(qid, option), qid
        case "t", [qid, option]:
            action, question_id = Toggle(qid, option), qid
        case "d", [qid]:
            action, question_id = Done(qid), qid
        case "s", [qid]:
            action, question_id = Skip(qid), qid
        case "b", [qid]:
            action, question_id = Back(), qid
        case _:
            return None
    return Decoded(campaign_id=campaign, action=action, question_id=question_id)
