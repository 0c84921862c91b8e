"""indexes that fit the results' queries; a data version on each campaign

Measured with ``bench/screens.py`` (decision 0015): the results page filters a campaign's
answers by ``question_id IN (…)``, and the single-column index on ``answer.question_id``
let both databases read every answer to those questions across the network (PostgreSQL
chose it even with fresh statistics). Answers are always reached through their response,
so that index goes; the (response, question) index also carries the numeric value, which
the distributions then read from the index alone. The (campaign, status) index of
``response`` carries the submission time and the role, which the counts by role and hour
read from the index alone.

``campaign.data_version`` changes in the same transaction as every write that changes a
campaign's submitted responses: the results computed from them are cached under it, and a
cache in any process sees the new value on its next read (``lib.services.cache``).

Revision ID: 0006_scale_indexes
Revises: 0005_peers_sharing
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_scale_indexes"
down_revision = "0005_peers_sharing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_answer_question", table_name="answer")
    op.drop_index("ix_answer_response_question", table_name="answer")
    op.create_index(
        "ix_answer_response_question", "answer", ["response_id", "question_id", "numeric_value"]
    )
    op.drop_index("ix_response_campaign_status", table_name="response")
    op.create_index(
        "ix_response_campaign_status",
        "response",
        ["campaign_id", "status", "submitted_at", "respondent_role"],
    )
    op.add_column(
        "campaign", sa.Column("data_version", sa.BigInteger(), nullable=False, server_default="0")
    )


def downgrade() -> None:
    op.drop_column("campaign", "data_version")
    op.drop_index("ix_response_campaign_status", table_name="response")
    op.create_index("ix_response_campaign_status", "response", ["campaign_id", "status"])
    op.drop_index("ix_answer_response_question", table_name="answer")
    op.create_index("ix_answer_response_question", "answer", ["response_id", "question_id"])
    op.create_index("ix_answer_question", "answer", ["question_id"])
