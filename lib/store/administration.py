"""SQL behind the Administration page: territories with their counts, peer groups and members."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from lib.store import tables


def territories_with_counts(conn: Connection, territory_ids: Iterable[int] | None = None) -> list[Row]:
    """Every territory (only ``territory_ids`` when given) by name with its members and its
    submitted responses (own campaigns and network answers given for it): what archiving would
    take out of the steering views."""
    tr, m, r, c = tables.territory, tables.membership, tables.response, tables.campaign
    members = sa.select(sa.func.count()).where(m.c.territory_id == tr.c.id).correlate(tr).scalar_subquery()
    own = (
        sa.select(sa.func.count())
        .select_from(r.join(c, c.c.id == r.c.campaign_id))
        .where(c.c.territory_id == tr.c.id, r.c.status == "submitted")
        .correlate(tr)
        .scalar_subquery()
    )
    given = (
        sa.select(sa.func.count())
        .where(r.c.territory_id == tr.c.id, r.c.status == "submitted")
        .correlate(tr)
        .scalar_subquery()
    )
    query = sa.select(
        tr.c.id,
        tr.c.slug,
        tr.c.name,
        tr.c.kind,
        tr.c.insee_code,
        tr.c.siren,
        tr.c.region,
        tr.c.population,
        tr.c.archived_at,
        members.label("members"),
        (own + given).label("responses"),
    ).order_by(tr.c.name, tr.c.id)
    if territory_ids is not None:
        query = query.where(tr.c.id.in_(list(territory_ids)))
    return list(conn.execute(query))


def get_territory(conn: Connection, territory_id: int) -> Row | None:
    return conn.execute(sa.select(tables.territory).where(tables.territory.c.id == territory_id)).first()


def territory_id_by_slug(conn: Connection, slug: str) -> int | None:
    return conn.execute(sa.select(tables.territory.c.id).where(tables.territory.c.slug == slug)).scalar()


def insert_territory(conn: Connection, values: dict[str, Any]) -> int:
    return conn.execute(
        sa.insert(tables.territory).values(values).returning(tables.territory.c.id)
    ).scalar_one()


def update_territory(conn: Connection, territory_id: int, values: dict[str, Any]) -> None:
    conn.execute(sa.update(tables.territory).where(tables.territory.c.id == territory_id).values(values))


def set_archived_at(conn: Connection, territory_id: int, when: datetime | None) -> None:
    conn.execute(
        sa.update(tables.territory).where(tables.territory.c.id == territory_id).values(archived_at=when)
    )


def existing_territory_ids(conn: Connection, ids: Iterable[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    return set(conn.execute(sa.select(tables.territory.c.id).where(tables.territory.c.id.in_(ids))).scalars())


def peer_groups(conn: Connection) -> list[Row]:
    return list(
        conn.execute(sa.select(tables.peer_group).order_by(tables.peer_group.c.name, tables.peer_group.c.id))
    )


def get_peer_group(conn: Connection, group_id: int) -> Row | None:
    return conn.execute(sa.select(tables.peer_group).where(tables.peer_group.c.id == group_id)).first()


def group_members(conn: Connection) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {}
    query = sa.select(
        tables.peer_group_member.c.peer_group_id, tables.peer_group_member.c.territory_id
    ).order_by(tables.peer_group_member.c.peer_group_id, tables.peer_group_member.c.territory_id)
    for row in conn.execute(query):
        members.setdefault(row.peer_group_id, []).append(row.territory_id)
    return members


def group_slugs_like(conn: Connection, base: str) -> set[str]:
    query = sa.select(tables.peer_group.c.slug).where(tables.peer_group.c.slug.like(f"{base}%"))
    return set(conn.execute(query).scalars())


def insert_peer_group(conn: Connection, *, slug: str, name: str, description: str | None) -> int:
    return conn.execute(
        sa.insert(tables.peer_group)
        .values(slug=slug, name=name, description=description)
        .returning(tables.peer_group.c.id)
    ).scalar_one()


def update_peer_group(conn: Connection, group_id: int, *, name: str, description: str | None) -> None:
    conn.execute(
        sa.update(tables.peer_group)
        .where(tables.peer_group.c.id == group_id)
        .values(name=name, description=description)
    )


def set_group_members(conn: Connection, group_id: int, territory_ids: set[int]) -> tuple[set[int], set[int]]:
    """Make the group's members exactly ``territory_ids``; returns (added, removed)."""
    gm = tables.peer_group_member
    current = set(conn.execute(sa.select(gm.c.territory_id).where(gm.c.peer_group_id == group_id)).scalars())
    added, removed = territory_ids - current, current - territory_ids
    if removed:
        conn.execute(
            sa.delete(gm).where(gm.c.peer_group_id == group_id, gm.c.territory_id.in_(list(removed)))
        )
    if added:
        conn.execute(
            sa.insert(gm), [{"peer_group_id": group_id, "territory_id": tid} for tid in sorted(added)]
        )
    return added, removed
