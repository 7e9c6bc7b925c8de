"""`chorus status`: the queues as counts, ages and failure reasons; never a chat id or a text."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session
from typer.testing import CliRunner

from bot.cli import app
from surveys.crud import inbox, outbox
from surveys.crud.inbox import Incoming
from surveys.crud.outbox import NewMessage
from surveys.db import init_db, make_engine

CHAT = 987654321
SECRET_TEXT = "my secret answer"


def test_status_counts_the_queues_and_names_failures(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'status.db'}"
    engine = make_engine(url)
    init_db(engine)
    with Session(engine) as session:
        inbox.store(session, updates=[Incoming(1, CHAT, '{"text": "my secret answer"}')])
        queued = outbox.enqueue(
            session,
            messages=[
                NewMessage(CHAT, "sendMessage", {"chat_id": CHAT, "text": SECRET_TEXT}),
                NewMessage(CHAT + 1, "sendMessage", {"chat_id": CHAT + 1, "text": "x"}),
            ],
        )
        outbox.mark_failed(session, id=queued[0].id, error="blocked by the user")
        session.commit()
    engine.dispose()
    result = CliRunner().invoke(app, ["status"], env={"CHORUS_DATABASE_URL": url, "COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "inbox │ queued │ 1" in text
    assert "outbox │ queued │ 1" in text
    assert "outbox │ failed │ 1" in text
    assert "failed: blocked by the user │ 1" in text
    assert str(CHAT) not in result.output and SECRET_TEXT not in result.output
