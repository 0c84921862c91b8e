"""SQL for the public showcase: which territories put something on it, and the few facts it
tells about them. Which of these a visitor may read is decided by ``lib.domain.sharing``
(``lib.services.showcase``); the queries below only narrow down the candidates."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from lib.store import tables

T = tables.territory
SH = tables.territory_sharing
GM = tables.peer_group_member
G = tables.peer_group
M = tables.milestone
C = tables.campaign
R = tables.response
AN = tables.answer
SUBMITTED = "submitted"


def candidates(conn: Connection, public_level: str, kinds: Sequence[str]) -> list[Row]:
    """Territories (id, slug, name, kind, region, population) not archived that chose
    ``public_level`` for one of ``kinds``, by name."""
    published = sa.select(SH.c.territory_id).where(SH.c.level == public_level, SH.c.kind.in_(list(kinds)))
    query = (
        sa.select(T.c.id, T.c.slug, T.c.name, T.c.kind, T.c.region, T.c.population)
        .where(T.c.id.in_(published), T.c.archived_at.is_(None))
        .order_by(T.c.name, T.c.id)
    )
    return conn.execute(query).all()


def territory_row(
    conn: Connection, *, territory_id: int | None = None, slug: str | None = None
) -> Row | None:
    """One territory not archived (id, slug, name, kind, region, population), by id or slug."""
    query = sa.select(T.c.id, T.c.slug, T.c.name, T.c.kind, T.c.region, T.c.population).where(
        T.c.archived_at.is_(None)
    )
    query = query.where(T.c.id == territory_id) if territory_id is not None else query.where(T.c.slug == slug)
    return conn.execute(query).first()


def group_memberships(conn: Connection, territory_ids: Sequence[int]) -> list[Row]:
    """(territory_id, slug, name) of the peer groups holding these territories."""
    if not territory_ids:
        return []
    query = (
        sa.select(GM.c.territory_id, G.c.slug, G.c.name)
        .join(G, G.c.id == GM.c.peer_group_id)
        .where(GM.c.territory_id.in_(list(territory_ids)))
        .order_by(G.c.name, G.c.id)
    )
    return conn.execute(query).all()


def dimensions_told(conn: Connection, territory_ids: Sequence[int]) -> list[Row]:
    """(territory_id, storytelling_dimension) of these territories' milestones."""
    if not territory_ids:
        return []
    query = (
        sa.select(M.c.territory_id, M.c.storytelling_dimension)
        .distinct()
        .where(M.c.territory_id.in_(list(territory_ids)), M.c.storytelling_dimension.is_not(None))
    )
    return conn.execute(query).all()


def scale_means(
    conn: Connection, territory_id: int, question_ids: Sequence[str], template_id: int
) -> list[Row]:
    """(question_id, answers, mean) over every submitted answer to these questions in this
    territory's campaigns of one template version — all roles pooled."""
    if not question_ids:
        return []
    query = (
        sa.select(
            AN.c.question_id,
            sa.func.count(AN.c.numeric_value).label("answers"),
            sa.func.avg(AN.c.numeric_value).label("mean"),
        )
        .select_from(AN.join(R, R.c.id == AN.c.response_id).join(C, C.c.id == R.c.campaign_id))
        .where(
            C.c.territory_id == territory_id,
            C.c.form_template_id == template_id,
            R.c.status == SUBMITTED,
            AN.c.question_id.in_(list(question_ids)),
            AN.c.numeric_value.is_not(None),
        )
        .group_by(AN.c.question_id)
    )
    return conn.execute(query).all()


def public_contacts(conn: Connection, territory_id: int) -> list[Row]:
    """(display_name, email, role) of this territory's members who agreed to be shown as a
    contact on the public showcase; nobody else."""
    P, MS, CONSENT = tables.person, tables.membership, tables.peer_contact_consent
    query = (
        sa.select(P.c.display_name, P.c.email, MS.c.role)
        .select_from(P.join(CONSENT, CONSENT.c.person_id == P.c.id).join(MS, MS.c.person_id == P.c.id))
        .where(MS.c.territory_id == territory_id, CONSENT.c.public.is_(True))
        .order_by(P.c.display_name, P.c.id)
    )
    return conn.execute(query).all()
