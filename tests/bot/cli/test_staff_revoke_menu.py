"""`chorus staff revoke` also queues the removal of the member's command menu."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from surveys.db import make_engine
from surveys.models import OutboxMessage
from tests.conftest import Cli
from tests.factories import make_staff


def test_revoking_queues_the_menu_reset(cli: Cli) -> None:
    created = cli("org", "create", "Bridges Tutoring")
    assert created.exit_code == 0, created.output
    engine = make_engine(cli.url)
    with Session(engine) as session:
        member = make_staff(session, organization="Bridges Tutoring", roles="organizer",
                            chat_id=4242)  # fmt: skip
        session.commit()
        member_id = member.id
    revoked = cli("staff", "revoke", "--org", "Bridges Tutoring", str(member_id))
    assert revoked.exit_code == 0, revoked.output
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage)).all()
    engine.dispose()
    assert [(r.chat_id, r.method) for r in rows] == [(4242, "deleteMyCommands")]
    assert json.loads(rows[0].payload) == {"scope": {"type": "chat", "chat_id": 4242}}
