"""an owner role for the app's schema; an index behind every foreign key

On PostgreSQL the schema ``parcours`` and everything in it now belong to ``parcours_app``,
the role the app connects as (created here without login when the deploy guide has not
created it already). Its time limits are set at start-up (``lib.store.limits``).

The two foreign keys to ``framework_version`` get their index (Supabase's linter:
``unindexed_foreign_keys``): without one, deleting or renaming a version scans both tables.

Revision ID: 0003_app_role_and_fk_indexes
Revises: 0002
Create Date: 2026-12-01
"""

from alembic import op

from migrations.security import ensure_app_role, give_back_from_app_role, hand_over_to_app_role

revision = "0003_app_role_and_fk_indexes"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_assessment_framework_version": "assessment",
    "ix_form_template_framework_version": "form_template",
}


def upgrade() -> None:
    for index, table in INDEXES.items():
        op.create_index(index, table, ["framework_version"])
    if op.get_bind().dialect.name == "postgresql":
        ensure_app_role()
        hand_over_to_app_role()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        give_back_from_app_role()
    for index, table in INDEXES.items():
        op.drop_index(index, table_name=table)
