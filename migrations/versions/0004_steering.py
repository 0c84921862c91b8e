"""network steering: a network-wide response's territory, and indexes for periods

A network-wide campaign's results can be split by territory once each response says which
territory its respondent answers for (``response.territory_id``, empty for a territory's own
campaign). Steering reads periods of the whole network: responses by submission time (with
the columns it counts by, so that the index alone answers), the activity log by time (the
journal lists the newest entries first), a territory's entries and a member's logins of a
period from indexes that hold the action (no table read).

Revision ID: 0004_steering
Revises: 0003_app_role_and_fk_indexes
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_steering"
down_revision = "0003_app_role_and_fk_indexes"
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
        batch_op.create_index(
            "ix_response_submitted_at",
            ["submitted_at", "status", "campaign_id", "territory_id", "respondent_role"],
            unique=False,
        )
    op.create_index("ix_activity_log_time", "activity_log", ["occurred_at"])
    op.create_index(
        "ix_activity_log_person_action_time", "activity_log", ["person_id", "action", "occurred_at"]
    )
    # The action joins the territory's index, so that counting a territory's activity of a
    # period reads the index alone.
    op.drop_index("ix_activity_log_territory_time", table_name="activity_log")
    op.create_index(
        "ix_activity_log_territory_time_action", "activity_log", ["territory_id", "occurred_at", "action"]
    )


def downgrade() -> None:
    op.drop_index("ix_activity_log_territory_time_action", table_name="activity_log")
    op.create_index("ix_activity_log_territory_time", "activity_log", ["territory_id", "occurred_at"])
    op.drop_index("ix_activity_log_person_action_time", table_name="activity_log")
    op.drop_index("ix_activity_log_time", table_name="activity_log")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_submitted_at")
        batch_op.drop_index(batch_op.f("ix_response_territory_id"))
        batch_op.drop_constraint(batch_op.f("fk_response_territory_id_territory"), type_="foreignkey")
        batch_op.drop_column("territory_id")
