"""sharing levels per kind of data, peers' contact opt-in, a milestone's axis

``territory_sharing`` replaces the single ``territory.sharing`` level: one level per kind of
data (assessments, journey, feedback). Existing territories keep what they had for their
assessments and journey; their feedback results stay private (the new default). The old
column is left in place and read by nothing: dropping it would rebuild ``territory`` on
SQLite, whose DROP TABLE cascades into every table that refers to a territory.

Revision ID: 0005_peers_sharing
Revises: 0004_steering
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from migrations.security import lock_down_schema

revision = "0005_peers_sharing"
down_revision = "0004_steering"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "territory_sharing",
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind in ('assessments', 'journey', 'feedback')", name=op.f("ck_territory_sharing_kind")
        ),
        sa.CheckConstraint(
            "level in ('private', 'peers', 'network')", name=op.f("ck_territory_sharing_level")
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territory.id"],
            name=op.f("fk_territory_sharing_territory_id_territory"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["person.id"],
            name=op.f("fk_territory_sharing_updated_by_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("territory_id", "kind", name=op.f("pk_territory_sharing")),
    )
    op.create_index(
        op.f("ix_territory_sharing_updated_by"), "territory_sharing", ["updated_by"], unique=False
    )
    op.create_table(
        "peer_contact_consent",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_peer_contact_consent_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_peer_contact_consent")),
    )
    # A plain ADD COLUMN on both dialects: nothing refers to milestone, but no rebuild is needed.
    op.add_column("milestone", sa.Column("axis_id", sa.String(length=40), nullable=True))

    # What a territory shared before keeps applying to its assessments and its journey.
    for kind in ("assessments", "journey"):
        op.execute(
            sa.text(
                "insert into territory_sharing (territory_id, kind, level, updated_at) "
                "select id, :kind, sharing, updated_at from territory"
            ).bindparams(kind=kind)
        )
    lock_down_schema()


def downgrade() -> None:
    # The assessments' level goes back into the single column; the other choices are lost.
    op.execute(
        "update territory set sharing = coalesce((select s.level from territory_sharing s "
        "where s.territory_id = territory.id and s.kind = 'assessments'), sharing)"
    )
    op.drop_column("milestone", "axis_id")
    op.drop_table("peer_contact_consent")
    op.drop_index(op.f("ix_territory_sharing_updated_by"), table_name="territory_sharing")
    op.drop_table("territory_sharing")
