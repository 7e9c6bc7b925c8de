"""Files through the outbox: the bytes ride in the row, and the delivery uploads them."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from telegram import InputFile

from bot.delivery import _input_file
from bot.outgoing import MAX_FILE_BYTES, FileTooLarge, Outgoing, file_param
from surveys.models import OutboxMessage


def test_a_file_is_stored_in_the_row(engine: Engine) -> None:
    with Session(engine) as session:
        out = Outgoing(session, b"k")
        out.send_document(42, b"hello,world\r\n", "answers.csv", caption="Answers")
        out.send_photo(42, b"\x89PNG...", "qr.png")
        out.commit()
        session.commit()
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
    assert [r.method for r in rows] == ["sendDocument", "sendPhoto"]
    document = json.loads(rows[0].payload)["document"]
    assert base64.b64decode(document["base64"]) == b"hello,world\r\n"
    assert document["filename"] == "answers.csv"
    assert json.loads(rows[0].payload)["caption"] == "Answers"


def test_delivery_turns_it_into_an_upload() -> None:
    upload = _input_file(file_param(b"%PDF-1.7", "packet-en.pdf"))
    assert isinstance(upload, InputFile)
    assert upload.filename == "packet-en.pdf"
    assert upload.input_file_content == b"%PDF-1.7"
    assert _input_file({"type": "chat", "chat_id": 1}) == {"type": "chat", "chat_id": 1}


def test_over_50_mb_is_refused_before_it_is_queued() -> None:
    file_param(b"\0" * 10, "small.bin")
    with pytest.raises(FileTooLarge, match="50 MB"):
        file_param(b"\0" * (MAX_FILE_BYTES + 1), "huge.pdf")
