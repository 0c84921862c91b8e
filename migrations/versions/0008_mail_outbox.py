"""mail: the outbox, its attempts, recipients' preferences, a campaign's pasted addresses

Four new tables; nothing existing changes, so no row of any other table is touched.

Revision ID: 0008_mail_outbox
Revises: 0007_territory_archived
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from migrations.security import lock_down_schema

revision = "0008_mail_outbox"
down_revision = "0007_territory_archived"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mail_recipient",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("unsubscribe_token", sa.String(length=64), nullable=False),
        sa.Column("opted_out_at", _WHEN, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_mail_recipient")),
        sa.UniqueConstraint("unsubscribe_token", name=op.f("uq_mail_recipient_unsubscribe_token")),
    )
    op.create_table(
        "campaign_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("reminded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_campaign_recipient_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_recipient")),
        sa.UniqueConstraint("campaign_id", "email", name="uq_campaign_recipient_campaign_email"),
        sa.UniqueConstraint("code", name=op.f("uq_campaign_recipient_code")),
    )
    op.create_index(
        op.f("ix_campaign_recipient_campaign_id"), "campaign_recipient", ["campaign_id"], unique=False
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("unsubscribe_url", sa.String(length=500), nullable=True),
        sa.Column("territory_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _WHEN, nullable=False),
        sa.Column("claim_token", sa.String(length=40), nullable=True),
        sa.Column("claimed_until", _WHEN, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", _WHEN, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.CheckConstraint(
            "kind in ('invitation', 'access_request_received', 'access_request_decided', "
            "'campaign_link', 'campaign_reminder', 'digest')",
            name=op.f("ck_outbox_message_kind"),
        ),
        sa.CheckConstraint(
            "status in ('pending', 'sending', 'sent', 'failed')", name=op.f("ck_outbox_message_status")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_outbox_message_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territory.id"],
            name=op.f("fk_outbox_message_territory_id_territory"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_message_dedupe_key")),
    )
    op.create_index(op.f("ix_outbox_message_campaign_id"), "outbox_message", ["campaign_id"], unique=False)
    op.create_index("ix_outbox_message_due", "outbox_message", ["status", "next_attempt_at"], unique=False)
    op.create_index(op.f("ix_outbox_message_territory_id"), "outbox_message", ["territory_id"], unique=False)
    op.create_table(
        "outbox_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", _WHEN, nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("smtp_code", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "outcome in ('sent', 'retry', 'refused', 'interrupted')", name=op.f("ck_outbox_attempt_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_message.id"],
            name=op.f("fk_outbox_attempt_message_id_outbox_message"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attempt")),
    )
    op.create_index(op.f("ix_outbox_attempt_message_id"), "outbox_attempt", ["message_id"], unique=False)
    lock_down_schema()


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_attempt_message_id"), table_name="outbox_attempt")
    op.drop_table("outbox_attempt")
    op.drop_index(op.f("ix_outbox_message_territory_id"), table_name="outbox_message")
    op.drop_index("ix_outbox_message_due", table_name="outbox_message")
    op.drop_index(op.f("ix_outbox_message_campaign_id"), table_name="outbox_message")
    op.drop_table("outbox_message")
    op.drop_index(op.f("ix_campaign_recipient_campaign_id"), table_name="campaign_recipient")
    op.drop_table("campaign_recipient")
    op.drop_table("mail_recipient")
