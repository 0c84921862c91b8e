"""live workshops: a campaign's kind, and the workshop a live campaign is run in

``campaign.kind`` is added with a default ("survey"), an ``ALTER TABLE … ADD COLUMN`` on both
dialects: SQLite does not rebuild the table, so no response or answer is touched. The
``workshop`` table is new.

Revision ID: 0010_live_workshop
Revises: 0009_indicators_sharing
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from migrations.security import lock_down_schema

revision = "0010_live_workshop"
down_revision = "0009_indicators_sharing"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(
        "campaign", sa.Column("kind", sa.String(length=10), nullable=False, server_default="survey")
    )
    op.create_table(
        "workshop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("question_ids", sa.JSON(), nullable=False),
        sa.Column("current_question", sa.String(length=60), nullable=True),
        sa.Column("question_open", sa.Boolean(), nullable=False),
        sa.Column("reveal_mode", sa.Boolean(), nullable=False),
        sa.Column("results_shown", sa.Boolean(), nullable=False),
        sa.Column("conclusions", sa.JSON(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", _WHEN, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_workshop_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestone.id"],
            name=op.f("fk_workshop_milestone_id_milestone"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop")),
        sa.UniqueConstraint("campaign_id", name=op.f("uq_workshop_campaign_id")),
    )
    op.create_index(op.f("ix_workshop_milestone_id"), "workshop", ["milestone_id"], unique=False)
    lock_down_schema()


def downgrade() -> None:
    op.drop_index(op.f("ix_workshop_milestone_id"), table_name="workshop")
    op.drop_table("workshop")
    # SQLite (3.35 and later) drops a column in place, without the rebuild that would cascade.
    op.drop_column("campaign", "kind")
