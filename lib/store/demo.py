"""The demo seed's SQL (``lib/demo``): bulk inserts in the order given, the adjustments it
makes to rows an earlier step wrote, and the checks it runs first. The seed decides what to
write; this is the one place it is written (decision 0001). Campaigns, responses and their
answers go through ``lib.store.feedback`` like the app's own.

Adjustments keep the rows' ``updated_at``: they are not edits, and the same day must give the
same rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lib.store import tables


def _add(conn: Connection, table: sa.Table, rows: list[dict]) -> None:
    if rows:
        conn.execute(sa.insert(table), rows)


def _add_returning_ids(conn: Connection, table: sa.Table, rows: list[dict]) -> list[int]:
    """Bulk insert, ids returned in the order of ``rows`` (one round trip on both dialects)."""
    if not rows:
        return []
    stmt = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(conn.execute(stmt, rows).scalars())


def add_territories(conn: Connection, rows: list[dict]) -> list[int]:
    return _add_returning_ids(conn, tables.territory, rows)


def add_peer_groups(conn: Connection, rows: list[dict]) -> list[int]:
    return _add_returning_ids(conn, tables.peer_group, rows)


def add_peer_group_members(conn: Connection, rows: list[dict]) -> None:
    _add(conn, tables.peer_group_member, rows)


def add_people(conn: Connection, rows: list[dict]) -> list[int]:
    return _add_returning_ids(conn, tables.person, rows)


def add_memberships(conn: Connection, rows: list[dict]) -> None:
    _add(conn, tables.membership, rows)


def add_assessments(conn: Connection, rows: list[dict]) -> list[int]:
    return _add_returning_ids(conn, tables.assessment, rows)


def add_assessment_scores(conn: Connection, rows: list[dict]) -> None:
    _add(conn, tables.assessment_score, rows)


def add_milestones(conn: Connection, rows: list[dict]) -> list[int]:
    return _add_returning_ids(conn, tables.milestone, rows)


def add_sharing_levels(conn: Connection, rows: list[dict]) -> None:
    _add(conn, tables.territory_sharing, rows)


def add_contact_consents(conn: Connection, rows: list[dict]) -> None:
    _add(conn, tables.peer_contact_consent, rows)


def add_indicators(conn: Connection, rows: list[dict]) -> list[int]:
    return _add_returning_ids(conn, tables.indicator, rows)


def add_indicator_values(conn: Connection, rows: list[dict]) -> None:
    _add(conn, tables.indicator_value, rows)


def add_indicator_targets(conn: Connection, rows: list[dict]) -> None:
    _add(conn, tables.indicator_target, rows)


def add_activity(conn: Connection, rows: list[dict]) -> None:
    _add(conn, tables.activity_log, rows)


# --- adjustments of earlier steps' rows ---------------------------------------------------------


def tag_story_axes(conn: Connection, territory_ids: Sequence[int], axes_by_title: Mapping[str, str]) -> int:
    """Give the territories' milestones the axis their title tells about; how many were tagged."""
    axis = sa.case(dict(axes_by_title), value=tables.milestone.c.title, else_=sa.null())
    return conn.execute(
        sa.update(tables.milestone)
        .where(tables.milestone.c.territory_id.in_(list(territory_ids)))
        .values(axis_id=axis, updated_at=tables.milestone.c.updated_at)
    ).rowcount


def raise_last_login(conn: Connection, person_id: int, moment: datetime) -> None:
    """A later login than the one stored, if it is later."""
    conn.execute(
        sa.update(tables.person)
        .where(tables.person.c.id == person_id, tables.person.c.last_login_at < moment)
        .values(last_login_at=moment, updated_at=tables.person.c.updated_at)
    )


def responses_of_role(conn: Connection, territory_id: int, role: str) -> list[int]:
    """The ids of the responses given in ``role`` to the territory's own campaigns, in order."""
    r, c = tables.response, tables.campaign
    return list(
        conn.execute(
            sa.select(r.c.id)
            .join(c, c.c.id == r.c.campaign_id)
            .where(c.c.territory_id == territory_id, r.c.respondent_role == role)
            .order_by(r.c.id)
        ).scalars()
    )


def network_responses(conn: Connection) -> list[tuple[int, str]]:
    """``(id, role)`` of every response to a network-wide campaign, in order."""
    r, c = tables.response, tables.campaign
    rows = conn.execute(
        sa.select(r.c.id, r.c.respondent_role)
        .join(c, c.c.id == r.c.campaign_id)
        .where(c.c.territory_id.is_(None))
        .order_by(r.c.id)
    )
    return [(row.id, row.respondent_role) for row in rows]


def set_responses(conn: Connection, response_ids: Iterable[int], **values) -> None:
    """Change these responses (their role, the territory they answer for)."""
    ids = list(response_ids)
    if ids:
        conn.execute(
            sa.update(tables.response)
            .where(tables.response.c.id.in_(ids))
            .values(**values, updated_at=tables.response.c.updated_at)
        )


# --- before seeding -----------------------------------------------------------------------------


def _data_tables() -> list[sa.Table]:
    return [table for table in tables.metadata.sorted_tables if table.name not in tables.REFERENCE_TABLES]


def is_empty(conn: Connection) -> bool:
    """True when no table holds a row, reference tables aside."""
    return all(
        conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is None
        for table in _data_tables()
    )


def holds_real_data(conn: Connection) -> bool:
    """True as soon as one territory or person is not marked as demo."""
    for table in (tables.territory, tables.person):
        if conn.execute(sa.select(table.c.id).where(table.c.is_demo.is_(False)).limit(1)).first():
            return True
    return False


def wipe(conn: Connection) -> None:
    """Delete every row but the reference tables' (the seed's ``force``)."""
    for table in reversed(_data_tables()):
        conn.execute(table.delete())
