"""a territory can be archived (it leaves the steering views; its data stays)

Adding a nullable column is an ``ALTER TABLE … ADD COLUMN`` on both dialects: SQLite does not
rebuild the table, so nothing that refers to a territory is touched.

Revision ID: 0007_territory_archived
Revises: 0006_scale_indexes
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_territory_archived"
down_revision = "0006_scale_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("territory", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column in place, without the rebuild that would cascade.
    op.drop_column("territory", "archived_at")
