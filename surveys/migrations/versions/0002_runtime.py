"""The durable runtime: the inbox, the outbox, and one respondent per chat and campaign.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.String(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index("ix_inbox_update_status", "inbox_update", ["status"])
    op.create_index(
        "ix_inbox_update_chat_status", "inbox_update", ["chat_id", "status", "update_id"]
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.String(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_message_due", "outbox_message", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_message_chat", "outbox_message", ["chat_id", "status", "id"])
    op.add_column("contact", sa.Column("campaign_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE contact SET campaign_id = "
        "(SELECT respondent.campaign_id FROM respondent WHERE respondent.id = contact.respondent_id)"
    )
    # Before the constraint existed, a race could give one chat two respondents of one
    # campaign; keep the first contact of each pair so the unique index can be built.
    op.execute(
        "DELETE FROM contact WHERE id NOT IN "
        "(SELECT MIN(id) FROM contact GROUP BY chat_id, campaign_id)"
    )
    op.create_index("ix_contact_chat_campaign", "contact", ["chat_id", "campaign_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_contact_chat_campaign", table_name="contact")
    with op.batch_alter_table("contact") as batch_op:
        batch_op.drop_column("campaign_id")
    op.drop_index("ix_outbox_message_chat", table_name="outbox_message")
    op.drop_index("ix_outbox_message_due", table_name="outbox_message")
    op.drop_table("outbox_message")
    op.drop_index("ix_inbox_update_chat_status", table_name="inbox_update")
    op.drop_index("ix_inbox_update_status", table_name="inbox_update")
    op.drop_table("inbox_update")
