"""Who is staff, and may they do this? Read from the database on every update.

A chat that is not (or no longer) staff gets exactly what a respondent gets for
an unknown command, so nothing tells a stranger that staff commands exist; a
revoked member also has their command menu reset. Staff handlers run inside
`Runtime.transact`, on the handler's transaction, through an ORM session bound
to it (`orm`), because the staff records are read and written through
`surveys.crud.staff`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection
from sqlmodel import Session, col, select

from bot.outgoing import Outgoing
from bot.staff.menus import queue_menu_reset
from surveys import conversations
from surveys.crud.staff import active_member, audit, member_roles
from surveys.i18n import t
from surveys.models import Organization, StaffMember
from surveys.roles import Permission, may

UNKNOWN_COMMAND = "bot.unsupported.command"
"""What a respondent reads after an unknown command; a non-staff chat reads the same."""


@contextmanager
def orm(db: Session | Connection) -> Iterator[Session]:
    """An ORM session inside the handler's open transaction; it never commits it."""
    if isinstance(db, Session):
        yield db
        return
    if not db.in_transaction():
        db.begin()
    with Session(bind=db, expire_on_commit=False) as session:
        yield session
        session.flush()


@dataclass
class Staff:
    """One staff update being handled: where to say things, and who asks."""

    out: Outgoing
    session: Session
    member: StaffMember
    organization: Organization
    chat_id: int
    update_id: int | None
    username: str | None = None
    """The bot's username, for `t.me` links."""

    @property
    def language(self) -> str:
        return self.member.language

    def say(self, key: str, **params: object) -> None:
        self.out.send(self.chat_id, t(key, self.language, **params))

    def audit(self, action: str, *, campaign_id: int | None = None, detail: str = "") -> None:
        assert self.organization.id is not None
        audit(
            self.session,
            organization_id=self.organization.id,
            staff_member_id=self.member.id,
            action=action,
            campaign_id=campaign_id,
            detail=detail or None,
        )

    def may(self, permission: Permission) -> bool:
        return may(member_roles(self.member), permission)


def refuse_stranger(
    out: Outgoing, session: Session, *, chat_id: int, hint: str, refusal: str = UNKNOWN_COMMAND
) -> None:
    """Exactly what a respondent reads (`refusal`: the unknown-command reply, or for a
    button the invalid-button one); a revoked member's menu is reset as well."""
    language = conversations.language_of(out.db, chat_id=chat_id, language_hint=hint)
    out.send(chat_id, t(refusal, language))
    revoked = session.exec(
        select(StaffMember.id).where(
            StaffMember.chat_id == chat_id, col(StaffMember.revoked_at).is_not(None)
        )
    ).first()
    if revoked is not None:
        queue_menu_reset(out, chat_id)


def staff_of(
    out: Outgoing, session: Session, *, chat_id: int, update_id: int | None
) -> Staff | None:
    member = active_member(session, chat_id=chat_id)
    if member is None:
        return None
    organization = session.get(Organization, member.organization_id)
    if organization is None:  # pragma: no cover - a foreign key guards it
        return None
    return Staff(out, session, member, organization, chat_id, update_id)


def allowed(staff: Staff, permission: Permission | None) -> bool:
    """True when the member may; otherwise says so and records the refusal."""
    if permission is None or staff.may(permission):
        return True
    staff.audit("refused", detail=permission.value)
    staff.say("staff.not_allowed")
    return False


StaffWork = Callable[[Staff], None]


def run_as_staff(
    out: Outgoing,
    *,
    chat_id: int,
    update_id: int | None,
    hint: str,
    permission: Permission | None,
    work: StaffWork,
    username: str | None = None,
    refusal: str = UNKNOWN_COMMAND,
) -> None:
    """Claim the update, check membership and permission, then do `work` in this transaction."""
    if not conversations.claim(out.db, update_id):
        return
    with orm(out.db) as session:
        staff = staff_of(out, session, chat_id=chat_id, update_id=update_id)
        if staff is None:
            refuse_stranger(out, session, chat_id=chat_id, hint=hint, refusal=refusal)
            return
        staff.username = username
        if allowed(staff, permission):
            work(staff)
