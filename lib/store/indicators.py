"""Indicators' queries: what a territory follows, its values and its targets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from lib.store import tables

I = tables.indicator  # noqa: E741 - the table's initial, like the other store modules
V = tables.indicator_value
G = tables.indicator_target


def indicators_of(conn: Connection, territory_id: int) -> list[Row]:
    """The territory's indicators, catalogue ones first in the order they were added."""
    return list(
        conn.execute(
            sa.select(I).where(I.c.territory_id == territory_id).order_by(I.c.catalogue_id.is_(None), I.c.id)
        )
    )


def indicator(conn: Connection, indicator_id: int) -> Row | None:
    return conn.execute(sa.select(I).where(I.c.id == indicator_id)).first()


def add_indicator(
    conn: Connection,
    *,
    territory_id: int,
    catalogue_id: str | None,
    name: str | None,
    definition: str | None,
    unit: str,
    direction: str,
    person_id: int | None,
) -> int:
    return conn.execute(
        sa.insert(I)
        .values(
            territory_id=territory_id,
            catalogue_id=catalogue_id,
            name=name,
            definition=definition,
            unit=unit,
            direction=direction,
            created_by=person_id,
        )
        .returning(I.c.id)
    ).scalar_one()


def follows(conn: Connection, territory_id: int, catalogue_id: str) -> bool:
    query = sa.select(I.c.id).where(I.c.territory_id == territory_id, I.c.catalogue_id == catalogue_id)
    return conn.execute(query).first() is not None


def remove_indicator(conn: Connection, indicator_id: int) -> None:
    # Values and targets go with it (ON DELETE CASCADE); removed explicitly too, so that SQLite
    # without its foreign-key pragma would not keep orphans.
    conn.execute(sa.delete(V).where(V.c.indicator_id == indicator_id))
    conn.execute(sa.delete(G).where(G.c.indicator_id == indicator_id))
    conn.execute(sa.delete(I).where(I.c.id == indicator_id))


def values_of(conn: Connection, indicator_ids: Sequence[int]) -> list[Row]:
    if not indicator_ids:
        return []
    return list(
        conn.execute(sa.select(V).where(V.c.indicator_id.in_(list(indicator_ids))).order_by(V.c.year))
    )


def targets_of(conn: Connection, indicator_ids: Sequence[int]) -> list[Row]:
    if not indicator_ids:
        return []
    return list(
        conn.execute(sa.select(G).where(G.c.indicator_id.in_(list(indicator_ids))).order_by(G.c.year))
    )


def _upsert(conn: Connection, table: sa.Table, indicator_id: int, year: int, values: dict) -> int:
    """One row per indicator and year: the year's row is replaced when it exists. Read then
    write inside the caller's transaction; a concurrent insert of the same year hits the unique
    constraint and the whole save is refused (said as "nothing saved, try again")."""
    found = conn.execute(
        sa.select(table.c.id).where(table.c.indicator_id == indicator_id, table.c.year == year)
    ).scalar()
    if found is None:
        return conn.execute(
            sa.insert(table).values(indicator_id=indicator_id, year=year, **values).returning(table.c.id)
        ).scalar_one()
    conn.execute(sa.update(table).where(table.c.id == found).values(**values))
    return found


def save_value(
    conn: Connection,
    indicator_id: int,
    *,
    year: int,
    value: float,
    nature: str,
    measured_on: date | None,
    source: str | None,
    comment: str | None,
    person_id: int | None,
) -> int:
    return _upsert(
        conn,
        V,
        indicator_id,
        year,
        {
            "value": value,
            "nature": nature,
            "measured_on": measured_on,
            "source": source or None,
            "comment": comment or None,
            "recorded_by": person_id,
        },
    )


def save_target(
    conn: Connection, indicator_id: int, *, year: int, value: float, person_id: int | None
) -> int:
    return _upsert(conn, G, indicator_id, year, {"value": value, "recorded_by": person_id})


def remove_value(conn: Connection, indicator_id: int, year: int) -> int:
    return conn.execute(sa.delete(V).where(V.c.indicator_id == indicator_id, V.c.year == year)).rowcount


def remove_target(conn: Connection, indicator_id: int, year: int) -> int:
    return conn.execute(sa.delete(G).where(G.c.indicator_id == indicator_id, G.c.year == year)).rowcount


def latest_values(
    conn: Connection, catalogue_id: str, territory_ids: Sequence[int], since_year: int
) -> list[Row]:
    """Each territory's latest value (territory_id, year, value) of one catalogue indicator,
    from ``since_year`` on: one row per territory holding one, computed in SQL."""
    if not territory_ids:
        return []
    ranked = (
        sa.select(
            I.c.territory_id,
            V.c.year,
            V.c.value,
            sa.func.row_number().over(partition_by=I.c.territory_id, order_by=V.c.year.desc()).label("rank"),
        )
        .select_from(I.join(V, V.c.indicator_id == I.c.id))
        .where(
            I.c.catalogue_id == catalogue_id,
            I.c.territory_id.in_(list(territory_ids)),
            V.c.year >= since_year,
        )
        .subquery()
    )
    query = sa.select(ranked.c.territory_id, ranked.c.year, ranked.c.value).where(ranked.c.rank == 1)
    return list(conn.execute(query.order_by(ranked.c.territory_id)))


# --- What the app already knows (engagement figures) ---------------------------------------


def milestones_by_year(conn: Connection, territory_id: int) -> list[Row]:
    """(year, milestones) of the territory's journey."""
    M = tables.milestone
    year = sa.extract("year", M.c.occurred_on).label("year")
    query = sa.select(year, sa.func.count().label("milestones")).where(M.c.territory_id == territory_id)
    return list(conn.execute(query.group_by(year).order_by(year)))


def campaigns_by_year(conn: Connection, territory_id: int) -> list[Row]:
    """(year, campaigns) the territory opened, by the year they opened."""
    C = tables.campaign
    year = sa.extract("year", C.c.opens_on).label("year")
    query = sa.select(year, sa.func.count().label("campaigns")).where(C.c.territory_id == territory_id)
    return list(conn.execute(query.group_by(year).order_by(year)))


def responses_by_year_and_role(conn: Connection, territory_id: int) -> list[Row]:
    """(year, role, responses): submitted responses to the territory's campaigns, by the year
    their campaign opened and the hat the respondent chose."""
    C, R = tables.campaign, tables.response
    year = sa.extract("year", C.c.opens_on).label("year")
    query = (
        sa.select(year, R.c.respondent_role.label("role"), sa.func.count().label("responses"))
        .select_from(R.join(C, C.c.id == R.c.campaign_id))
        .where(C.c.territory_id == territory_id, R.c.status == "submitted")
        .group_by(year, R.c.respondent_role)
        .order_by(year, R.c.respondent_role)
    )
    return list(conn.execute(query))
