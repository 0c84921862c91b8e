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


def territory_exists(conn: Connection, territory_id: int) -> bool:
    return (
        conn.execute(sa.select(tables.territory.c.id).where(tables.territory.c.id == territory_id)).first()
        is not None
    )


def territory_id_by_slug(conn: Connection, slug: str) -> int | None:
    return conn.execute(sa.select(tables.territory.c.id).where(tables.territory.c.slug == slug)).scalar()
