"""public showcase: a fourth sharing level, ``public``, and a separate opt-in for a public contact

Widens the check on ``territory_sharing.level`` (on SQLite the batch operation rebuilds
``territory_sharing``, which no table refers to: nothing cascades, decision 0011) and adds
``peer_contact_consent.public`` (``ADD COLUMN``: no rebuild). SQLite's rebuild drops the
table's triggers: those of migration 0011 that move the network's version stamp are made
again right after, or a change of sharing level would leave the caches stale.

Revision ID: 0014_public_showcase
Revises: 0013_indicators
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_public_showcase"
down_revision = "0013_indicators"
branch_labels = None
depends_on = None

_OLD = "level in ('private', 'peers', 'network')"
_NEW = "level in ('private', 'peers', 'network', 'public')"


# As migration 0011 makes them on SQLite (PostgreSQL alters the table in place and keeps its own).
_SQLITE_NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"


def _levels(check: str) -> None:
    with op.batch_alter_table("territory_sharing") as batch:
        batch.drop_constraint(op.f("ck_territory_sharing_level"), type_="check")
        batch.create_check_constraint(op.f("ck_territory_sharing_level"), check)
    if op.get_bind().dialect.name == "sqlite":
        bump = f"UPDATE network_version SET version = MAX(version + 1, {_SQLITE_NOW_MS});"
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS network_version_territory_sharing_{event.lower()} "
                f"AFTER {event} ON territory_sharing BEGIN {bump} END"
            )


def upgrade() -> None:
    _levels(_NEW)
    op.add_column(
        "peer_contact_consent",
        sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # What was public goes back to the widest level the old schema knows: every row is kept,
    # and the older app shows it to members of the network only (less than before, never more).
    op.execute("update territory_sharing set level = 'network' where level = 'public'")
    _levels(_OLD)
    op.drop_column("peer_contact_consent", "public")
