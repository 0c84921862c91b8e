"""network steering: a network-wide response's territory, and indexes for periods

A network-wide campaign's results can be split by territory once each response says which
territory its respondent answers for (``response.territory_id``, empty for a territory's own
campaign). Steering reads periods of the whole network: responses by submission time, the
activity log by time (the journal lists the newest entries first), and each member's latest
login.

Revision ID: 0003_steering
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_steering"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("territory_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_response_territory_id_territory"),
            "territory",
            ["territory_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_response_territory_id"), ["territory_id"], unique=False)
        batch_op.create_index("ix_response_submitted_at", ["submitted_at"], unique=False)
    op.create_index("ix_activity_log_time", "activity_log", ["occurred_at"], unique=False)
    op.create_index("ix_activity_log_person_time", "activity_log", ["person_id", "occurred_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_activity_log_person_time", table_name="activity_log")
    op.drop_index("ix_activity_log_time", table_name="activity_log")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_submitted_at")
        batch_op.drop_index(batch_op.f("ix_response_territory_id"))
        batch_op.drop_constraint(batch_op.f("fk_response_territory_id_territory"), type_="foreignkey")
        batch_op.drop_column("territory_id")
