"""Organizations, staff, invitations, the audit log and safeguarding alerts.

Every existing campaign is given an organization named after its `organization`
text, so the data of one CBO stays together after the upgrade.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = sa.DateTime(timezone=True)


def _organizations() -> None:
    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("default_language", sa.String(length=10), nullable=False),
        sa.Column("min_group_size", sa.Integer(), nullable=False),
        sa.Column("escalation_minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "staff_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("roles", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(), nullable=True),
        sa.Column("revoked_at", MOMENT, nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_staff_member_chat_id", "staff_member", ["chat_id"])
    op.create_index(
        "ix_staff_member_org_chat", "staff_member", ["organization_id", "chat_id"], unique=True
    )
    op.create_index("ix_staff_member_organization_id", "staff_member", ["organization_id"])


def _invitations_and_audit() -> None:
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("roles", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("used_at", MOMENT, nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["staff_member.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["used_by"], ["staff_member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_invitation_organization_id", "invitation", ["organization_id"])
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("staff_member_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["staff_member_id"], ["staff_member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_event_organization_id", "audit_event", ["organization_id"])


def _alerts() -> None:
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("escalate_at", MOMENT, nullable=False),
        sa.Column("escalated_at", MOMENT, nullable=True),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.Column("handled_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["handled_by"], ["staff_member.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_campaign_id", "alert", ["campaign_id"])
    op.create_index("ix_alert_organization_id", "alert", ["organization_id"])
    op.create_index("ix_alert_status", "alert", ["status"])


def _campaigns_join_organizations() -> None:
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.add_column(sa.Column("organization_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_campaign_organization_id", ["organization_id"])
        batch_op.create_foreign_key(
            "fk_campaign_organization_id", "organization", ["organization_id"], ["id"]
        )
    op.execute(
        "INSERT INTO organization "
        "(name, timezone, default_language, min_group_size, escalation_minutes, created_at) "
        "SELECT organization, 'UTC', MIN(default_language), 10, 30, MIN(created_at) "
        "FROM campaign GROUP BY organization"
    )
    op.execute(
        "UPDATE campaign SET organization_id = "
        "(SELECT organization.id FROM organization WHERE organization.name = campaign.organization)"
    )


def upgrade() -> None:
    _organizations()
    _invitations_and_audit()
    _alerts()
    _campaigns_join_organizations()


def downgrade() -> None:
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.drop_constraint("fk_campaign_organization_id", type_="foreignkey")
        batch_op.drop_index("ix_campaign_organization_id")
        batch_op.drop_column("organization_id")
    for table in ("alert", "audit_event", "invitation", "staff_member", "organization"):
        op.drop_table(table)
