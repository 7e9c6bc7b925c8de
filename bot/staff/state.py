"""A guided staff conversation in progress, kept in `StaffMember.state` (JSON).

In the database, not in memory: a restart resumes the flow where it was, and any
worker can take the next update. Each run gets a fresh nonce that its buttons
carry (`bot.staff.buttons`), so buttons of a finished run do nothing.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from surveys.crud.respondents import now_utc
from surveys.models import StaffMember


@dataclass
class Flow:
    name: str
    """launch, close, export, report or invite."""
    nonce: str
    step: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def load(member: StaffMember) -> Flow | None:
    if not member.state:
        return None
    try:
        raw = json.loads(member.state)
        return Flow(str(raw["name"]), str(raw["nonce"]), str(raw.get("step", "")), raw["data"])
    except (ValueError, KeyError, TypeError):
        return None  # unreadable state: as if no flow were running


def dumps(flow: Flow) -> str:
    """The stored form (`report_jobs` finds a report in the making by its `"step": "making"`)."""
    return json.dumps(
        {"name": flow.name, "nonce": flow.nonce, "step": flow.step, "data": flow.data},
        ensure_ascii=False,
    )


def save(session: Session, member: StaffMember, flow: Flow | None) -> None:
    member.state = None if flow is None else dumps(flow)
    member.updated_at = now_utc()
    session.add(member)


def begin(session: Session, member: StaffMember, name: str, step: str = "") -> Flow:
    """A new run of flow `name`; whatever ran before is abandoned."""
    flow = Flow(name=name, nonce=secrets.token_urlsafe(3), step=step)
    save(session, member, flow)
    return flow
