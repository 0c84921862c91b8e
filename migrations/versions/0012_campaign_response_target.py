"""a campaign may have a response target, shown as progress (issue 10, item 2)

A nullable column: ``ALTER TABLE … ADD COLUMN`` on both dialects, no SQLite rebuild, so the
campaign's responses and queued mails (which cascade from it) are never touched.

Revision ID: 0012_campaign_response_target
Revises: 0011_network_version
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_campaign_response_target"
down_revision = "0011_network_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("campaign", sa.Column("response_target", sa.Integer, nullable=True))


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column in place, without the rebuild that would cascade.
    op.drop_column("campaign", "response_target")
