"""indicators: what a territory follows, its yearly values and its targets (issue 18)

Three new tables; nothing existing is touched.

Revision ID: 0013_indicators
Revises: 0012_campaign_response_target
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from migrations.security import lock_down_schema

revision = "0013_indicators"
down_revision = "0012_campaign_response_target"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)
_UNITS = "unit in ('t_co2e', 'mwh', 'dwellings', 'km', 'percent', 'count', 'people')"


def _stamps() -> list[sa.Column]:
    return [sa.Column("created_at", _WHEN, nullable=False), sa.Column("updated_at", _WHEN, nullable=False)]


def _person(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["person.id"], name=op.f(f"fk_{table}_{column}_person"), ondelete="SET NULL"
    )


def _of_indicator(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["indicator_id"],
        ["indicator.id"],
        name=op.f(f"fk_{table}_indicator_id_indicator"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("catalogue_id", sa.String(length=60), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("definition", sa.Text(), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        *_stamps(),
        sa.CheckConstraint(_UNITS, name=op.f("ck_indicator_unit")),
        sa.CheckConstraint("direction in ('increase', 'decrease')", name=op.f("ck_indicator_direction")),
        sa.CheckConstraint("catalogue_id is not null or name is not null", name=op.f("ck_indicator_named")),
        sa.ForeignKeyConstraint(
            ["territory_id"],
            ["territory.id"],
            name=op.f("fk_indicator_territory_id_territory"),
            ondelete="CASCADE",
        ),
        _person("indicator", "created_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
        sa.UniqueConstraint("territory_id", "catalogue_id", name="uq_indicator_territory_catalogue"),
    )
    op.create_index(op.f("ix_indicator_created_by"), "indicator", ["created_by"], unique=False)
    op.create_table(
        "indicator_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("nature", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        *_stamps(),
        sa.CheckConstraint("nature in ('measured', 'estimated')", name=op.f("ck_indicator_value_nature")),
        _of_indicator("indicator_value"),
        _person("indicator_value", "recorded_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value")),
        sa.UniqueConstraint("indicator_id", "year", name="uq_indicator_value_indicator_year"),
    )
    op.create_index(op.f("ix_indicator_value_recorded_by"), "indicator_value", ["recorded_by"], unique=False)
    op.create_table(
        "indicator_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        *_stamps(),
        _of_indicator("indicator_target"),
        _person("indicator_target", "recorded_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_target")),
        sa.UniqueConstraint("indicator_id", "year", name="uq_indicator_target_indicator_year"),
    )
    op.create_index(
        op.f("ix_indicator_target_recorded_by"), "indicator_target", ["recorded_by"], unique=False
    )
    lock_down_schema()


def downgrade() -> None:
    op.drop_table("indicator_target")
    op.drop_table("indicator_value")
    op.drop_table("indicator")
