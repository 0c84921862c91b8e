"""Territories as rows: the SQL behind pickers and scope choices."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from lib.store import tables


def list_territories(conn: Connection, territory_ids: Iterable[int] | None = None) -> list[Row]:
    """Territories by name: every one when ``territory_ids`` is None, else only those."""
    query = sa.select(tables.territory).order_by(tables.territory.c.name, tables.territory.c.id)
    if territory_ids is not None:
        query = query.where(tables.territory.c.id.in_(list(territory_ids)))
    return list(conn.execute(query))


def territory_names(
    conn: Connection,
    territory_ids: Iterable[int] | None = None,
    *,
    search: str = "",
    limit: int | None = None,
) -> list[Row]:
    """``(id, name)`` by name, nothing else: the territories among ``territory_ids`` (every one
    when None) whose name contains ``search`` (any case), at most ``limit`` of them."""
    query = sa.select(tables.territory.c.id, tables.territory.c.name).order_by(
        tables.territory.c.name, tables.territory.c.id
    )
    if territory_ids is not None:
        query = query.where(tables.territory.c.id.in_(list(territory_ids)))
    if search:
        query = query.where(tables.territory.c.name.icontains(search, autoescape=True))
    if limit is not None:
        query = query.limit(limit)
    return list(conn.execute(query))


def count_territories(conn: Connection, territory_ids: Iterable[int] | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(tables.territory)
    if territory_ids is not None:
        query = query.where(tables.territory.c.id.in_(list(territory_ids)))
    return int(conn.execute(query).scalar_one())


def territory_exists(conn: Connection, territory_id: int) -> bool:
    return (
        conn.execute(sa.select(tables.territory.c.id).where(tables.territory.c.id == territory_id)).first()
        is not None
    )


def territory_id_by_slug(conn: Connection, slug: str) -> int | None:
    return conn.execute(sa.select(tables.territory.c.id).where(tables.territory.c.slug == slug)).scalar()
