"""The tables. Every other module reads and writes through these.

Identity is kept apart by construction: the only table holding a Telegram chat
id is `Contact`, which analysis and exports never read and which `/delete`
removes. A respondent is a random id; answers hang off that id alone.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from enum import IntEnum, StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

from surveys.status import CampaignStatus, RespondentStatus

__all__ = ["CampaignStatus", "RespondentStatus"]  # re-exported: they live in surveys.status


def utcnow() -> datetime:
    """Timezone-aware UTC: sqlmodel's datetime columns reject naive values."""
    return datetime.now(UTC)


def new_campaign_code() -> str:
    """96 random bits in 16 URL-safe characters: a valid Telegram /start payload.

    Never starting with "-": a command line would read such a code as an option.
    """
    while True:
        code = secrets.token_urlsafe(12)
        if not code.startswith("-"):
            return code


def new_respondent_id() -> str:
    return uuid.uuid4().hex


class SurveyRecord(SQLModel, table=True):
    """One exact version of a survey definition, stored as JSON."""

    __tablename__ = "survey"
    __table_args__ = (UniqueConstraint("survey_id", "version_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: str = Field(index=True, max_length=40)
    version: str = Field(max_length=40)
    version_hash: str = Field(max_length=16)
    title: str = Field(max_length=200)
    definition: str
    created_at: datetime = Field(default_factory=utcnow)


class Campaign(SQLModel, table=True):
    __tablename__ = "campaign"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(default_factory=new_campaign_code, unique=True, index=True, max_length=64)
    survey_pk: int = Field(foreign_key="survey.id", index=True)
    organization: str = Field(max_length=200)
    school: str = Field(max_length=200)
    grade: str = Field(max_length=60)
    audience: str = Field(max_length=20)
    default_language: str = Field(max_length=10)
    opens_at: datetime = Field(default_factory=utcnow)
    closes_at: datetime | None = None
    status: str = Field(default=CampaignStatus.OPEN, max_length=20)
    roster_size: int | None = None
    follow_up: str | None = None
    """JSON object language -> text sent after the thanks (meeting date, services)."""
    declined_count: int = 0
    """Declining consent stores nothing but this count."""
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    """The organization that owns the campaign; `organization` is its name as on the flyer.
    Set for every campaign (migration 0003 filled it in for older ones)."""
    created_at: datetime = Field(default_factory=utcnow)
    reminders: str = Field(
        default="86400,259200", max_length=200, sa_column_kwargs={"server_default": "86400,259200"}
    )
    """Seconds after a respondent's last activity each reminder is due, comma-separated;
    empty for none (see `surveys.reach_schedule`)."""
    reminders_sent: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """Reminders queued so far: a counter, so erasing a respondent does not change it."""
    closed_at: datetime | None = None
    """When `chorus close` closed it by hand; the retention period counts from the earlier
    of this and `closes_at`."""


class Respondent(SQLModel, table=True):
    """A person answering one campaign, known only by a random id.

    `current_question` and `pending` are the conversation state: the engine is
    pure, and this row is where its progress lives between updates.
    """

    __tablename__ = "respondent"

    id: str = Field(default_factory=new_respondent_id, primary_key=True, max_length=32)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    role: str | None = Field(default=None, max_length=20)
    language: str = Field(max_length=10)
    status: str = Field(default=RespondentStatus.LANGUAGE, max_length=20)
    current_question: str | None = Field(default=None, max_length=16)
    pending: str | None = None
    """JSON engine scratch state, e.g. multi-choice options toggled but not yet confirmed."""
    started_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None
    reminders_sent: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """Reminders this respondent was sent: at most the campaign's number of reminders."""


class Contact(SQLModel, table=True):
    """The only link between a respondent and a Telegram chat. Never read by analysis.

    `campaign_id` repeats the respondent's campaign so that the database itself
    refuses a second respondent for one chat in one campaign: two `/start`s handled
    at the same moment by two workers cannot both join.
    """

    __tablename__ = "contact"
    __table_args__ = (Index("ix_contact_chat_campaign", "chat_id", "campaign_id", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    respondent_id: str = Field(foreign_key="respondent.id", unique=True, max_length=32)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    campaign_id: int | None = None
    opted_out: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    shared_at: datetime | None = None
    """When the campaign's results were queued for this contact: set once, so sharing again
    sends nothing twice."""
    shared_outbox_id: int | None = None
    """The outbox row carrying the results, for the share's progress (queued, sent, failed)."""


class Answer(SQLModel, table=True):
    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("respondent_id", "question_id"),
        # Only about one answer in ten holds text: the packet reads those first, so its
        # theme summary can start while the rest load, and without this index that read
        # visits every answer of the campaign (migration 0005).
        Index(
            "ix_answer_with_text",
            "respondent_id",
            sqlite_where=sql_text("text IS NOT NULL"),
            postgresql_where=sql_text("text IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    respondent_id: str = Field(foreign_key="respondent.id", index=True, max_length=32)
    question_id: str = Field(max_length=16)
    value: str | None = None
    """likert "1".."5" or "not_sure"; option id; JSON list for multi_choice; number; yes/no."""
    text: str | None = None
    """Free text: the answer to a text question, or a multi-choice "other"."""
    skipped: bool = False
    flagged: bool = False
    """Safeguarding: the text spoke of harm. Flagged text is never quoted."""
    answered_at: datetime = Field(default_factory=utcnow)


class AnswerAnalysis(SQLModel, table=True):
    """What the text engine found in one open answer, worked out once, soon after it arrived.

    The packet's theme summary then counts instead of parsing: on 100,000 comments that is
    most of its time (docs/themes.md). `text_key` is a digest of the engine version, the
    respondent's language and the text it was worked out for, so an analysis of text since
    changed, or by another engine, is never used. It goes with its answer (ON DELETE
    CASCADE): `/delete` and the purge of a respondent leave none behind.
    """

    __tablename__ = "answer_analysis"

    answer_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("answer.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    version: str = Field(max_length=32)
    language: str = Field(max_length=10)
    """The respondent's language it was worked out with: one who switches is analysed again."""
    text_key: str = Field(max_length=32)
    result: str = Field(sa_column=Column(Text, nullable=False))
    """JSON: language, codebook themes and noun phrases with their counts, polarity."""


class ProcessedUpdate(SQLModel, table=True):
    """Telegram update ids already handled, so a redelivered update changes nothing."""

    __tablename__ = "processed_update"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: datetime = Field(default_factory=utcnow)


class InboxStatus(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"  # could not be read as an update, or failed every attempt


class InboxUpdate(SQLModel, table=True):
    """An update as Telegram delivered it, stored before Telegram is told it arrived.

    Processing reads from here, one chat at a time in `update_id` order, so a crash
    between receiving and handling resumes on restart instead of losing the update.
    Rows are pruned a while after they are handled.
    """

    __tablename__ = "inbox_update"
    __table_args__ = (Index("ix_inbox_update_chat_status", "chat_id", "status", "update_id"),)

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    """The chat the update belongs to (its ordering lane); 0 when it names none."""
    payload: str
    """The update's JSON, with the characters databases refuse (NUL) removed."""
    status: str = Field(default=InboxStatus.QUEUED, max_length=12, index=True)
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=32)
    claimed_at: datetime | None = None
    received_at: datetime = Field(default_factory=utcnow)
    handled_at: datetime | None = None


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxPriority(IntEnum):
    """Lower goes first: an alert before a reply, a reply before a broadcast."""

    ALERT = 0
    INTERACTIVE = 1
    BULK = 2


class OutboxMessage(SQLModel, table=True):
    """One Bot API call the bot means to make, written in the transaction that caused it.

    The delivery loop claims a chat's rows in `id` order, calls Telegram and records
    the result; after a crash, rows left `sending` are sent again (see docs/runtime.md).
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
        Index("ix_outbox_message_chat", "chat_id", "status", "id"),
        Index("ix_outbox_message_topic", "topic"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    method: str = Field(max_length=40)
    payload: str
    """The call's parameters as JSON (`reply_markup` already serialized)."""
    priority: int = OutboxPriority.INTERACTIVE
    status: str = Field(default=OutboxStatus.QUEUED, max_length=12)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claimed_by: str | None = Field(default=None, max_length=32)
    claimed_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    topic: str | None = Field(default=None, max_length=40)
    """What the message is about, when something may change it later ("alert:12")."""
    sent_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    """Telegram's id of the message once sent, so it can be edited (its buttons taken away)."""


# --- staff ---------------------------------------------------------------------------------


class Organization(SQLModel, table=True):
    """A CBO. Its staff, campaigns and alerts never mix with another organization's."""

    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    """An IANA name: when "the morning" and "closing day" are."""
    default_language: str = Field(default="en", max_length=10)
    min_group_size: int = 10
    """The packet hides any group smaller than this."""
    escalation_minutes: int = 30
    """An alert nobody acknowledged within this time goes to the owners."""
    created_at: datetime = Field(default_factory=utcnow)
    quiet_hours: str = Field(
        default="19:00-09:00", max_length=11, sa_column_kwargs={"server_default": "19:00-09:00"}
    )
    """Local "HH:MM-HH:MM" in which no reminder is sent (may span midnight); "" for none."""
    retention_days: int = Field(default=90, sa_column_kwargs={"server_default": "90"})
    """Days after a campaign closes before everything that can point at a person is purged."""


class StaffMember(SQLModel, table=True):
    """A person working for an organization, reached in their own chat.

    Kept apart from `Contact` by construction: a staff member who also answers a
    survey (as a caregiver, say) has a contact and respondent like anyone else, and
    nothing joins the two.
    """

    __tablename__ = "staff_member"
    __table_args__ = (Index("ix_staff_member_org_chat", "organization_id", "chat_id", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    roles: str = Field(max_length=100)
    """Comma-separated `StaffRole` values, e.g. "facilitator,safeguarding-lead"."""
    display_name: str = Field(max_length=200)
    language: str = Field(default="en", max_length=10)
    state: str | None = None
    """JSON of a guided staff conversation in progress (`/launch` step by step)."""
    revoked_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Invitation(SQLModel, table=True):
    """A single-use link that makes whoever opens it a staff member. Only its hash is kept."""

    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    roles: str = Field(max_length=100)
    created_by: int | None = Field(default=None, foreign_key="staff_member.id")
    """None when made on the command line."""
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = Field(default=None, foreign_key="staff_member.id")


class AuditEvent(SQLModel, table=True):
    """Who did what, to which campaign, and when. Never holds answer text."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    staff_member_id: int | None = Field(default=None, foreign_key="staff_member.id")
    """None when done on the command line."""
    action: str = Field(max_length=40)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id")
    detail: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class AlertStatus(StrEnum):
    OPEN = "open"
    FOLLOWING_UP = "following_up"
    NOT_A_CONCERN = "not_a_concern"


class Alert(SQLModel, table=True):
    """A flagged answer a designated adult must see. Never exported, packed or logged.

    The flagged text is copied here, so the lead can judge urgency even if the
    respondent deletes their answers afterwards; the retention purge removes it.
    """

    __tablename__ = "alert"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    question_id: str = Field(max_length=16)
    text: str
    status: str = Field(default=AlertStatus.OPEN, max_length=20, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    escalate_at: datetime
    escalated_at: datetime | None = None
    handled_by: int | None = Field(default=None, foreign_key="staff_member.id")
    handled_at: datetime | None = None
