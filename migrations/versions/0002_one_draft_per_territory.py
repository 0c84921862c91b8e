"""one draft assessment per territory

A territory's team shares a single draft: the service checks for one before starting
another, and this index makes the database refuse the second of two drafts started at
the same instant.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEX = "uq_assessment_one_draft_per_territory"
DRAFTS_ONLY = sa.text("status = 'draft'")


def upgrade() -> None:
    op.create_index(
        INDEX,
        "assessment",
        ["territory_id"],
        unique=True,
        sqlite_where=DRAFTS_ONLY,
        postgresql_where=DRAFTS_ONLY,
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="assessment")
