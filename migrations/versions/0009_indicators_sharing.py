"""indicators: a fourth kind of shared data (a territory's indicator values and targets)

Widens the check on ``territory_sharing.kind``. On SQLite the batch operation rebuilds
``territory_sharing``, which no table refers to: nothing cascades (decision 0011).

Revision ID: 0009_indicators_sharing
Revises: 0008_mail_outbox
Create Date: 2026-12-01
"""

from alembic import op

revision = "0009_indicators_sharing"
down_revision = "0008_mail_outbox"
branch_labels = None
depends_on = None

_OLD = "kind in ('assessments', 'journey', 'feedback')"
_NEW = "kind in ('assessments', 'journey', 'feedback', 'indicators')"

# What the downgrade removes, for the test that every other row is kept.
DOWNGRADE_REMOVES = {"territory_sharing": "kind = 'indicators'"}


def _kinds(check: str) -> None:
    with op.batch_alter_table("territory_sharing") as batch:
        batch.drop_constraint(op.f("ck_territory_sharing_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_territory_sharing_kind"), check)


def upgrade() -> None:
    _kinds(_NEW)


def downgrade() -> None:
    # A level chosen for indicators has no place in the old schema: it goes back to the default.
    op.execute(f"delete from territory_sharing where {DOWNGRADE_REMOVES['territory_sharing']}")
    _kinds(_OLD)
