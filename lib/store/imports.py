"""What CSV imports look up before checking rows, and how they write them (in bulk)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lib.domain.csv_import import Known
from lib.store import tables

CHUNK = 500


def known(conn: Connection, now: datetime) -> Known:
    found = Known()
    for row in conn.execute(
        sa.select(tables.territory.c.id, tables.territory.c.slug, tables.territory.c.name)
    ):
        found.territories[row.slug] = row.id
        found.territory_names.setdefault(row.name.lower(), row.slug)
    for row in conn.execute(
        sa.select(tables.peer_group.c.id, tables.peer_group.c.slug, tables.peer_group.c.name)
    ):
        found.groups[row.slug] = row.id
        found.group_names.setdefault(row.name.lower(), row.slug)
    found.group_members = {
        (r.peer_group_id, r.territory_id)
        for r in conn.execute(
            sa.select(tables.peer_group_member.c.peer_group_id, tables.peer_group_member.c.territory_id)
        )
    }
    found.members = {
        (r.email, r.territory_id)
        for r in conn.execute(
            sa.select(tables.person.c.email, tables.membership.c.territory_id).join(
                tables.membership, tables.membership.c.person_id == tables.person.c.id
            )
        )
    }
    found.open_invitations = {
        (r.email, r.territory_id)
        for r in conn.execute(
            sa.select(tables.invitation.c.email, tables.invitation.c.territory_id).where(
                tables.invitation.c.revoked_at.is_(None),
                tables.invitation.c.accepted_at.is_(None),
                tables.invitation.c.expires_at > now,
            )
        )
    }
    return found


def insert_many(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(sa.insert(table), rows)


def insert_invitations(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """The new invitations' ids, in the order of ``rows``."""
    if not rows:
        return []
    result = conn.execute(
        sa.insert(tables.invitation).returning(tables.invitation.c.id, sort_by_parameter_order=True), rows
    )
    return [r.id for r in result]
